"""The one error root. Domain code raises these; the edge renders the Love&Pay error envelope."""

from __future__ import annotations

from collections.abc import Mapping


class OpenKycError(Exception):
    code: str = "INTERNAL_ERROR"
    http_status: int = 500
    message: str = "Internal error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        http_status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.http_status = http_status or type(self).http_status
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class NotFound(OpenKycError):
    code = "NOT_FOUND"
    http_status = 404
    message = "Not found"


class ValidationFailed(OpenKycError):
    code = "VALIDATION_ERROR"
    http_status = 400
    message = "Request validation failed"

    def __init__(self, errors: Mapping[str, str], message: str | None = None) -> None:
        self.errors = dict(errors)
        detail = "; ".join(f"{field}: {problem}" for field, problem in self.errors.items())
        super().__init__(message or f"Invalid request: {detail}")


class Unauthorized(OpenKycError):
    http_status = 401
    code = "UNAUTHORIZED"
    message = "Unauthorized"


class MissingHeaders(Unauthorized):
    code = "MISSING_HEADERS"
    message = "x-api-key, x-timestamp and x-signature headers are required"


class InvalidApiKey(Unauthorized):
    code = "INVALID_API_KEY"
    message = "Unknown or revoked API key"


class InvalidSignature(Unauthorized):
    code = "INVALID_SIGNATURE"
    message = "Signature does not match METHOD + PATH + timestamp + sha256(body)"


class TimestampExpired(Unauthorized):
    code = "TIMESTAMP_EXPIRED"
    message = "x-timestamp is outside the allowed window"


class ReplayedRequest(Unauthorized):
    code = "REPLAYED_REQUEST"
    message = "This signed request was already received"


class Forbidden(OpenKycError):
    http_status = 403
    code = "FORBIDDEN"
    message = "Forbidden"


class PartnerInactive(Forbidden):
    code = "PARTNER_INACTIVE"
    message = "Merchant account is disabled"


class Conflict(OpenKycError):
    http_status = 409
    code = "CONFLICT"
    message = "Conflict"


class IdempotencyConflict(Conflict):
    code = "IDEMPOTENCY_CONFLICT"
    message = "Idempotency-Key was already used with a different request body"


class PayloadTooLarge(OpenKycError):
    http_status = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "Request body is too large"


class UnsupportedMediaType(OpenKycError):
    http_status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    message = "Unsupported media type"


class RateLimited(OpenKycError):
    http_status = 429
    code = "RATE_LIMIT_EXCEEDED"
    message = "Too many requests"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(headers={"Retry-After": str(max(1, retry_after_s))})
        self.retry_after_s = retry_after_s


class ServiceBusy(OpenKycError):
    """Every database connection of this process stayed busy past the pool timeout: an
    overload, not a fault of the request. Nothing was written; the caller may try again."""

    http_status = 503
    code = "SERVICE_BUSY"
    message = "The service is busy; try again in a few seconds"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "5"})
