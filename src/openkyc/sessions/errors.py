from openkyc.errors import Conflict, NotFound


class SessionNotFound(NotFound):
    message = "Session not found"


class SessionStateConflict(Conflict):
    code = "INVALID_STATE"
    message = "The session cannot make this transition in its current state"


class IdempotencyInFlight(Conflict):
    code = "IDEMPOTENCY_CONFLICT"
    message = "A request with this Idempotency-Key is being processed; retry"
