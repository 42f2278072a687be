"""Periodic jobs of the embedded worker: each opens its own unit of work."""

from __future__ import annotations

import asyncio
import logging

from openkyc.db.session import unit_of_work
from openkyc.observability.metrics import SESSIONS_EXPIRED
from openkyc.sessions.service import SessionService
from openkyc.state import AppState

logger = logging.getLogger("openkyc.worker")


async def expire_sessions(state: AppState) -> int:
    async with unit_of_work(state.sessionmaker) as session:
        service = SessionService(
            session, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )
        expired = await service.expire_due()
    if expired:
        SESSIONS_EXPIRED.inc(len(expired))
        logger.info("sessions expired", extra={"count": len(expired)})
    return len(expired)


async def run_periodic_jobs(state: AppState) -> None:
    interval = state.settings.expiry_sweep_interval_s
    while True:
        try:
            await expire_sessions(state)
        except Exception:  # one failed sweep must not stop the next one
            logger.exception("expiry sweep failed")
        await asyncio.sleep(interval)
