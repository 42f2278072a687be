"""The documents the hosted page offers, and which of them a merchant accepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OTHER_COUNTRY = "OTHER"


@dataclass(frozen=True, slots=True)
class DocumentOption:
    kind: str  # stable id stored with the flow
    country: str  # ISO 3166-1 alpha-3, or OTHER for any other country's passport
    document_type: str  # the Love&Pay ``documentType`` family: passport | id_card
    sides: int  # photos needed: 2 for cards with data on the back


DOCUMENT_OPTIONS = (
    DocumentOption("ru_internal_passport", "RUS", "passport", 1),
    DocumentOption("ru_international_passport", "RUS", "passport", 1),
    DocumentOption("kz_id_card", "KAZ", "id_card", 2),
    DocumentOption("kz_passport", "KAZ", "passport", 1),
    DocumentOption("passport", OTHER_COUNTRY, "passport", 1),
)
_BY_KIND = {option.kind: option for option in DOCUMENT_OPTIONS}


def option_for(kind: str | None) -> DocumentOption | None:
    return _BY_KIND.get(kind or "")


def _codes(policy: Mapping[str, Any], *names: str) -> frozenset[str] | None:
    for name in names:
        value = policy.get(name)
        if isinstance(value, list | tuple):
            return frozenset(str(item).upper() for item in value)
    return None


def allowed_options(policy: Mapping[str, Any]) -> tuple[DocumentOption, ...]:
    """Options a merchant's policy lets through; an absent rule allows everything.

    Policy keys (camelCase or snake_case): ``allowedCountries`` (alpha-3 codes; any code other
    than RUS and KAZ also enables "another country's passport"), ``allowedDocumentTypes``
    (passport, id_card) and ``allowedDocumentKinds`` (the kinds above).
    """
    countries = _codes(policy, "allowedCountries", "allowed_countries")
    types = _codes(policy, "allowedDocumentTypes", "allowed_document_types")
    kinds = _codes(policy, "allowedDocumentKinds", "allowed_document_kinds")
    named = {option.country for option in DOCUMENT_OPTIONS}
    result = []
    for option in DOCUMENT_OPTIONS:
        if countries is not None:
            if option.country == OTHER_COUNTRY:
                if not countries - named:
                    continue
            elif option.country not in countries:
                continue
        if types is not None and option.document_type.upper() not in types:
            continue
        if kinds is not None and option.kind.upper() not in kinds:
            continue
        result.append(option)
    return tuple(result)
