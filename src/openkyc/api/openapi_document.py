"""The OpenAPI document, completed: what FastAPI cannot infer from handlers that parse their
own bodies. Every signed operation declares the signature as security schemes, its error
responses with the envelope, and a typed 2xx body; the webhook registration bodies are typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_NULLABLE_STRING = {"type": ["string", "null"]}
_TIMESTAMP = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["success", "error"],
        "properties": {
            "success": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message", "requestId"],
                "properties": {
                    "code": {"type": "string", "example": "INVALID_SIGNATURE"},
                    "message": {"type": "string"},
                    "requestId": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "Extension: what is wrong with each invalid field.",
                    },
                },
            },
        },
    },
    "Verification": {
        "type": ["object", "null"],
        "description": "The identity read and checked; null until the session is decided.",
        "additionalProperties": True,
        "properties": {
            "firstName": _NULLABLE_STRING,
            "lastName": _NULLABLE_STRING,
            "fullName": _NULLABLE_STRING,
            "dateOfBirth": _NULLABLE_STRING,
            "documentType": _NULLABLE_STRING,
            "documentCountry": _NULLABLE_STRING,
            "faceMatchScore": {"type": ["number", "null"]},
            "livenessScore": {"type": ["number", "null"]},
            "verifiedAt": _NULLABLE_STRING,
        },
    },
    "Session": {
        "type": "object",
        "required": ["id", "sessionId", "status", "createdAt"],
        "additionalProperties": True,
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "sessionId": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["NOT_STARTED", "IN_PROGRESS", "APPROVED", "DECLINED", "EXPIRED"],
            },
            "verificationUrl": {"type": "string"},
            "invoiceId": _NULLABLE_STRING,
            "customerId": _NULLABLE_STRING,
            "customerEmail": _NULLABLE_STRING,
            "customerPhone": _NULLABLE_STRING,
            "verification": {"$ref": "#/components/schemas/Verification"},
            "review": {"type": ["object", "null"]},
            "expiresAt": _TIMESTAMP,
            "createdAt": _TIMESTAMP,
        },
    },
    "SessionEnvelope": {
        "type": "object",
        "required": ["success", "session"],
        "properties": {
            "success": {"const": True},
            "session": {"$ref": "#/components/schemas/Session"},
        },
    },
    "SessionPage": {
        "type": "object",
        "required": ["success", "data", "pagination"],
        "properties": {
            "success": {"const": True},
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}},
            "pagination": {
                "type": "object",
                "required": ["total", "limit", "offset", "pages"],
                "properties": {
                    name: {"type": "integer", "minimum": 0}
                    for name in ("total", "limit", "offset", "pages")
                },
            },
        },
    },
    "Webhook": {
        "type": "object",
        "required": ["id", "url", "events", "active", "createdAt"],
        "additionalProperties": True,
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "url": {"type": "string"},
            "events": {"type": "array", "items": {"type": "string"}},
            "active": {"type": "boolean"},
            "secret": {"type": "string", "description": "Only in the create response."},
            "disabledAt": _NULLABLE_STRING,
            "disabledReason": _NULLABLE_STRING,
            "failingSince": _NULLABLE_STRING,
            "createdAt": _TIMESTAMP,
        },
    },
    "WebhookEnvelope": {
        "type": "object",
        "required": ["success", "webhook"],
        "properties": {
            "success": {"const": True},
            "webhook": {"$ref": "#/components/schemas/Webhook"},
        },
    },
    "Success": {
        "type": "object",
        "required": ["success"],
        "additionalProperties": True,
        "properties": {"success": {"const": True}},
    },
}

_EVENTS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "string",
        "enum": ["kyc.completed", "kyc.failed", "kyc.started", "kyc.expired"],
    },
}
WEBHOOK_CREATE_BODY = {
    "type": "object",
    "required": ["url", "events"],
    "properties": {
        "url": {"type": "string", "format": "uri", "maxLength": 2048},
        "events": _EVENTS,
        "secret": {"type": "string", "minLength": 16, "maxLength": 255},
    },
}
WEBHOOK_UPDATE_BODY = {
    "type": "object",
    "properties": {
        "url": {"type": "string", "format": "uri", "maxLength": 2048},
        "events": _EVENTS,
        "secret": {"type": "string", "minLength": 16, "maxLength": 255},
        "active": {"type": "boolean"},
    },
}

# The signature is three headers, each required: one scheme per header, all three together.
SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    "Timestamp": {
        "type": "apiKey",
        "in": "header",
        "name": "x-timestamp",
        "description": "Unix time in milliseconds, ASCII digits, within ±300 s.",
    },
    "Signature": {
        "type": "apiKey",
        "in": "header",
        "name": "x-signature",
        "description": "hex HMAC-SHA256(secretKey, METHOD + PATH + x-timestamp + sha256hex(body))",
    },
}
_SIGNED: list[dict[str, list[str]]] = [{"ApiKey": [], "Timestamp": [], "Signature": []}]

_ERRORS = {
    "400": "Invalid query, header or body (VALIDATION_ERROR, with `fields`)",
    "401": "Missing headers, unknown key, bad signature, stale timestamp or replayed request",
    "403": "The merchant is inactive (PARTNER_INACTIVE) or the key lacks the scope",
    "404": "Unknown, malformed or another merchant's id",
    "405": "Method not allowed (the `Allow` header lists the path's methods)",
    "409": "Conflict: a reused Idempotency-Key with another body, or a state that forbids it",
    "413": "Body larger than the limit",
    "429": "Rate limit exceeded (`Retry-After`)",
}

_TYPED_2XX: dict[tuple[str, str], str] = {
    ("post", "/api/v2/kyc/sessions"): "SessionEnvelope",
    ("get", "/api/v2/kyc/sessions"): "SessionPage",
    ("get", "/api/v2/kyc/sessions/{session_id}"): "SessionEnvelope",
    ("post", "/api/v2/webhooks"): "WebhookEnvelope",
    ("get", "/api/v2/webhooks/{webhook_id}"): "WebhookEnvelope",
    ("patch", "/api/v2/webhooks/{webhook_id}"): "WebhookEnvelope",
}
_REQUEST_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v2/webhooks"): WEBHOOK_CREATE_BODY,
    ("patch", "/api/v2/webhooks/{webhook_id}"): WEBHOOK_UPDATE_BODY,
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(SCHEMAS)
    components["securitySchemes"] = SECURITY_SCHEMES
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/v2/"):
            continue
        for method, operation in operations.items():
            operation["security"] = _SIGNED
            body = _REQUEST_BODIES.get((method, path))
            if body is not None:
                operation["requestBody"] = {"required": True, "content": _json(body)}
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.startswith("2"):
                    name = _TYPED_2XX.get((method, path), "Success")
                    response["content"] = _json({"$ref": f"#/components/schemas/{name}"})
            responses.pop("422", None)  # FastAPI's own; invalid input is answered with 400
            for status, description in _ERRORS.items():
                if status == "404" and "{" not in path:
                    continue
                responses[status] = {"description": description, "content": _json(error)}
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
