"""A worker whose media storage is down hands the run back instead of failing it: the
session waits, no claim is spent, and the run is decided once the storage answers again."""

from __future__ import annotations

from openkyc.state import AppState
from openkyc.worker.periodic import requeue_lost
from tests.storage.test_contract import s3_storage
from tests.support import MerchantInfo, free_port
from tests.verifications.factories import capture, drain, load_session, new_session, runs_of, submit


async def test_a_storage_outage_returns_the_run_uncounted(
    state: AppState, merchant: MerchantInfo
) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)

    real = state.storage
    state.storage = s3_storage(f"http://127.0.0.1:{free_port()}", "x", max_attempts=1)
    try:
        await drain(state)
    finally:
        await state.storage.close()
        state.storage = real
    (run,) = await runs_of(state, session_id)
    assert (run.status, run.claims, run.error) == ("pending", 0, "storage_unavailable")
    assert (await load_session(state, session_id)).status == "IN_PROGRESS"

    state.settings.sweep_grace_s = 0.0
    assert await requeue_lost(state) == (1, 0)
    await drain(state)
    (run,) = await runs_of(state, session_id)
    assert (run.status, run.claims) == ("done", 1)
    assert (await load_session(state, session_id)).status == "APPROVED"
