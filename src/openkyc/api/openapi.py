"""OpenAPI fragments: the signature headers and the bodies we parse by hand."""

from __future__ import annotations

from typing import Any

SIGNING_GUIDE = """
Every `/api/v2` request is signed (Love&Pay v2 scheme):

* `x-api-key`: your public key (`pk_live_…` or `pk_test_…`; test keys see only test data).
* `x-timestamp`: Unix time in **milliseconds**; accepted within ±300 s of the server clock.
* `x-signature`: lowercase hex `HMAC-SHA256(secretKey, METHOD + PATH + x-timestamp + sha256hex(body))`,
  where PATH is the URL path including `/api/v2` and **without** the query string, and the body
  hash is over the exact bytes sent (SHA-256 of the empty string for GET).

Example: secret `sk_test_example_secret`, timestamp `1706012345678`,
`GET /api/v2/kyc/sessions/550e8400-e29b-41d4-a716-446655440000` →
`b44d37a3e0d150577b0d32a6cffc20e299ef32400ca408e06f3dc8362977f195`.

A signed request is accepted once: the same key, method, path, timestamp, body and signature
seen again inside the window is refused with `REPLAYED_REQUEST`, whatever its `Host`,
`X-Forwarded-*` or query string (none of them is signed): give each request its own
timestamp. Errors use
`{"success": false, "error": {"code", "message", "requestId"}}`.
"""

SIGNED: dict[str, Any] = {
    "parameters": [
        {"name": "x-api-key", "in": "header", "required": True, "schema": {"type": "string"}},
        {
            "name": "x-timestamp",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "example": "1706012345678"},
        },
        {"name": "x-signature", "in": "header", "required": True, "schema": {"type": "string"}},
    ]
}

CREATE_SESSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "Every field is optional; null or empty means absent.",
                    "properties": {
                        "invoiceId": {"type": ["string", "null"], "format": "uuid"},
                        "customerEmail": {"type": ["string", "null"], "format": "email"},
                        "customerPhone": {
                            "type": ["string", "null"],
                            "example": "+79991234567",
                        },
                        "customerId": {"type": ["string", "null"], "maxLength": 255},
                        "callbackUrl": {"type": ["string", "null"], "format": "uri"},
                        # null (like an absent field) means the default.
                        "language": {"enum": ["ru", "en", "kk", None], "default": "ru"},
                    },
                }
            }
        },
    },
    "parameters": [
        *SIGNED["parameters"],
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Extension: the same key and body return the same session; "
            "another body is 409 IDEMPOTENCY_CONFLICT.",
        },
    ],
}
