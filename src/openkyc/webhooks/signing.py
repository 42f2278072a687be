"""Both signature schemes on every delivery.

Love&Pay: ``x-webhook-signature: sha256=<hex HMAC-SHA256(secret, raw body)>`` (the timestamp is
not signed, so it cannot stop replays). Standard Webhooks: ``webhook-signature:
v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`` with ``webhook-timestamp`` in seconds,
which a receiver can check against a window. The Standard Webhooks key is the base64 part of a
``whsec_`` secret (so its libraries verify our generated secrets as-is); a secret that is not
``whsec_`` + base64 is used as UTF-8 bytes, like Love&Pay does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105  # a prefix, not a secret


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def lovepay_signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def standard_key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def standard_signature(secret: str, message_id: str, timestamp_s: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp_s}.".encode() + body
    digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secret: str, event_id: str, body: bytes, *, now_ms: int, user_agent: str
) -> dict[str, str]:
    timestamp_s = now_ms // 1000
    return {
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        "x-webhook-id": event_id,
        "x-webhook-timestamp": str(now_ms),
        "x-webhook-signature": lovepay_signature(secret, body),
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp_s),
        "webhook-signature": standard_signature(secret, event_id, timestamp_s, body),
    }
