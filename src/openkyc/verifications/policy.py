"""A merchant's decision policy: ``Merchant.policy`` JSON over the defaults.

Keys (all optional): ``minimumAge`` (int), ``allowedCountries`` (ISO alpha-3 list),
``allowedDocumentTypes`` (list), ``faceMatchThreshold``, ``faceReviewFloor``, ``livenessThreshold``,
``reviewBand`` (liveness)
(0..1), ``retakesAllowed`` (int), ``rejectDuplicates`` (bool), ``noLiveCapture`` ("review" or
"decline": what a selfie that is one uploaded photo leads to; default "review"), ``fourEyes`` (bool: a manual
review decision needs a second, different reviewer; see :func:`requires_four_eyes`). A
malformed policy raises instead of silently loosening to the defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from openkyc.flows.documents import DOCUMENT_OPTIONS
from openkyc.verification.decision import DecisionPolicy
from openkyc.verifications.errors import InvalidPolicy

DEFAULT_POLICY = DecisionPolicy()
NO_LIVE_CAPTURE_CHOICES = ("review", "decline")

# Every key an operator may set, and what it means (the CLI's help and the dashboard's form).
POLICY_FIELDS: dict[str, str] = {
    "minimumAge": "integer 0-130; younger holders are declined (UNDERAGE)",
    "allowedCountries": "list of ISO 3166-1 alpha-3 issuing countries (null: any)",
    "allowedDocumentTypes": "list of passport, id_card, visa (null: passport and id_card)",
    "allowedDocumentKinds": "hosted page choices: "
    + ", ".join(option.kind for option in DOCUMENT_OPTIONS)
    + " (null: all)",
    "faceMatchThreshold": "number 0-1; face scores from here up match",
    "faceReviewFloor": "number 0-1; face scores from here up to the threshold go to review",
    "livenessThreshold": "number 0-1; liveness scores from here up pass",
    "reviewBand": "number 0-1; liveness scores this far below the threshold go to review",
    "retakesAllowed": "integer 0-20; retakes the customer may do",
    "rejectDuplicates": "true or false; decline an identity already approved elsewhere",
    "fourEyes": "true or false; a manual review decision needs a second reviewer",
    "noLiveCapture": "review or decline; a selfie that is one uploaded photo goes to manual "
    "review (NO_LIVE_CAPTURE) or is refused",
}
DOCUMENT_TYPES = ("passport", "id_card", "visa")
_ALPHA3 = re.compile(r"[A-Z]{3}")


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
    if "noLiveCapture" in data:
        if data["noLiveCapture"] not in NO_LIVE_CAPTURE_CHOICES:
            errors["noLiveCapture"] = "must be review or decline"
        else:
            values["no_live_capture"] = data["noLiveCapture"]
    if errors:
        raise InvalidPolicy(errors, "The merchant's decision policy is invalid")
    return DecisionPolicy(**values)


def requires_four_eyes(data: Mapping[str, Any] | None) -> bool:
    """Whether the merchant's manual review decisions need a second reviewer."""
    value = (data or {}).get("fourEyes", False)
    if not isinstance(value, bool):
        raise InvalidPolicy({"fourEyes": "must be true or false"})
    return value


def validate_policy(data: Mapping[str, Any]) -> dict[str, Any]:
    """The policy document an operator asked for, normalised, or every bad field named
    (``policy.<field>``) in one :class:`InvalidPolicy` (400)."""
    if not isinstance(data, Mapping):
        raise InvalidPolicy({"policy": "must be a JSON object"})
    errors: dict[str, str] = {}
    for key in data:
        if key not in POLICY_FIELDS:
            errors[f"policy.{key}"] = f"unknown field; known: {', '.join(POLICY_FIELDS)}"
    cleaned = {key: value for key, value in data.items() if key in POLICY_FIELDS}
    for check in (parse_policy, requires_four_eyes):
        try:
            check(cleaned)
        except InvalidPolicy as exc:
            errors.update({f"policy.{key}": problem for key, problem in exc.errors.items()})

    def listed(key: str, valid: Callable[[str], object], problem: str, *, upper: bool) -> None:
        field, value = f"policy.{key}", cleaned.get(key)
        if value is None or field in errors:
            return
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            errors[field] = "must be a list of strings"
            return
        items = [str(item).upper() if upper else str(item).lower() for item in value]
        bad = [item for item in items if not valid(item)]
        if bad:
            errors[f"policy.{key}"] = f"{problem}: {', '.join(bad)}"
        else:
            cleaned[key] = sorted(set(items))

    listed(
        "allowedCountries",
        _ALPHA3.fullmatch,
        "must be ISO 3166-1 alpha-3 codes (e.g. RUS, KAZ)",
        upper=True,
    )
    listed(
        "allowedDocumentTypes",
        DOCUMENT_TYPES.__contains__,
        f"must be among {', '.join(DOCUMENT_TYPES)}",
        upper=False,
    )
    kinds = tuple(option.kind for option in DOCUMENT_OPTIONS)
    listed(
        "allowedDocumentKinds", kinds.__contains__, f"must be among {', '.join(kinds)}", upper=False
    )
    if not errors:
        parsed = parse_policy(cleaned)
        if parsed.face_review_floor > parsed.face_match_threshold:
            errors["policy.faceReviewFloor"] = (
                f"must not be above faceMatchThreshold ({parsed.face_match_threshold})"
            )
    if errors:
        raise InvalidPolicy(errors, "The decision policy is invalid")
    return {key: value for key, value in cleaned.items() if value is not None}


def effective_policy(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The policy the decision applies: the merchant's fields over the defaults, in JSON."""
    policy = parse_policy(data)

    def codes(values: frozenset[str] | None) -> list[str] | None:
        return None if values is None else sorted(values)

    kinds = (data or {}).get("allowedDocumentKinds")
    return {
        "minimumAge": policy.minimum_age,
        "allowedCountries": codes(policy.allowed_countries),
        "allowedDocumentTypes": codes(policy.allowed_document_types),
        "allowedDocumentKinds": sorted(kinds) if isinstance(kinds, list) else None,
        "faceMatchThreshold": policy.face_match_threshold,
        "faceReviewFloor": policy.face_review_floor,
        "livenessThreshold": policy.liveness_threshold,
        "reviewBand": policy.review_band,
        "retakesAllowed": policy.retakes_allowed,
        "rejectDuplicates": policy.reject_duplicates,
        "fourEyes": requires_four_eyes(data),
        "noLiveCapture": policy.no_live_capture,
    }
