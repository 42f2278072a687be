"""Exact search over encrypted personal fields through keyed hashes stored beside them.

The e-mail, phone and document number are stored only encrypted; each also gets a keyed
hash (``Keyring.search_hash``) in its own indexed column, so an operator can find the session
of one exact value without decrypting the table. Values are normalised first, so that the
way an operator types a value does not matter: e-mails lower-cased, phones in E.164, document
numbers upper-cased without spaces, dashes or the MRZ filler.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.db.base import utcnow
from openkyc.digits import parse_ascii_int
from openkyc.encryption import Keyring
from openkyc.errors import ValidationFailed
from openkyc.sessions.models import Contact, KycSession, SessionStatus
from openkyc.sessions.repository import SessionQuery, SessionSearchRepository
from openkyc.sessions.schemas import normalise_phone

EMAIL, PHONE, DOCUMENT = "email", "phone", "document"
_DOCUMENT_NOISE = re.compile(r"[\s\-<./]+")


def normalise(kind: str, value: str) -> str | None:
    """The canonical form of a searched value, or None when it cannot be one."""
    value = value.strip()
    if not value:
        return None
    if kind == EMAIL:
        return value.lower() if "@" in value else None
    if kind == PHONE:
        compact = re.sub(r"[\s\-()]", "", value)
        return normalise_phone(compact if compact.startswith("+") else "+" + compact)
    if kind == DOCUMENT:
        return _DOCUMENT_NOISE.sub("", value).upper() or None
    raise ValueError(kind)


def index_contact(keyring: Keyring, kyc_session: KycSession, contact: Contact) -> None:
    kyc_session.email_hash = _hash(keyring, EMAIL, contact.email)
    kyc_session.phone_hash = _hash(keyring, PHONE, contact.phone)


def index_document(keyring: Keyring, kyc_session: KycSession, number: object) -> None:
    if isinstance(number, str) and number:
        kyc_session.document_hash = _hash(keyring, DOCUMENT, number)


def forget(kyc_session: KycSession) -> None:
    """Redaction: once the values are gone, the session must not be found by them either."""
    kyc_session.email_hash = None
    kyc_session.phone_hash = None
    kyc_session.document_hash = None


def probes(keyring: Keyring, kind: str, value: str) -> list[str]:
    """What to look for: the value's hash under every master key held (none if invalid)."""
    canonical = normalise(kind, value)
    return keyring.search_hashes(kind, canonical) if canonical else []


def _hash(keyring: Keyring, kind: str, value: str | None) -> str | None:
    canonical = normalise(kind, value) if value else None
    return keyring.search_hash(kind, canonical) if canonical else None


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: Sequence[tuple[KycSession, str]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


_HASH_COLUMNS = {EMAIL: "email_hash", PHONE: "phone_hash", DOCUMENT: "document_hash"}
_MAX_TEXT = 255


class SessionFinder:
    """An operator's search over sessions: filters on plain columns, and exact e-mail, phone
    or document number through their keyed hashes (never by decrypting the table)."""

    PER_PAGE = 50

    def __init__(self, db: AsyncSession, keyring: Keyring) -> None:
        self.keyring = keyring
        self.repository = SessionSearchRepository(db)

    def parse(
        self, params: Mapping[str, str], merchant_ids: frozenset[uuid.UUID] | None
    ) -> tuple[SessionQuery, int]:
        """The query and page number from form values; a bad value is a 400 naming it."""
        errors: dict[str, str] = {}

        def text(name: str) -> str | None:
            value = (params.get(name) or "").strip()
            if len(value) > _MAX_TEXT or "\x00" in value:
                errors[name] = f"must be at most {_MAX_TEXT} characters"
                return None
            return value or None

        def identifier(name: str) -> uuid.UUID | None:
            value = text(name)
            if value is None:
                return None
            try:
                return uuid.UUID(value.removeprefix("verification-"))
            except ValueError:
                errors[name] = "must be a session id (UUID)"
                return None

        def day(name: str) -> date | None:
            value = text(name)
            if value is None:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                errors[name] = "must be a date, YYYY-MM-DD"
                return None

        status: SessionStatus | None = None
        if (raw_status := text("status")) is not None:
            if raw_status not in SessionStatus.__members__:
                errors["status"] = "must be one of " + ", ".join(SessionStatus.__members__)
            else:
                status = SessionStatus(raw_status)
        mode = text("mode")
        if mode is not None and mode not in ("live", "test"):
            errors["mode"] = "must be live or test"
        hashes: list[tuple[str, tuple[str, ...]]] = []
        for kind, column in _HASH_COLUMNS.items():
            value = text(kind)
            if value is None:
                continue
            found = probes(self.keyring, kind, value)
            if not found:
                errors[kind] = f"is not a valid {kind}"
            hashes.append((column, tuple(found)))
        date_from, date_to = day("from"), day("to")
        if date_from and date_to and date_to < date_from:
            errors["to"] = "must not be before from"
        page = 1
        if (raw_page := text("page")) is not None:
            parsed_page = parse_ascii_int(raw_page, max_digits=6)
            if parsed_page is None or not 1 <= parsed_page <= 100_000:
                errors["page"] = "must be a positive whole number"
            else:
                page = parsed_page
        query = SessionQuery(
            merchant_ids=merchant_ids,
            status=status,
            merchant_id=identifier("merchant"),
            mode=mode,
            created_from=_midnight(date_from) if date_from else None,
            created_before=_midnight(date_to + timedelta(days=1)) if date_to else None,
            session_id=identifier("session"),
            customer_id=text("customerId"),
            hashes=tuple(hashes),
        )
        if errors:
            raise ValidationFailed(errors)
        return query, page

    async def find(self, query: SessionQuery, page: int) -> SearchPage:
        items, total = await self.repository.search(
            query, now=utcnow(), limit=self.PER_PAGE, offset=(page - 1) * self.PER_PAGE
        )
        return SearchPage(items, total, page, self.PER_PAGE)

    @staticmethod
    def personal_kinds(query: SessionQuery) -> list[str]:
        """Which personal values a search used (for the audit row; never the values)."""
        named = {column: kind for kind, column in _HASH_COLUMNS.items()}
        return [named[column] for column, _ in query.hashes]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
