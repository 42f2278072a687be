"""API key material: generation, hashing, and the encrypted storage of secrets."""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from dataclasses import dataclass

from openkyc.encryption import Keyring

MODES = ("live", "test")
# What a key may call: sessions (create, read, list, erase, simulate), webhooks (endpoints and
# deliveries), media (the evidence API). Keys made before scopes existed, and keys made without
# --scope, have the first two: today's behaviour, minus media.
SCOPES = ("sessions", "webhooks", "media")
DEFAULT_SCOPES = ("sessions", "webhooks")


def parse_scopes(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Scopes from "sessions,media" or a list, in canonical order; ValueError names the bad."""
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted = {item.strip() for item in items if item.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}; choose from {', '.join(SCOPES)}")
    if not wanted:
        raise ValueError(f"at least one scope of {', '.join(SCOPES)}")
    return tuple(scope for scope in SCOPES if scope in wanted)


_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class KeyPair:
    api_key: str
    secret_key: str


def random_token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_key_pair(mode: str) -> KeyPair:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    return KeyPair(
        api_key=f"pk_{mode}_{random_token(32)}", secret_key=f"sk_{mode}_{random_token(40)}"
    )


def hash_public_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8", errors="surrogateescape")).hexdigest()


def hint(api_key: str) -> str:
    prefix = api_key[: len("pk_live_")]
    return f"{prefix}…{api_key[-4:]}"


def mode_of(api_key: str) -> str | None:
    for mode in MODES:
        if api_key.startswith(f"pk_{mode}_"):
            return mode
    return None


def _secret_aad(key_id: uuid.UUID) -> bytes:
    return b"api_key.secret:" + key_id.bytes


def seal_secret(keyring: Keyring, key_id: uuid.UUID, secret: str) -> bytes:
    return keyring.encrypt(secret.encode(), _secret_aad(key_id))


def open_secret(keyring: Keyring, key_id: uuid.UUID, ciphertext: bytes) -> str:
    return keyring.decrypt(ciphertext, _secret_aad(key_id)).decode()
