"""RFC 6238 time-based one-time passwords (pyotp): 6 digits, 30-second steps, SHA-1 (what
every authenticator app reads from the QR code), one step of clock drift either way."""

from __future__ import annotations

import time
import uuid

import pyotp

from openkyc.encryption import Keyring

ISSUER = "OpenKYC"
STEP_S = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, RFC 4226's recommendation


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(
    secret: str, code: str, *, after_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to (within the allowed drift), or None. A step at or
    before ``after_step`` (the last one accepted) is refused, so a code works once."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_S)
    current = int((now if now is not None else time.time()) // STEP_S)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _aad(operator_id: uuid.UUID) -> bytes:
    return b"operator-totp:" + operator_id.bytes


def seal(keyring: Keyring, operator_id: uuid.UUID, secret: str) -> bytes:
    return keyring.encrypt(secret.encode(), _aad(operator_id))


def open_secret(keyring: Keyring, operator_id: uuid.UUID, ciphertext: bytes) -> str:
    return keyring.decrypt(ciphertext, _aad(operator_id)).decode()
