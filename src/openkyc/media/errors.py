"""Why an upload or a media read was refused. ``reason`` is a stable code the page translates."""

from __future__ import annotations

from openkyc.errors import OpenKycError


class MediaError(OpenKycError):
    code = "MEDIA_ERROR"
    http_status = 400
    reason = "upload_invalid"


class UploadRejected(MediaError):
    """The file is not an image we accept; the customer can fix it by choosing another."""

    code = "UPLOAD_REJECTED"
    http_status = 422
    message = "The uploaded file is not a usable image"

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"Upload rejected: {reason}")
        self.reason = reason


class UploadTooLarge(MediaError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413
    reason = "upload_too_large"
    message = "The uploaded file is too large"


class UploadLimitReached(MediaError):
    code = "UPLOAD_LIMIT_REACHED"
    http_status = 429
    reason = "upload_limit_reached"
    message = "Too many uploads for this session"


class MediaMissing(MediaError):
    code = "MEDIA_MISSING"
    http_status = 409
    reason = "media_missing"
    message = "The session has no captured document and selfie to verify"


class MediaErased(MediaError):
    code = "MEDIA_ERASED"
    http_status = 410
    reason = "media_erased"
    message = "The session's media were erased"


class MediaNotFound(MediaError):
    code = "NOT_FOUND"
    http_status = 404
    reason = "media_not_found"
    message = "Not found"
