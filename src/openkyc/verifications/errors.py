from openkyc.errors import Conflict, NotFound, ValidationFailed


class AlreadySubmitted(Conflict):
    code = "ALREADY_SUBMITTED"
    message = "This session was already submitted; wait for the decision"


class SessionClosed(Conflict):
    code = "INVALID_STATE"
    message = "The session is finished or expired and cannot be submitted"


class NoRetakesLeft(Conflict):
    code = "NO_RETAKES_LEFT"
    message = "Every allowed attempt was used"


class RunNotFound(NotFound):
    message = "Verification not found"


class NotAwaitingReview(Conflict):
    code = "NOT_IN_REVIEW"
    message = "This verification is not waiting for a manual review"


class InvalidPolicy(ValidationFailed):
    pass
