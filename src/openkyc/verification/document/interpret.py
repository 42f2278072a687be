"""From a checked MRZ to document fields: kind, type, names, resolved dates, personal numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import ru_internal
from .dates import resolve_expiry, resolve_past
from .results import MrzData
from .transliteration import to_icao_latin


@dataclass(frozen=True, slots=True)
class Interpreted:
    kind: str
    document_type: str
    issuing_country: str
    number: str
    surname: str
    given_names: str
    surname_cyrillic: str | None
    given_names_cyrillic: str | None
    patronymic: str | None
    sex: str
    birth_date: dt.date | None
    nationality: str
    expiry_date: dt.date | None
    issue_date: dt.date | None
    personal_number: str | None
    department_code: str | None


def country(code: str) -> str:
    # Germany is the one state whose code is a single letter padded with fillers ("D<<").
    return code.replace("<", "")


def document_type(code: str) -> str:
    if code.startswith("P"):
        return "passport"
    if code.startswith("V"):
        return "visa"
    return "id_card"


def kind_of(mrz: MrzData) -> str:
    issuer = country(mrz.issuing_country)
    if ru_internal.is_ru_internal(mrz):
        return "ru_internal_passport"
    if mrz.format == "FR-ID":
        return "fr_id_card"
    if mrz.format == "TD3":
        if issuer == "RUS":
            return "ru_international_passport"
        if issuer == "KAZ":
            return "kz_passport"
        return "td3_passport"
    if mrz.format == "TD1":
        return "kz_id_card" if issuer == "KAZ" else "td1_id_card"
    if mrz.format == "TD2":
        return "td2_document"
    return "visa"


def _kz_iin(optional: str) -> str | None:
    digits = optional.replace("<", "")
    return digits if len(digits) == 12 and digits.isdigit() else None


def interpret(mrz: MrzData, today: dt.date) -> Interpreted:
    kind = kind_of(mrz)
    issuer = country(mrz.issuing_country)
    number = mrz.number
    surname, given = mrz.surname, mrz.given_names
    surname_cyr: str | None = None
    given_cyr: str | None = None
    patronymic: str | None = None
    issue_date: dt.date | None = None
    department: str | None = None
    personal: str | None = None
    if kind == "ru_internal_passport":
        fields = ru_internal.decode(mrz)
        if fields is not None:
            number = fields.series + fields.number
            surname_cyr = fields.surname
            given_cyr = fields.given_name
            patronymic = fields.patronymic or None
            # The zone's Latin letters are a code, not a name: give the ICAO transliteration.
            surname = to_icao_latin(fields.surname).replace("<", " ")
            given = to_icao_latin(fields.given_name).replace("<", " ")
            issue_date = resolve_past(fields.issue_date, today)
            department = fields.department_code
    elif issuer == "KAZ":
        personal = _kz_iin(mrz.optional)
    elif mrz.format != "FR-ID" and not mrz.format.startswith("MRV"):
        # Not the French card's six characters after the surname (the issuing department and
        # office), nor a visa's optional data, which has no check digit, not even a composite
        # one: a misread there (R read as 8) would be returned as verified.
        personal = mrz.optional.replace("<", "") or None
    return Interpreted(
        kind=kind,
        document_type=document_type(mrz.document_code),
        issuing_country=issuer,
        number=number,
        surname=surname,
        given_names=given,
        surname_cyrillic=surname_cyr,
        given_names_cyrillic=given_cyr,
        patronymic=patronymic,
        sex=mrz.sex,
        birth_date=resolve_past(mrz.birth_date, today),
        nationality=country(mrz.nationality),
        expiry_date=resolve_expiry(mrz.expiry_date, today) if mrz.expiry_date else None,
        issue_date=issue_date,
        personal_number=personal,
        department_code=department,
    )
