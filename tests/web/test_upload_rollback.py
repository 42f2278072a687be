"""No half-written upload: objects stored for rows that were rolled back are removed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.flows.errors import FlowStepConflict
from openkyc.flows.service import FlowService
from openkyc.media.models import MediaObject
from openkyc.state import AppState
from tests.web.conftest import Customer


async def test_a_selfie_refused_after_its_frames_were_stored_leaves_nothing_behind(
    customer: Customer, settings: Settings, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frames are written before the flow moves on; when that step fails the unit of work
    rolls the rows back, and the objects written for them must go too (no orphan biometrics)."""
    await customer.consent()
    await customer.choose()
    await customer.capture()
    async with unit_of_work(state.sessionmaker) as db:
        rows_before = len((await db.scalars(select(MediaObject))).all())
    objects = settings.storage_dir or settings.data_dir / "objects"
    files_before = {p for p in objects.rglob("*") if p.is_file()}

    async def refuse(*_: object, **__: object) -> None:
        raise FlowStepConflict()

    monkeypatch.setattr(FlowService, "selfie_accepted", refuse)
    answer = await customer.upload_selfie(frames=3, json=True)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "FLOW_STEP_CONFLICT"

    async with unit_of_work(state.sessionmaker) as db:
        assert len((await db.scalars(select(MediaObject))).all()) == rows_before
    assert {p for p in objects.rglob("*") if p.is_file()} == files_before
