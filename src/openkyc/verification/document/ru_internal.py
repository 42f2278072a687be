"""The Russian internal passport zone (``PN`` + ``RUS``).

It has the TD3 shape, but: names are coded with the internal passport letter table (so the exact
Cyrillic surname, name and patronymic come back), the number field holds the first three digits
of the series and the six-digit number, there is no expiry, and the optional data holds the last
series digit, the issue date and the department code.
"""

from __future__ import annotations

from dataclasses import dataclass

from .results import MrzData
from .transliteration import RU_INTERNAL_REVERSE, from_ru_internal

NAME_CHARS = frozenset(RU_INTERNAL_REVERSE) | {"<"}


@dataclass(frozen=True, slots=True)
class RuInternalFields:
    series: str  # four digits
    number: str  # six digits
    surname: str
    given_name: str
    patronymic: str
    issue_date: str  # YYMMDD
    department_code: str  # NNN-NNN


def is_ru_internal(mrz: MrzData) -> bool:
    return mrz.format == "TD3" and mrz.document_code == "PN" and mrz.issuing_country == "RUS"


def decode(mrz: MrzData) -> RuInternalFields | None:
    """The internal passport fields, or None when the zone does not follow that layout."""
    names_field = mrz.lines[0][5:]
    if set(names_field) - NAME_CHARS:
        return None
    surname_coded, _, given_coded = names_field.rstrip("<").partition("<<")
    given_parts = [p for p in given_coded.split("<") if p]
    given_name = from_ru_internal(given_parts[0]) if given_parts else ""
    patronymic = " ".join(from_ru_internal(p) for p in given_parts[1:])
    raw_number = mrz.lines[1][0:9]
    optional = mrz.lines[1][28:42]
    if not (raw_number.isdigit() and optional[:13].isdigit()):
        return None
    department = optional[7:13]
    return RuInternalFields(
        series=raw_number[:3] + optional[0],
        number=raw_number[3:9],
        surname=from_ru_internal(surname_coded),
        given_name=given_name,
        patronymic=patronymic,
        issue_date=optional[1:7],
        department_code=f"{department[:3]}-{department[3:]}",
    )
