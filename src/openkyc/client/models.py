from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


def _ts(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Verification:
    first_name: str | None
    last_name: str | None
    middle_name: str | None
    full_name: str | None
    date_of_birth: date | None
    document_type: str | None
    document_number: str | None
    document_country: str | None
    document_issued_at: date | None
    document_expires_at: date | None
    face_match_score: float | None
    liveness_score: float | None
    verified_at: datetime | None
    # Extension: the names' Latin (MRZ) form beside Cyrillic ones.
    first_name_latin: str | None = None
    last_name_latin: str | None = None
    middle_name_latin: str | None = None
    full_name_latin: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verification:
        return cls(
            first_name=data.get("firstName"),
            last_name=data.get("lastName"),
            middle_name=data.get("middleName"),
            full_name=data.get("fullName"),
            date_of_birth=_date(data.get("dateOfBirth")),
            document_type=data.get("documentType"),
            document_number=data.get("documentNumber"),
            document_country=data.get("documentCountry"),
            document_issued_at=_date(data.get("documentIssuedAt")),
            document_expires_at=_date(data.get("documentExpiresAt")),
            face_match_score=data.get("faceMatchScore"),
            liveness_score=data.get("livenessScore"),
            verified_at=_ts(data.get("verifiedAt")),
            first_name_latin=data.get("firstNameLatin"),
            last_name_latin=data.get("lastNameLatin"),
            middle_name_latin=data.get("middleNameLatin"),
            full_name_latin=data.get("fullNameLatin"),
        )


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    session_id: str
    status: str
    verification_url: str | None
    invoice_id: str | None
    customer_email: str | None
    customer_phone: str | None
    customer_id: str | None
    verification: Verification | None
    decline_reasons: tuple[str, ...]
    created_at: datetime | None
    expires_at: datetime | None
    raw: dict[str, Any]
    # Extension: {"status": "PENDING", "since": ...} while a person must decide, else None.
    review: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        verification = data.get("verification")
        return cls(
            id=data["id"],
            session_id=data["sessionId"],
            status=data["status"],
            verification_url=data.get("verificationUrl"),
            invoice_id=data.get("invoiceId"),
            customer_email=data.get("customerEmail"),
            customer_phone=data.get("customerPhone"),
            customer_id=data.get("customerId"),
            verification=Verification.from_json(verification) if verification else None,
            decline_reasons=tuple(data.get("declineReasons") or ()),
            created_at=_ts(data.get("createdAt")),
            expires_at=_ts(data.get("expiresAt")),
            raw=data,
            review=data.get("review"),
        )


@dataclass(frozen=True, slots=True)
class Pagination:
    total: int
    limit: int
    offset: int
    pages: int


@dataclass(frozen=True, slots=True)
class SessionList:
    data: tuple[Session, ...]
    pagination: Pagination
