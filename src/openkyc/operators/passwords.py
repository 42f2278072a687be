"""Password hashing (Argon2id through argon2-cffi, RFC 9106's low-memory profile) and the
rules a new password must meet."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def burn_time(password: str) -> None:
    """Verify against a hash no password matches, so an unknown e-mail costs the same time
    as a wrong password and the answer's timing does not say which accounts exist."""
    verify_password(_dummy_hash(), password)


def generate_password() -> str:
    # 16 URL-safe characters, 96 bits: typed once, then replaced at the first sign-in.
    return secrets.token_urlsafe(12)


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, or None. Length over composition rules (NIST
    SP 800-63B): a long passphrase beats a short password with a digit and a symbol."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if len(set(password)) < 4:
        return "is too repetitive"
    return None
