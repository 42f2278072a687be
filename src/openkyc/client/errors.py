from __future__ import annotations


class OpenKycApiError(Exception):
    """An error response from the API; ``code`` is the stable machine-readable error code."""

    def __init__(self, status: int, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id


class AuthenticationError(OpenKycApiError):
    """401: missing headers, unknown key, bad signature, stale timestamp, replay."""


class ValidationError(OpenKycApiError):
    """400: a field was rejected."""


class NotFoundError(OpenKycApiError):
    """404: unknown id (or another merchant's)."""


class RateLimitError(OpenKycApiError):
    """429: retry after ``retry_after`` seconds."""

    retry_after: int | None = None


def error_for(status: int, code: str, message: str, request_id: str | None) -> OpenKycApiError:
    cls: type[OpenKycApiError] = OpenKycApiError
    if status == 401:
        cls = AuthenticationError
    elif status == 400:
        cls = ValidationError
    elif status == 404:
        cls = NotFoundError
    elif status == 429:
        cls = RateLimitError
    return cls(status, code, message, request_id)
