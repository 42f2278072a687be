"""The session object exactly as Love&Pay v2 returns it (full for GET one, reduced for lists)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openkyc.sessions.models import Contact, KycSession, SessionStatus, VerificationData
from openkyc.sessions.schemas import format_timestamp, mask_document_number


def effective_status(session: KycSession, now: datetime) -> SessionStatus:
    status = SessionStatus(session.status)
    if (
        status in (SessionStatus.NOT_STARTED, SessionStatus.IN_PROGRESS)
        and session.submitted_at is None
        and session.expires_at <= now
    ):
        return SessionStatus.EXPIRED
    return status


def verification_url(public_url: str, session: KycSession) -> str:
    return f"{public_url.rstrip('/')}/verify/{session.id}"


def full_verification(data: VerificationData | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {
        "firstName": data.get("firstName"),
        "lastName": data.get("lastName"),
        "middleName": data.get("middleName"),
        "fullName": data.get("fullName"),
        # Extension: the Latin form of the names (the MRZ's) beside Cyrillic ones.
        "firstNameLatin": data.get("firstNameLatin"),
        "lastNameLatin": data.get("lastNameLatin"),
        "middleNameLatin": data.get("middleNameLatin"),
        "fullNameLatin": data.get("fullNameLatin"),
        "dateOfBirth": data.get("dateOfBirth"),
        "documentType": data.get("documentType"),
        "documentNumber": mask_document_number(data.get("documentNumber")),
        "documentCountry": data.get("documentCountry"),
        "documentIssuedAt": data.get("documentIssuedAt"),
        "documentExpiresAt": data.get("documentExpiresAt"),
        "faceMatchScore": data.get("faceMatchScore"),
        "livenessScore": data.get("livenessScore"),
        "verifiedAt": data.get("verifiedAt"),
    }


def reduced_verification(data: VerificationData | None) -> dict[str, Any] | None:
    if data is None:
        return None
    keys = (
        "firstName",
        "lastName",
        "fullName",
        "firstNameLatin",
        "lastNameLatin",
        "fullNameLatin",
        "dateOfBirth",
        "documentType",
        "documentCountry",
        "faceMatchScore",
        "livenessScore",
        "verifiedAt",
    )
    return {key: data.get(key) for key in keys}


def review_state(pending_since: datetime | None) -> dict[str, Any] | None:
    """Extension: a session waiting for a person reads ``{"status": "PENDING", "since"}``
    (it stays ``IN_PROGRESS`` with ``verification: null`` meanwhile); null otherwise."""
    if pending_since is None:
        return None
    return {"status": "PENDING", "since": format_timestamp(pending_since)}


def created_session(session: KycSession, contact: Contact, public_url: str) -> dict[str, Any]:
    """The create response: no ``verification`` key, as in the reference example."""
    return {
        "id": str(session.id),
        "sessionId": f"verification-{session.id}",
        "status": session.status,
        "verificationUrl": verification_url(public_url, session),
        "invoiceId": session.invoice_id,
        "customerEmail": contact.email,
        "customerPhone": contact.phone,
        "customerId": session.customer_id,
        "expiresAt": format_timestamp(session.expires_at),
        "createdAt": format_timestamp(session.created_at),
    }


def full_session(
    session: KycSession,
    contact: Contact,
    verification: VerificationData | None,
    public_url: str,
    now: datetime,
    review_since: datetime | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(session.id),
        "sessionId": f"verification-{session.id}",
        "invoiceId": session.invoice_id,
        "customerId": session.customer_id,
        "customerEmail": contact.email,
        "customerPhone": contact.phone,
        "status": effective_status(session, now).value,
        "verificationUrl": verification_url(public_url, session),
        "verification": full_verification(verification),
        "review": review_state(review_since),
        "expiresAt": format_timestamp(session.expires_at),
        "createdAt": format_timestamp(session.created_at),
    }
    if session.decline_reasons:
        # Extension: stable reason codes of a decline, never raw scores.
        body["declineReasons"] = list(session.decline_reasons)
    return body


def list_item(
    session: KycSession,
    contact: Contact,
    verification: VerificationData | None,
    now: datetime,
    review_since: datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": str(session.id),
        "sessionId": f"verification-{session.id}",
        "invoiceId": session.invoice_id,
        "customerId": session.customer_id,
        "customerEmail": contact.email,
        "customerPhone": contact.phone,
        "status": effective_status(session, now).value,
        "verification": reduced_verification(verification),
        "review": review_state(review_since),
        "createdAt": format_timestamp(session.created_at),
    }
