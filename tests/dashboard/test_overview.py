"""The overview: figures computed from real sessions, charts drawn as inline SVG, scoping."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.reviews.overview import OverviewService
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, sign_in
from tests.reviews.factories import ALICE, in_review, reviews
from tests.support import MerchantInfo
from tests.verifications.factories import drain, new_session, submit


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pipeline": "fake"})


async def _decided(state: AppState, merchant_id: str, outcome: str) -> None:
    session_id = await new_session(state, merchant_id, mode="test")
    await submit(state, session_id, sandbox=outcome)
    await drain(state)


@pytest.fixture
async def history(state: AppState, merchant: MerchantInfo, make_merchant: Any) -> Any:
    other = await make_merchant(name="Other shop")
    for outcome in ("approve", "approve", "approve", "decline"):
        await _decided(state, merchant.id, outcome)
    await _decided(state, other.id, "decline")
    reviewed = await in_review(state, merchant.id)
    await reviews(state, lambda service: service.decide(ALICE, reviewed, "approve"))
    await in_review(state, merchant.id)  # still waiting
    await new_session(state, other.id)  # not started
    return other


async def test_the_figures_count_what_happened(
    state: AppState, merchant: MerchantInfo, history: Any
) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        overview = await OverviewService(db).build(days=7, scope=None)
    overall = overview.overall
    assert overall.created == 8
    assert (overall.approved, overall.declined) == (4, 2)
    assert overall.approval_rate == pytest.approx(4 / 6)
    assert overall.reasons["POOR_QUALITY"] == 2  # the sandbox decline's reason
    assert len(overall.decision_seconds) == 6
    assert len(overall.queue_seconds) == 1
    assert overview.waiting_now == 1
    today = overview.days[-1]
    assert overview.per_day[today]["APPROVED"] == 4
    assert overview.per_day[today]["IN_PROGRESS"] == 1
    assert overview.per_day[today]["NOT_STARTED"] == 1
    names = {name: figures for _, name, figures in overview.merchants}
    assert (names["Other shop"].created, names["Other shop"].declined) == (2, 1)

    async with unit_of_work(state.sessionmaker) as db:
        scoped = await OverviewService(db).build(days=7, scope=frozenset({uuid.UUID(history.id)}))
    assert scoped.overall.created == 2
    assert scoped.waiting_now == 0


async def test_the_overview_page_draws_svg_charts(
    client: httpx.AsyncClient, history: Any, reviewer: OperatorInfo
) -> None:
    await sign_in(client, reviewer)
    page = await client.get("/dashboard/overview", params={"days": "14"})
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 2
    assert 'class="chart-days"' in html
    assert "POOR_QUALITY" in html
    assert re.search(r'data-figure="approval">66\.7 %<', html)
    assert re.search(r'data-figure="created">8<', html)
    assert "<script" not in html.split("</head>", 1)[1]  # drawn by the server, not a script

    bad = await client.get("/dashboard/overview", params={"days": "0"})
    assert bad.status_code == 400


async def test_a_merchant_bound_operator_sees_only_their_figures(
    client: httpx.AsyncClient, history: Any, make_operator: Any
) -> None:
    bound = await make_operator(role="auditor", merchant_ids=[history.id])
    await sign_in(client, bound)
    page = await client.get("/dashboard/overview")
    assert re.search(r'data-figure="created">2<', page.text)
    assert "Test merchant" not in page.text
