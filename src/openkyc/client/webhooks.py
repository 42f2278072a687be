"""Verify webhooks from OpenKYC (or Love&Pay) on the receiving side.

    from openkyc.client import WebhookVerifier, WebhookVerificationError

    verifier = WebhookVerifier("whsec_…")
    try:
        event = verifier.verify(raw_body, request.headers)   # the raw bytes, not re-serialised JSON
    except WebhookVerificationError:
        return 400

Two schemes arrive on every delivery. Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) signs the id and the timestamp too, so :meth:`WebhookVerifier.verify`
prefers it and rejects a timestamp outside ``tolerance_s`` (a replayed request). Love&Pay's
``x-webhook-signature: sha256=<hex>`` signs the body only; it is used when the Standard
headers are absent, and it cannot detect replays: deduplicate on the event ``id``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """The request is not a genuine, fresh webhook: answer 400 and do not act on it."""


def verify_lovepay_signature(secret: str, body: bytes, signature: str) -> bool:
    """``x-webhook-signature``: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def _standard_key(secret: str) -> bytes:
    if secret.startswith(_PREFIX):
        try:
            return base64.b64decode(secret[len(_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def verify_standard_signature(
    secret: str, body: bytes, message_id: str, timestamp: str, signatures: str
) -> bool:
    """``webhook-signature``: space-separated ``v1,<base64>`` over ``id.timestamp.body``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(
        hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()
    ).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(expected, value):
            return True
    return False


class WebhookVerifier:
    def __init__(self, secret: str, *, tolerance_s: int = 300) -> None:
        self.secret = secret
        self.tolerance_s = tolerance_s

    def verify(
        self, body: bytes, headers: Mapping[str, str], *, now: float | None = None
    ) -> dict[str, Any]:
        """The event as a dict, or :class:`WebhookVerificationError`."""
        lowered = {key.lower(): value for key, value in headers.items()}
        if "webhook-signature" in lowered:
            message_id = lowered.get("webhook-id", "")
            timestamp = lowered.get("webhook-timestamp", "")
            if not message_id or not (timestamp.isascii() and timestamp.isdigit()):
                raise WebhookVerificationError("webhook-id and webhook-timestamp are required")
            moment = time.time() if now is None else now
            if abs(moment - int(timestamp)) > self.tolerance_s:
                raise WebhookVerificationError("webhook-timestamp is outside the allowed window")
            if not verify_standard_signature(
                self.secret, body, message_id, timestamp, lowered["webhook-signature"]
            ):
                raise WebhookVerificationError("webhook-signature does not match")
        elif "x-webhook-signature" in lowered:
            if not verify_lovepay_signature(self.secret, body, lowered["x-webhook-signature"]):
                raise WebhookVerificationError("x-webhook-signature does not match")
        else:
            raise WebhookVerificationError("no webhook signature header")
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise WebhookVerificationError("the body is not JSON") from None
        if not isinstance(event, dict):
            raise WebhookVerificationError("the body is not a JSON object")
        return event
