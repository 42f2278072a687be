"""A duplicate identity names the other sessions, so the case page can link them."""

from __future__ import annotations

import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.reviews.casefile import CaseFileService
from openkyc.state import AppState
from tests.reviews.factories import ALICE
from tests.support import MerchantInfo
from tests.verifications.factories import SCRIPTED, capture, drain, new_session, submit


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": SCRIPTED})


async def test_the_case_of_a_duplicate_links_the_first_session(
    state: AppState, merchant: MerchantInfo
) -> None:
    sessions = []
    for number in ("1111111111", "2222222222"):
        session_id = await new_session(state, merchant.id)
        await capture(state, session_id, embedding_seed=7, number=number)
        await submit(state, session_id)
        await drain(state)
        sessions.append(session_id)
    first, second = sessions
    async with unit_of_work(state.sessionmaker) as db:
        case = await CaseFileService(db, state).load(ALICE, second)
        original = await CaseFileService(db, state).load(ALICE, first)
    assert case.status == "DECLINED"
    assert case.duplicates == [first]
    assert original.duplicates == []
