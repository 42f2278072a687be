"""``openkyc retention run`` and ``openkyc sessions erase|hold``: the operator's side of
docs/privacy.md (the sweep applies the same rules on its own schedule)."""

from __future__ import annotations

import asyncio
import json

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import command_state, parse_uuid, run_or_fail
from openkyc.retention.service import RetentionService
from openkyc.sessions.errors import SessionNotFound
from openkyc.sessions.models import KycSession
from openkyc.sessions.repository import SessionRepository
from openkyc.state import AppState

retention_app = typer.Typer(help="Delete personal data past its retention period.")
sessions_app = typer.Typer(help="Erase one session's personal data, or hold it.")


@retention_app.command("run")
def run_retention() -> None:
    """Apply the retention periods now (the worker's sweep also does, every 10 minutes)."""
    from openkyc.worker.periodic import apply_retention

    async def main() -> None:
        async with command_state() as state:
            report = await apply_retention(state)
        typer.echo(
            f"media erased: {report.media}, biometrics erased: {report.biometrics}, "
            f"records redacted: {report.records}, orphan files deleted: {report.orphan_files}"
        )

    asyncio.run(main())


async def _load(session: AsyncSession, session_id: str) -> KycSession:
    found = await SessionRepository(session).get(parse_uuid(session_id, "SESSION_ID"))
    if found is None:
        raise SessionNotFound()
    return found


@sessions_app.command("erase")
def erase(
    session_id: str = typer.Argument(...),
    operator: str = typer.Option(..., "--operator", help="Who erases (recorded in the audit)."),
) -> None:
    """Erase a final session's photos, face embedding and personal fields now."""

    async def work(session: AsyncSession, state: AppState) -> dict[str, object]:
        found = await _load(session, session_id)
        receipt = await RetentionService(session, state).erase_session(
            found, actor_type="operator", actor_id=operator
        )
        return receipt.to_json()

    typer.echo(json.dumps(run_or_fail(work), indent=2))


@sessions_app.command("hold")
def hold(
    session_id: str = typer.Argument(...),
    operator: str = typer.Option(..., "--operator", help="Who decides (recorded in the audit)."),
    release: bool = typer.Option(False, "--release", help="Lift the hold instead."),
    note: str | None = typer.Option(None, "--note", help="Why (e.g. a case reference)."),
) -> None:
    """Put a session under a legal hold (nothing of it is deleted) or release it."""

    async def work(session: AsyncSession, state: AppState) -> None:
        found = await _load(session, session_id)
        await RetentionService(session, state).set_legal_hold(
            found, not release, actor_id=operator, note=note
        )

    run_or_fail(work)
    typer.echo(f"{session_id}: legal hold {'released' if release else 'set'}")


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
    app.add_typer(sessions_app, name="sessions")
