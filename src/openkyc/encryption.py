"""Envelope encryption under the master key (AES-256-GCM, with a key id so the key can rotate).

Ciphertext layout: ``b"v1." + key_id + b"." + nonce(12) + ciphertext||tag``. The associated
data binds a ciphertext to the row and purpose it was written for, so a value copied into
another row or column fails to decrypt instead of being silently accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = b"v1."
_NONCE = 12


class DecryptionError(Exception):
    """The ciphertext is corrupt, bound to other data, or under a key we no longer hold."""


class Keyring:
    def __init__(self, active_key_id: str, keys: Mapping[str, bytes]) -> None:
        if active_key_id not in keys:
            raise ValueError("the active key id must be among the keys")
        if any(b"." in key_id.encode() for key_id in keys):
            raise ValueError("key ids may not contain '.'")
        self._active = active_key_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        # Keys for search hashes, derived so that no AES key is ever used as an HMAC key.
        self._hash_keys = {
            key_id: hmac.new(key, b"openkyc.search-hash", hashlib.sha256).digest()
            for key_id, key in keys.items()
        }

    @property
    def active_key_id(self) -> str:
        return self._active

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self._active].encrypt(nonce, plaintext, associated_data)
        return _PREFIX + self._active.encode() + b"." + nonce + sealed

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        if not ciphertext.startswith(_PREFIX):
            raise DecryptionError("unknown ciphertext format")
        key_id, sep, rest = ciphertext[len(_PREFIX) :].partition(b".")
        cipher = self._ciphers.get(key_id.decode(errors="replace"))
        if not sep or cipher is None or len(rest) <= _NONCE:
            raise DecryptionError("ciphertext under an unknown key")
        try:
            return cipher.decrypt(rest[:_NONCE], rest[_NONCE:], associated_data)
        except InvalidTag as exc:
            raise DecryptionError("ciphertext failed authentication") from exc

    def search_hash(self, purpose: str, value: str) -> str:
        """A keyed hash (HMAC-SHA256 under a key derived from the active master key) that
        finds an exact value without decrypting anything; without the key a table dump
        cannot be searched by guessing e-mails or document numbers."""
        return self._search_hash(self._active, purpose, value)

    def search_hashes(self, purpose: str, value: str) -> list[str]:
        """The value's hash under every key held: rows indexed before a key rotation are
        still found."""
        return [self._search_hash(key_id, purpose, value) for key_id in self._hash_keys]

    def _search_hash(self, key_id: str, purpose: str, value: str) -> str:
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self._hash_keys[key_id], message, hashlib.sha256).hexdigest()

    def key_id_of(self, ciphertext: bytes) -> str:
        return ciphertext[len(_PREFIX) :].partition(b".")[0].decode(errors="replace")


def generate_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
