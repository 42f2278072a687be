"""The Love&Pay v2 request signature.

``x-signature = hex(HMAC-SHA256(secret, METHOD + PATH + x-timestamp + sha256hex(raw body)))``
with PATH the URL path (``/api/v2/...``) without the query string. The query is not signed:
filters and pagination are unauthenticated parameters, as in the original API. Because the
query is not signed, the server treats two requests that differ only in their query as one
(the second is a replay): a client gives every request its own timestamp (:class:`Clock`).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

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


class Clock:
    """Unix milliseconds for ``x-timestamp``, strictly increasing within one client.

    Two requests signed in the same millisecond over the same path and body would carry the
    same signature, and the server accepts a signed request once.
    """

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def timestamp(self) -> str:
        with self._lock:
            self._last = max(int(time.time() * 1000), self._last + 1)
            return str(self._last)
