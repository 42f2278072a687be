"""Who is signed in to the dashboard: what every dashboard page is given by
:func:`openkyc.web.dashboard.auth.current_operator`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

ADMIN = "admin"
REVIEWER = "reviewer"
AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class OperatorPrincipal:
    operator_id: uuid.UUID
    email: str
    role: str  # "admin" | "reviewer" | "auditor"
    merchant_ids: frozenset[uuid.UUID] | None  # None: every merchant
    session_id: uuid.UUID
    csrf_token: str

    @property
    def can_decide(self) -> bool:
        """Approve, decline, ask for a retake, take a case, write a note."""
        return self.role in (ADMIN, REVIEWER)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def can_audit(self) -> bool:
        """Read the audit log."""
        return self.role in (ADMIN, AUDITOR)

    def sees(self, merchant_id: uuid.UUID | None) -> bool:
        """Whether this operator may see anything of ``merchant_id``; callers answer 404 (as
        for a missing id) when not."""
        if self.merchant_ids is None:
            return True
        return merchant_id is not None and merchant_id in self.merchant_ids
