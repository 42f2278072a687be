from __future__ import annotations

from openkyc.errors import Conflict, Forbidden, NotFound, Unauthorized


class OperatorNotFound(NotFound):
    code = "OPERATOR_NOT_FOUND"
    message = "Operator not found"


class OperatorExists(Conflict):
    code = "OPERATOR_EXISTS"
    message = "An operator with this e-mail already exists"


class OperatorSessionInvalid(Unauthorized):
    """No cookie, an unknown token, a revoked, idle or expired session, or a disabled
    operator: the browser must sign in again."""

    code = "OPERATOR_SESSION_INVALID"
    message = "Sign in again"


class RoleForbidden(Forbidden):
    code = "ROLE_FORBIDDEN"
    message = "Your role does not allow this"


class CsrfInvalid(Forbidden):
    code = "CSRF_INVALID"
    message = "The form expired or came from another site: reload the page and try again"


class TotpInvalid(Unauthorized):
    code = "TOTP_INVALID"
    message = "The code is not valid"


class TotpAlreadyEnrolled(Conflict):
    code = "TOTP_ALREADY_ENROLLED"
    message = "Two-factor sign-in is already on; an administrator can reset it"


class CannotChangeYourself(Conflict):
    code = "CANNOT_CHANGE_YOURSELF"
    message = "Administrators cannot disable themselves or reset their own second factor here"
