"""The Love&Pay error envelope: ``{"success": false, "error": {code, message, requestId}}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from openkyc.observability.logging import request_id_var


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message, "requestId": request_id_var.get()}
    if fields:
        # Extension: which field failed and why, so integrators need not parse the message.
        error["fields"] = dict(fields)
    return JSONResponse({"success": False, "error": error}, status_code=status, headers=headers)
