from openkyc.errors import Conflict, Forbidden, NotFound, ValidationFailed


class CaseNotFound(NotFound):
    """Also for a case of a merchant the reviewer does not see: indistinguishable."""

    message = "Case not found"


class CaseTaken(Conflict):
    code = "CASE_TAKEN"
    message = "Another reviewer has taken this case"

    def __init__(self, holder: str) -> None:
        super().__init__(f"{holder} has taken this case")
        self.holder = holder


class CaseNotTaken(Conflict):
    code = "CASE_NOT_TAKEN"
    message = "You do not hold this case"


class ProposalPending(Conflict):
    code = "DECISION_PENDING"
    message = "A decision on this case already waits for a second reviewer"


class NoProposal(Conflict):
    code = "NO_PENDING_DECISION"
    message = "No decision on this case waits for confirmation"


class SameReviewer(Conflict):
    code = "FOUR_EYES"
    message = "The second decision must come from a different reviewer"


class MayNotDecide(Forbidden):
    message = "Your role may not decide cases"


class InvalidNote(ValidationFailed):
    pass
