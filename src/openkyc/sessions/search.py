"""Exact search over encrypted personal fields through keyed hashes stored beside them.

The e-mail, phone and document number are stored only encrypted; each also gets a keyed
hash (``Keyring.search_hash``) in its own indexed column, so an operator can find the session
of one exact value without decrypting the table. Values are normalised first, so that the
way an operator types a value does not matter: e-mails lower-cased, phones in E.164, document
numbers upper-cased without spaces, dashes or the MRZ filler.
"""

from __future__ import annotations

import re

from openkyc.encryption import Keyring
from openkyc.sessions.models import Contact, KycSession
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
