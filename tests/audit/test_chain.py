"""The audit log's hash chain on both databases: sealed at commit, linear under concurrency,
and broken at exactly the row someone altered, removed or slipped in."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update
from typer.testing import CliRunner

from openkyc.audit.models import AuditEvent
from openkyc.audit.service import AuditService
from openkyc.cli.main import app
from openkyc.db import migrate
from openkyc.db.session import unit_of_work
from openkyc.state import AppState


async def _record(state: AppState, n: int = 1, action: str = "test.done") -> None:
    async with unit_of_work(state.sessionmaker) as db:
        audit = AuditService(db)
        for i in range(n):
            await audit.record(
                action=action,
                actor_type="system",
                subject_type="test",
                subject_id=str(i),
                data={"i": i, "word": "слово"},
            )


async def _verify(state: AppState):  # type: ignore[no-untyped-def]
    async with unit_of_work(state.sessionmaker) as db:
        return await AuditService(db).verify_chain()


async def _rows(state: AppState) -> list[AuditEvent]:
    async with unit_of_work(state.sessionmaker) as db:
        return list((await db.scalars(select(AuditEvent).order_by(AuditEvent.id))).all())


async def test_rows_are_sealed_in_order_when_their_transaction_commits(state: AppState) -> None:
    await _record(state, 3)
    await _record(state, 2)
    rows = await _rows(state)
    assert [row.chain_seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(rows))
    report = await _verify(state)
    assert report.intact
    assert report.checked == 5
    assert report.head_hash == rows[-1].row_hash


async def test_a_rolled_back_transaction_leaves_no_gap(state: AppState) -> None:
    await _record(state, 1)

    async def fails() -> None:
        async with unit_of_work(state.sessionmaker) as db:
            await AuditService(db).record(
                action="test.lost", actor_type="system", subject_type="t", subject_id="x"
            )
            await db.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fails()
    await _record(state, 1)
    assert [row.chain_seq for row in await _rows(state)] == [1, 2]
    assert (await _verify(state)).intact


async def test_concurrent_writers_keep_one_linear_chain(state: AppState) -> None:
    await asyncio.gather(*(_record(state, 2, f"test.writer{i}") for i in range(12)))
    rows = await _rows(state)
    assert sorted(row.chain_seq or 0 for row in rows) == list(range(1, 25))
    report = await _verify(state)
    assert report.intact, report


async def test_an_altered_row_is_named(state: AppState) -> None:
    await _record(state, 5)
    rows = await _rows(state)
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(AuditEvent).where(AuditEvent.id == rows[2].id).values(subject_id="forged")
        )
    report = await _verify(state)
    assert not report.intact
    assert report.first_bad_id == rows[2].id
    assert report.checked == 2
    assert "altered" in (report.problem or "")


async def test_a_removed_row_breaks_the_chain_at_the_next(state: AppState) -> None:
    await _record(state, 4)
    rows = await _rows(state)
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(delete(AuditEvent).where(AuditEvent.id == rows[1].id))
    report = await _verify(state)
    assert not report.intact
    assert report.first_bad_id == rows[2].id
    assert "missing" in (report.problem or "")


async def test_a_rehashed_row_still_breaks_the_link_after_it(state: AppState) -> None:
    """Recomputing one row's own hash after an edit is not enough: the next row's link no
    longer matches."""
    from openkyc.audit import chain

    await _record(state, 3)
    rows = await _rows(state)
    middle = rows[1]
    middle.data = {"i": 99}
    forged = chain.row_hash(middle.prev_hash or "", chain.event_content(middle))
    async with unit_of_work(state.sessionmaker) as db:
        await db.execute(
            update(AuditEvent)
            .where(AuditEvent.id == middle.id)
            .values(data={"i": 99}, row_hash=forged)
        )
    report = await _verify(state)
    assert report.first_bad_id == rows[2].id
    assert "previous-row hash" in (report.problem or "")


async def test_a_row_slipped_in_without_the_chain_is_named(state: AppState) -> None:
    await _record(state, 2)
    async with unit_of_work(state.sessionmaker) as db:
        # Straight SQL, past the ORM hook, as someone with database access would.
        await db.execute(
            insert(AuditEvent).values(
                action="test.forged", actor_type="system", subject_type="t", subject_id="x",
                data={}, occurred_at=(await _rows(state))[0].occurred_at,
            )
        )  # fmt: skip
    report = await _verify(state)
    assert not report.intact
    assert "outside the chain" in (report.problem or "")


def test_the_migration_seals_rows_written_before_the_chain(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0009")
    with sqlite3.connect(tmp_path / "m.db") as connection:
        for i in range(3):
            connection.execute(
                "INSERT INTO audit_events (occurred_at, actor_type, action, subject_type,"
                " subject_id, data) VALUES (?, 'system', 'old.row', 'test', ?, ?)",
                (f"2026-01-0{i + 1} 10:00:00.123456+00:00", str(i), json.dumps({"i": i})),
            )
    migrate.upgrade(url)
    migrate.check(url)
    with sqlite3.connect(tmp_path / "m.db") as connection:
        seqs = [r[0] for r in connection.execute("SELECT chain_seq FROM audit_events ORDER BY id")]
    assert seqs == [1, 2, 3]


runner = CliRunner()


def test_openkyc_audit_verify_exits_0_then_names_the_altered_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENKYC_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OPENKYC_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.delenv("OPENKYC_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["merchants", "create", "--name", "Shop"]).exit_code == 0
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact: 3 rows" in intact.output
    with sqlite3.connect(tmp_path / "var" / "openkyc.db") as connection:
        connection.execute("UPDATE audit_events SET actor_type = 'merchant' WHERE id = 2")
    broken = runner.invoke(app, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    report = json.loads(broken.stdout.splitlines()[0])
    assert report["intact"] is False
    assert report["firstBadId"] == 2
    assert report["checked"] == 1


async def test_postgres_serialises_appends_with_an_advisory_lock(state: AppState) -> None:
    if state.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    # Another transaction holding the chain's lock makes an append wait for it.
    from openkyc.audit.chain import LOCK_KEY

    async with state.engine.connect() as holder:
        await holder.begin()
        await holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        writer = asyncio.create_task(_record(state, 1))
        await asyncio.sleep(0.5)
        assert not writer.done()
        await holder.rollback()
    await asyncio.wait_for(writer, 10)
    assert (await _verify(state)).intact
