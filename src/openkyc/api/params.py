"""Parameters every v2 resource reads the same way: an id from the path, a page of a list
(``limit``, ``offset``) with the ``pagination`` block that answers it, and a JSON object body."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from starlette.requests import Request

from openkyc.digits import parse_ascii_int
from openkyc.errors import ValidationFailed

MAX_LIMIT = 100
DEFAULT_LIMIT = 50


def parse_id(raw: str, missing: type[Exception]) -> uuid.UUID:
    """An id from the path; a malformed one is indistinguishable from an unknown one, by
    design: ``missing`` is raised for both."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise missing() from None


def page_params(request: Request, errors: dict[str, str]) -> tuple[int, int]:
    """``limit`` (1 to MAX_LIMIT, default DEFAULT_LIMIT) and ``offset`` (default 0); each bad
    one is named in ``errors`` (the caller raises, with its own parameters' errors too)."""
    params = request.query_params
    limit = _non_negative_int(params.get("limit"), DEFAULT_LIMIT, "limit", errors)
    offset = _non_negative_int(params.get("offset"), 0, "offset", errors)
    if "limit" not in errors and not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"must be between 1 and {MAX_LIMIT}"
    return limit, offset


def pagination(total: int, limit: int, offset: int) -> dict[str, int]:
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "pages": math.ceil(total / limit) if total else 0,
    }


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; an empty body is an empty object."""
    try:
        payload = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed({"body": "malformed JSON"}) from None
    if not isinstance(payload, dict):
        raise ValidationFailed({"body": "must be a JSON object"})
    return payload


def _non_negative_int(raw: str | None, default: int, field: str, errors: dict[str, str]) -> int:
    if raw is None or raw == "":
        return default
    value = parse_ascii_int(raw, max_digits=9)
    if value is None:
        errors[field] = "must be a non-negative integer"
        return default
    return value
