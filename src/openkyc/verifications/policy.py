"""A merchant's decision policy: ``Merchant.policy`` JSON over the defaults.

Keys (all optional): ``minimumAge`` (int), ``allowedCountries`` (ISO alpha-3 list),
``allowedDocumentTypes`` (list), ``faceMatchThreshold``, ``faceReviewFloor``, ``livenessThreshold``,
``reviewBand`` (liveness)
(0..1), ``retakesAllowed`` (int), ``rejectDuplicates`` (bool), ``fourEyes`` (bool: a manual
review decision needs a second, different reviewer; see :func:`requires_four_eyes`). A
malformed policy raises instead of silently loosening to the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openkyc.verification.decision import DecisionPolicy
from openkyc.verifications.errors import InvalidPolicy

DEFAULT_POLICY = DecisionPolicy()


def parse_policy(data: Mapping[str, Any] | None) -> DecisionPolicy:
    data = data or {}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def number(key: str, attribute: str, low: float, high: float) -> None:
        if key not in data:
            return
        value = data[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            errors[key] = f"must be a number between {low} and {high}"
        else:
            values[attribute] = float(value)

    def integer(key: str, attribute: str, low: int, high: int) -> None:
        if key not in data:
            return
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = f"must be an integer between {low} and {high}"
        else:
            values[attribute] = value

    def codes(key: str, attribute: str, *, upper: bool) -> None:
        if key not in data or data[key] is None:
            return
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            errors[key] = "must be a list of strings"
        else:
            values[attribute] = frozenset(item.upper() if upper else item for item in value)

    integer("minimumAge", "minimum_age", 0, 130)
    integer("retakesAllowed", "retakes_allowed", 0, 20)
    number("faceMatchThreshold", "face_match_threshold", 0.0, 1.0)
    number("faceReviewFloor", "face_review_floor", 0.0, 1.0)
    number("livenessThreshold", "liveness_threshold", 0.0, 1.0)
    number("reviewBand", "review_band", 0.0, 1.0)
    codes("allowedCountries", "allowed_countries", upper=True)
    codes("allowedDocumentTypes", "allowed_document_types", upper=False)
    if "fourEyes" in data and not isinstance(data["fourEyes"], bool):
        errors["fourEyes"] = "must be true or false"
    if "rejectDuplicates" in data:
        if not isinstance(data["rejectDuplicates"], bool):
            errors["rejectDuplicates"] = "must be true or false"
        else:
            values["reject_duplicates"] = data["rejectDuplicates"]
    if errors:
        raise InvalidPolicy(errors, "The merchant's decision policy is invalid")
    return DecisionPolicy(**values)


def requires_four_eyes(data: Mapping[str, Any] | None) -> bool:
    """Whether the merchant's manual review decisions need a second reviewer."""
    value = (data or {}).get("fourEyes", False)
    if not isinstance(value, bool):
        raise InvalidPolicy({"fourEyes": "must be true or false"})
    return value
