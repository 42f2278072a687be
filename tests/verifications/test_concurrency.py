"""Two submits of one session at the same moment (a double click, two devices): one wins."""

from __future__ import annotations

import asyncio

from openkyc.errors import OpenKycError
from openkyc.state import AppState
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
