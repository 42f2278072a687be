"""Keyed hashes beside the encrypted e-mail, phone and document number."""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import uuid
from pathlib import Path

import pytest

from openkyc.config import Settings
from openkyc.db import migrate
from openkyc.encryption import Keyring
from openkyc.sessions import search
from openkyc.sessions.models import KycSession, contact_aad, verification_aad
from openkyc.state import AppState, build_keyring
from openkyc.verifications.service import VerificationService
from tests.reviews.factories import in_review
from tests.support import MerchantInfo
from tests.verifications.factories import load_session


def test_values_are_normalised_before_hashing() -> None:
    assert search.normalise(search.EMAIL, " Client@Example.ORG ") == "client@example.org"
    assert search.normalise(search.EMAIL, "no-at-sign") is None
    assert search.normalise(search.PHONE, "+7 (701) 123-45-67") == "+77011234567"
    assert search.normalise(search.PHONE, "77011234567") == "+77011234567"
    assert search.normalise(search.PHONE, "12") is None
    assert search.normalise(search.DOCUMENT, "45 06-123456<") == "4506123456"


def test_a_hash_is_keyed_and_found_after_a_key_rotation() -> None:
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    before = Keyring("k1", {"k1": old})
    after = Keyring("k2", {"k1": old, "k2": new})
    stored = before.search_hash(search.EMAIL, "a@example.org")
    assert stored != Keyring("k1", {"k1": new}).search_hash(search.EMAIL, "a@example.org")
    assert stored in search.probes(after, search.EMAIL, "A@example.org")
    # The purpose separates kinds: an e-mail hash never matches a document probe.
    assert stored not in search.probes(before, search.DOCUMENT, "a@example.org")


async def test_new_sessions_carry_the_hashes_and_redaction_clears_them(
    state: AppState, merchant: MerchantInfo
) -> None:
    from openkyc.db.session import unit_of_work
    from openkyc.retention.service import RetentionService

    session_id = await in_review(
        state, merchant.id, customer_email="client@example.org", customer_phone="+77011234567"
    )
    stored = await load_session(state, session_id)
    keyring = state.keyring
    assert stored.email_hash in search.probes(keyring, search.EMAIL, "CLIENT@example.org")
    assert stored.phone_hash in search.probes(keyring, search.PHONE, "+7 701 123 45 67")
    # The run knew the (synthetic) document number, whatever the outcome.
    assert stored.document_hash in search.probes(keyring, search.DOCUMENT, "000001234")
    assert b"client@example.org" not in (stored.contact_ciphertext or b"")

    async with unit_of_work(state.sessionmaker) as db:
        await VerificationService(db, state).review(session_id, decision="decline", operator="x")
    async with unit_of_work(state.sessionmaker) as db:
        locked = await db.get(KycSession, session_id)
        assert locked is not None
        await RetentionService(db, state).erase_session(locked, actor_type="operator", actor_id="d")
    erased = await load_session(state, session_id)
    assert (erased.email_hash, erased.phone_hash, erased.document_hash) == (None, None, None)


def test_the_migration_backfills_the_hashes_of_existing_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("OPENKYC_MASTER_KEY", key)
    monkeypatch.setenv("OPENKYC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env
    keyring = build_keyring(Settings(_env_file=None))
    database = tmp_path / "m.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{database}", "0006")
    merchant_id, session_id = uuid.uuid4(), uuid.uuid4()
    contact = keyring.encrypt(
        json.dumps({"email": "old@example.org", "phone": None}).encode(), contact_aad(session_id)
    )
    identity = keyring.encrypt(
        json.dumps({"documentNumber": "751234567"}).encode(), verification_aad(session_id)
    )
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO merchants (id, name, active, policy, created_at)"
            " VALUES (?, 'm', 1, '{}', '2026-01-01')",
            (merchant_id.hex,),
        )
        connection.execute(
            "INSERT INTO kyc_sessions (id, merchant_id, mode, status, contact_ciphertext,"
            " verification_ciphertext, language, legal_hold, expires_at, updated_at, created_at)"
            " VALUES (?, ?, 'live', 'APPROVED', ?, ?, 'ru', 0, '2026-01-01', '2026-01-01',"
            " '2026-01-01')",
            (session_id.hex, merchant_id.hex, contact, identity),
        )
    migrate.upgrade(f"sqlite+aiosqlite:///{database}")
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT email_hash, phone_hash, document_hash FROM kyc_sessions"
        ).fetchone()
    assert row == (
        keyring.search_hash(search.EMAIL, "old@example.org"),
        None,
        keyring.search_hash(search.DOCUMENT, "751234567"),
    )
