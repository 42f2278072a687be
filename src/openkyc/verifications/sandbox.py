"""The deterministic sandbox (test mode only): drive a session to a chosen outcome without a
browser or a camera, through the same path as a real verification.

Two doors: ``POST /api/v2/kyc/sessions/{id}/simulate`` (and ``openkyc client simulate``),
which decides at once, and magic ``customerId`` suffixes, which decide that way as soon as the
customer submits on the hosted page. Both submit a run with a forced outcome, exactly as the
hosted page's sandbox buttons do; the worker's own ``complete`` then records the synthetic
identity and checks, applies the decision, writes the audit rows and the webhook events.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.merchants.tenant import Tenant
from openkyc.sessions.models import KycSession
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.verifications.owners import worker_identity
from openkyc.verifications.service import VerificationService
from openkyc.verifications.simulation import Simulation


class SandboxService:
    def __init__(self, db: AsyncSession, state: AppState) -> None:
        self.db = db
        self.verifications = VerificationService(db, state)
        self.sessions = SessionService(
            db, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )

    async def simulate(
        self, tenant: Tenant, kyc_session: KycSession, simulation: Simulation, *, actor_id: str
    ) -> None:
        """Decide a test session now. ``expire`` closes it as its deadline would; the others
        submit it with a forced outcome and decide it in this transaction, as the worker does
        for a sandbox run without captures (the queued job then finds it done)."""
        if tenant.mode != "test" or kyc_session.mode != "test":
            raise ValueError("the sandbox decides test sessions only")
        if simulation.outcome == "expire":
            await self.sessions.expire_now(kyc_session, actor_type="merchant", actor_id=actor_id)
            return
        run = await self.verifications.submit(
            kyc_session,
            actor_type="merchant",
            sandbox_outcome=simulation.outcome,
            sandbox_reasons=simulation.reasons,
        )
        claimed = await self.verifications.claim(run.id, worker_identity())
        if claimed is not None:
            await self.verifications.complete(claimed, None)
