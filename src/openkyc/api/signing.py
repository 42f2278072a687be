"""The Love&Pay v2 request signature.

``x-signature = hex(HMAC-SHA256(secret, METHOD + PATH + x-timestamp + sha256hex(raw body)))``
with PATH the URL path (``/api/v2/...``) without the query string. The query is not signed:
filters and pagination are unauthenticated parameters, as in the original API.
"""

from __future__ import annotations

import hashlib
import hmac

EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def string_to_sign(method: str, path: str, timestamp: str, body: bytes) -> str:
    return f"{method.upper()}{path}{timestamp}{body_hash(body)}"


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    message = string_to_sign(method, path, timestamp, body)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature_matches(
    secret: str, method: str, path: str, timestamp: str, body: bytes, received: str
) -> bool:
    expected = sign(secret, method, path, timestamp, body)
    # compare_digest on bytes: constant time, and a non-ASCII header cannot raise.
    return hmac.compare_digest(
        expected.encode(), received.strip().lower().encode("utf-8", "replace")
    )
