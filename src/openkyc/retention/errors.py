from openkyc.errors import Conflict


class LegalHold(Conflict):
    code = "LEGAL_HOLD"
    message = "The session is under a legal hold; its data cannot be erased until it is released"


class SessionNotFinal(Conflict):
    code = "SESSION_NOT_FINAL"
    message = "The session is not decided or expired yet; erase it once it is final"
