"""Two submits of one session at the same moment (a double click, two devices): one wins."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from openkyc.errors import OpenKycError
from openkyc.state import AppState
from openkyc.verifications.service import VerificationService
from tests.support import MerchantInfo
from tests.verifications.factories import capture, new_session, runs_of, submit


async def test_racing_submits_start_one_run(state: AppState, merchant: MerchantInfo) -> None:
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    results = await asyncio.gather(
        submit(state, session_id), submit(state, session_id), return_exceptions=True
    )
    failures = [result for result in results if isinstance(result, BaseException)]
    assert len(failures) == 1, results
    assert isinstance(failures[0], OpenKycError), repr(failures[0])
    assert failures[0].http_status == 409
    assert len(await runs_of(state, session_id)) == 1


async def test_a_submit_reads_the_session_only_under_its_lock(
    state: AppState, merchant: MerchantInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving CI once hit on SQLite, made certain: the first submit has read the
    session and is held before counting its runs; the second must wait for it, not slip in,
    commit attempt 1, and let the first go on to start attempt 2."""
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    first_inside = asyncio.Event()
    release = asyncio.Event()
    original = VerificationService.policy_for

    async def held(self: VerificationService, merchant_id: uuid.UUID) -> Any:
        if not first_inside.is_set():
            first_inside.set()
            await release.wait()
        return await original(self, merchant_id)

    monkeypatch.setattr(VerificationService, "policy_for", held)
    first = asyncio.create_task(submit(state, session_id))
    await first_inside.wait()
    second = asyncio.create_task(submit(state, session_id))
    # Under the lock the second cannot finish while the first holds it; give it the chance.
    await asyncio.wait({second}, timeout=1.0)
    release.set()
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert results[0] is None, results
    assert isinstance(results[1], OpenKycError), results
    assert results[1].http_status == 409
    assert len(await runs_of(state, session_id)) == 1
