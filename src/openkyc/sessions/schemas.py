"""Wire shapes of the Love&Pay v2 session object, and validation of what merchants send."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from openkyc.errors import ValidationFailed

LANGUAGES = ("ru", "en", "kk")
_MAX_LENGTHS = {"customerId": 255, "customerEmail": 254, "callbackUrl": 2048}


@dataclass(frozen=True, slots=True)
class CreateSessionRequest:
    invoice_id: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_id: str | None = None
    callback_url: str | None = None
    language: str = "ru"

    def fingerprint(self) -> dict[str, str | None]:
        """What an idempotent replay must repeat exactly (normalised values)."""
        return {
            "invoiceId": self.invoice_id,
            "customerEmail": self.customer_email,
            "customerPhone": self.customer_phone,
            "customerId": self.customer_id,
            "callbackUrl": self.callback_url,
            "language": self.language,
        }


def parse_create_request(raw: bytes) -> CreateSessionRequest:
    """Validate a create-session body; every bad field is named. Unknown fields are ignored."""
    if not raw.strip():
        return CreateSessionRequest()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed({"body": "malformed JSON"}) from None
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "must be a JSON object"})

    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def text(field: str) -> str | None:
        value = body.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            errors[field] = "must be a string"
            return None
        value = value.strip()
        limit = _MAX_LENGTHS.get(field)
        if limit is not None and len(value) > limit:
            errors[field] = f"must be at most {limit} characters"
            return None
        if "\x00" in value:
            errors[field] = "must not contain NUL characters"
            return None
        return value or None

    if (invoice := text("invoiceId")) is not None:
        try:
            values["invoice_id"] = str(uuid.UUID(invoice))
        except ValueError:
            errors["invoiceId"] = "must be a UUID"
    if (email := text("customerEmail")) is not None:
        try:
            values["customer_email"] = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["customerEmail"] = f"is not a valid e-mail address ({exc})"
    if (phone := text("customerPhone")) is not None:
        normalised = normalise_phone(phone)
        if normalised is None:
            errors["customerPhone"] = (
                "must be a valid international number in E.164, e.g. +79991234567"
            )
        else:
            values["customer_phone"] = normalised
    if (customer_id := text("customerId")) is not None:
        values["customer_id"] = customer_id
    if (callback := text("callbackUrl")) is not None:
        if _is_absolute_http_url(callback):
            values["callback_url"] = callback
        else:
            errors["callbackUrl"] = "must be an absolute http(s) URL"
    language = body.get("language")
    if language is not None:
        if not isinstance(language, str) or language not in LANGUAGES:
            errors["language"] = "must be one of ru, en, kk"
        else:
            values["language"] = language
    if errors:
        raise ValidationFailed(errors)
    return CreateSessionRequest(**values)


def normalise_phone(value: str) -> str | None:
    if not value.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    formatted: str = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def _is_absolute_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def format_timestamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def format_date(value: date | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def mask_document_number(number: str | None) -> str | None:
    if not number:
        return None
    return "****" + number[-4:]
