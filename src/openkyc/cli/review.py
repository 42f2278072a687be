"""``openkyc review list|approve|decline``: manual review through the same service as the
automatic decision (audit row, status change, webhook), until the dashboard exists."""

from __future__ import annotations

import json

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import fail, parse_uuid, run_in_transaction
from openkyc.errors import OpenKycError
from openkyc.sessions.schemas import format_timestamp
from openkyc.state import AppState
from openkyc.verifications.service import VerificationService

review_app = typer.Typer(
    help="Decide verifications that went to manual review.", no_args_is_help=True
)


@review_app.command("list")
def list_reviews(as_json: bool = typer.Option(False, "--json")) -> None:
    """Sessions waiting for an operator, oldest first (ids, scores and codes; no names)."""

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, object]]:
        service = VerificationService(session, state)
        rows = await service.awaiting_review()
        items = []
        for run, kyc_session in rows:
            checks = await service.checks.for_run(run.id)
            items.append(
                {
                    "sessionId": str(kyc_session.id),
                    "merchantId": str(kyc_session.merchant_id),
                    "mode": kyc_session.mode,
                    "attempt": run.attempt,
                    "reasons": list(run.reasons),
                    "waitingSince": format_timestamp(run.finished_at or run.created_at),
                    "checks": {
                        check.name: {"score": check.score, "threshold": check.threshold}
                        for check in checks
                    },
                }
            )
        return items

    items = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    if not items:
        typer.echo("nothing waits for review")
    for item in items:
        typer.echo(
            f"{item['sessionId']}  {item['mode']}  attempt {item['attempt']}  "
            f"since {item['waitingSince']}  {','.join(item['reasons']) or '-'}"  # type: ignore[arg-type]
        )


def _decide(
    session_id: str, decision: str, operator: str, reasons: list[str], note: str | None
) -> None:
    parsed = parse_uuid(session_id, "SESSION_ID")

    async def work(session: AsyncSession, state: AppState) -> str:
        run = await VerificationService(session, state).review(
            parsed, decision=decision, operator=operator, reasons=reasons, note=note
        )
        return run.outcome or ""

    try:
        outcome = run_in_transaction(work)
    except OpenKycError as exc:
        fail(exc)
        return
    typer.echo(f"{session_id}: {outcome}")


@review_app.command("approve")
def approve(
    session_id: str = typer.Argument(...),
    operator: str = typer.Option(..., "--operator", help="Who decides (recorded in the audit)."),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Approve a session waiting for review."""
    _decide(session_id, "approve", operator, [], note)


@review_app.command("decline")
def decline(
    session_id: str = typer.Argument(...),
    operator: str = typer.Option(..., "--operator", help="Who decides (recorded in the audit)."),
    reason: list[str] = typer.Option([], "--reason", help="Decision code, e.g. FACE_MISMATCH."),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Decline a session waiting for review."""
    _decide(session_id, "decline", operator, reason, note)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
