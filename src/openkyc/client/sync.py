from __future__ import annotations

import json
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx

from openkyc.api.signing import Clock, sign
from openkyc.client.errors import RateLimitError, error_for
from openkyc.client.models import Pagination, Session, SessionList


class OpenKycClient:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str,
        secret_key: str,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._api_key = api_key
        self._secret = secret_key
        self._clock = Clock()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )

    def __enter__(self) -> OpenKycClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def signed_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        timestamp = self._clock.timestamp()
        return {
            "x-api-key": self._api_key,
            "x-timestamp": timestamp,
            "x-signature": sign(self._secret, method, path, timestamp, body),
        }

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        all_headers = self.signed_headers(method, path, raw)
        if body is not None:
            all_headers["content-type"] = "application/json"
        all_headers.update(headers or {})
        response = self._http.request(method, path, content=raw, params=params, headers=all_headers)
        try:
            payload: dict[str, Any] = response.json()
        except ValueError:
            payload = {}
        if response.is_success:
            return payload
        error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
        assert isinstance(error, dict)
        exc = error_for(
            response.status_code,
            str(error.get("code", "HTTP_ERROR")),
            str(error.get("message", response.reason_phrase)),
            error.get("requestId") or response.headers.get("x-request-id"),
        )
        if isinstance(exc, RateLimitError):
            retry = response.headers.get("retry-after")
            exc.retry_after = int(retry) if retry and retry.isascii() and retry.isdigit() else None
        raise exc

    def create_session(
        self,
        *,
        customer_email: str | None = None,
        customer_phone: str | None = None,
        customer_id: str | None = None,
        invoice_id: str | None = None,
        callback_url: str | None = None,
        language: str | None = None,
        idempotency_key: str | None = None,
    ) -> Session:
        fields = {
            "customerEmail": customer_email,
            "customerPhone": customer_phone,
            "customerId": customer_id,
            "invoiceId": invoice_id,
            "callbackUrl": callback_url,
            "language": language,
        }
        body = {key: value for key, value in fields.items() if value is not None}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        payload = self.request("POST", "/api/v2/kyc/sessions", body=body, headers=headers)
        return Session.from_json(payload["session"])

    def get_session(self, session_id: str) -> Session:
        payload = self.request("GET", f"/api/v2/kyc/sessions/{session_id}")
        return Session.from_json(payload["session"])

    def list_sessions(
        self, *, limit: int | None = None, offset: int | None = None, status: str | None = None
    ) -> SessionList:
        params = {
            key: value
            for key, value in {"limit": limit, "offset": offset, "status": status}.items()
            if value is not None
        }
        payload = self.request("GET", "/api/v2/kyc/sessions", params=params)
        return SessionList(
            data=tuple(Session.from_json(item) for item in payload["data"]),
            pagination=Pagination(**payload["pagination"]),
        )

    def simulate(
        self, session_id: str, outcome: str, *, decline_reasons: Sequence[str] | None = None
    ) -> Session:
        """Test keys only (extension): decide a test session now as a real verification
        would be decided: ``approve``, ``decline`` (optionally with reason codes),
        ``review``, ``retake`` or ``expire``. Returns the session as ``get_session`` does."""
        body: dict[str, Any] = {"outcome": outcome}
        if decline_reasons:
            body["declineReasons"] = list(decline_reasons)
        payload = self.request("POST", f"/api/v2/kyc/sessions/{session_id}/simulate", body=body)
        return Session.from_json(payload["session"])
