import base64
import secrets

import pytest

from openkyc.config import Environment, Settings
from openkyc.encryption import DecryptionError, Keyring


def _key() -> bytes:
    return secrets.token_bytes(32)


def test_round_trip_and_ciphertext_hides_plaintext() -> None:
    ring = Keyring("k1", {"k1": _key()})
    sealed = ring.encrypt(b"sk_live_secret", b"row-1")
    assert b"sk_live_secret" not in sealed
    assert ring.decrypt(sealed, b"row-1") == b"sk_live_secret"


def test_ciphertext_is_bound_to_its_row() -> None:
    ring = Keyring("k1", {"k1": _key()})
    sealed = ring.encrypt(b"value", b"row-1")
    with pytest.raises(DecryptionError):
        ring.decrypt(sealed, b"row-2")


def test_tampering_is_detected() -> None:
    ring = Keyring("k1", {"k1": _key()})
    sealed = bytearray(ring.encrypt(b"value", b"aad"))
    sealed[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt(bytes(sealed), b"aad")


def test_rotation_keeps_old_ciphertexts_readable() -> None:
    old, new = _key(), _key()
    sealed_under_old = Keyring("k1", {"k1": old}).encrypt(b"value", b"aad")
    rotated = Keyring("k2", {"k1": old, "k2": new})
    assert rotated.decrypt(sealed_under_old, b"aad") == b"value"
    assert rotated.key_id_of(rotated.encrypt(b"value", b"aad")) == "k2"
    with pytest.raises(DecryptionError):
        Keyring("k2", {"k2": new}).decrypt(sealed_under_old, b"aad")


def test_production_refuses_missing_or_placeholder_master_key() -> None:
    for key in (None, "changeme", "", "not-base64!!"):
        with pytest.raises(ValueError, match="MASTER_KEY"):
            Settings(
                _env_file=None,  # type: ignore[call-arg]
                env=Environment.PRODUCTION,
                master_key=key,
                database_url="postgresql+asyncpg://x/y",
            )


def test_production_accepts_a_real_key() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env=Environment.PRODUCTION,
        master_key=base64.b64encode(_key()).decode(),
        database_url="postgresql+asyncpg://x/y",
    )
    assert settings.is_production


def test_development_generates_a_private_master_key(tmp_path: object) -> None:
    from pathlib import Path

    data_dir = Path(str(tmp_path)) / "var"
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    active, keys = settings.master_keys()
    key_file = data_dir / "master.key"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Settings(_env_file=None, data_dir=data_dir).master_keys() == (active, keys)  # type: ignore[call-arg]
