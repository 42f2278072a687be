"""What the deterministic sandbox is asked for: a simulate call's body, or a magic
``customerId`` suffix of a test session (the table is in the README). Pure: the decision
itself goes through ``VerificationService`` (see ``openkyc.verifications.sandbox``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from openkyc.errors import ValidationFailed
from openkyc.verification import decision as rules

SIMULATED_OUTCOMES = ("approve", "decline", "review", "retake", "expire")
# "+approve", "+decline", "+decline_DOCUMENT_EXPIRED", "+decline_UNDERAGE,NO_FACE", "+review",
# "+retake" at the end of a test session's customerId.
_MAGIC = re.compile(r"\+(approve|review|retake|decline)(?:_([A-Z_,]+))?$")


@dataclass(frozen=True, slots=True)
class Simulation:
    outcome: str
    reasons: tuple[str, ...] = ()


def _reasons(codes: Sequence[str], field: str) -> tuple[str, ...]:
    unknown = [code for code in codes if code not in rules.DECISION_CODES]
    if unknown:
        known = ", ".join(rules.DECISION_CODES)
        raise ValidationFailed(
            {field: f"unknown reason codes {', '.join(unknown)}; known: {known}"}
        )
    return tuple(dict.fromkeys(codes))


def parse_simulation(outcome: object, decline_reasons: object) -> Simulation:
    """The body of a simulate call, or 400 naming the bad field."""
    if not isinstance(outcome, str) or outcome not in SIMULATED_OUTCOMES:
        raise ValidationFailed({"outcome": f"must be one of {', '.join(SIMULATED_OUTCOMES)}"})
    if decline_reasons is None:
        return Simulation(outcome)
    if not isinstance(decline_reasons, list) or not all(
        isinstance(code, str) for code in decline_reasons
    ):
        raise ValidationFailed({"declineReasons": "must be a list of reason codes"})
    if decline_reasons and outcome != "decline":
        raise ValidationFailed({"declineReasons": "only with the outcome decline"})
    return Simulation(outcome, _reasons(decline_reasons, "declineReasons"))


def magic_simulation(customer_id: str | None) -> Simulation | None:
    """The outcome a test session's ``customerId`` asks for, None when it asks for none;
    an unknown reason code after ``+decline_`` is a 400 naming ``customerId``."""
    match = _MAGIC.search(customer_id or "")
    if match is None:
        return None
    outcome, codes = match.group(1), match.group(2)
    if codes is None:
        return Simulation(outcome)
    if outcome != "decline":
        return None  # "+review_X" is not magic: an ordinary id
    return Simulation(outcome, _reasons([code for code in codes.split(",") if code], "customerId"))
