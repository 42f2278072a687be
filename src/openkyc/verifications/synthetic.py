"""What a test-mode session decided without captured media shows: an obviously synthetic
identity, document reading and checks, named as sandbox and never as a model."""

from __future__ import annotations

from datetime import date
from typing import Any

from openkyc.verification.decision import DecisionPolicy
from openkyc.verifications.models import VerificationCheck

# The face score of a sandbox review: inside the default review band (0.015-0.75).
SANDBOX_REVIEW_FACE = 0.62


def sandbox_checks(policy: DecisionPolicy) -> list[VerificationCheck]:
    """The checks of a sandbox review without captures: named as sandbox, never a model."""

    def check(
        name: str, passed: bool, score: float | None, threshold: float | None, reasons: list[str]
    ) -> VerificationCheck:
        return VerificationCheck(
            name=name,
            passed=passed,
            score=score,
            threshold=threshold,
            reasons=reasons,
            model_name="sandbox",
            model_version="1",
            duration_ms=0.0,
            detail={"sandbox": True},
        )

    return [
        check("document", True, None, None, []),
        check(
            "face_match",
            False,
            SANDBOX_REVIEW_FACE,
            policy.face_match_threshold,
            ["face_match_review"],
        ),
        check("liveness", True, 0.9, policy.liveness_threshold, []),
    ]


def sandbox_identity(face_score: float = 0.99) -> dict[str, Any]:
    """What a test-mode session decided without captured media shows: obviously synthetic."""
    return {
        "firstName": "Test",
        "lastName": "Sandbox",
        "middleName": None,
        "fullName": "Test Sandbox",
        "firstNameLatin": "Test",
        "lastNameLatin": "Sandbox",
        "middleNameLatin": None,
        "fullNameLatin": "Test Sandbox",
        "dateOfBirth": date(1990, 1, 15).isoformat(),
        "documentType": "passport",
        "documentNumber": "000001234",
        "documentCountry": "UTO",
        "documentIssuedAt": None,
        "documentExpiresAt": None,
        "faceMatchScore": face_score,
        "livenessScore": 0.99,
    }


def sandbox_reading(candidate: dict[str, Any]) -> dict[str, Any]:
    """The document a sandbox review without captures shows: the synthetic identity's own
    fields, each marked as coming from the sandbox."""
    fields = [
        {
            "name": name,
            "value": candidate[key],
            "source": "sandbox",
            "printed": None,
            "checkDigit": None,
        }
        for key, name in (
            ("lastName", "surname"),
            ("firstName", "given_names"),
            ("documentNumber", "number"),
            ("documentCountry", "issuing_country"),
            ("dateOfBirth", "birth_date"),
        )
        if candidate.get(key)
    ]
    return {
        "kind": "sandbox",
        "valid": True,
        "mrzLines": [],
        "fields": fields,
        "checkDigits": [],
        "portraitBox": None,
        "mrzSide": None,
        "nameConfirmed": False,
    }
