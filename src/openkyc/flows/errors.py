"""Why a step of the hosted flow was refused. ``reason`` is a stable code the page translates."""

from __future__ import annotations

from openkyc.errors import Conflict, Forbidden, NotFound, OpenKycError, ValidationFailed


class FlowAccessDenied(Forbidden):
    code = "FLOW_ACCESS_DENIED"
    message = "This verification is open in another browser"
    reason = "flow_access_denied"


class CsrfRejected(Forbidden):
    code = "CSRF_REJECTED"
    message = "The form expired; reload the page and try again"
    reason = "csrf_rejected"


class FlowStepConflict(Conflict):
    code = "FLOW_STEP_CONFLICT"
    message = "This step is not available now"
    reason = "flow_step_conflict"


class FlowClosed(OpenKycError):
    code = "SESSION_CLOSED"
    http_status = 409
    message = "This verification is already complete"
    reason = "flow_closed"


class SessionExpired(OpenKycError):
    code = "SESSION_EXPIRED"
    http_status = 410
    message = "This verification link has expired"
    reason = "session_expired"


class HandoffInvalid(NotFound):
    code = "HANDOFF_INVALID"
    message = "This QR code was already used or has expired"
    reason = "handoff_invalid"


class DocumentNotAllowed(ValidationFailed):
    reason = "document_not_allowed"

    def __init__(self) -> None:
        super().__init__({"document": "not offered for this session"})


class LiveCaptureRequired(OpenKycError):
    """The merchant's policy refuses a selfie that is one uploaded photo (``noLiveCapture``)."""

    code = "LIVE_CAPTURE_REQUIRED"
    http_status = 422
    message = "This service needs a live selfie recorded with the camera"
    reason = "live_capture_required"
