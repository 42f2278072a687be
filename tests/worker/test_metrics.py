from __future__ import annotations

from prometheus_client import REGISTRY

from openkyc.state import AppState
from tests.support import MerchantInfo
from tests.verifications.factories import capture, drain, new_session, submit


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_decisions_are_counted(state: AppState, merchant: MerchantInfo) -> None:
    before = _value("openkyc_verifications_decided_total", outcome="approved")
    session_id = await new_session(state, merchant.id)
    await capture(state, session_id)
    await submit(state, session_id)
    await drain(state)
    assert _value("openkyc_verifications_decided_total", outcome="approved") == before + 1
