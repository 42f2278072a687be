"""``openkyc review list|approve|decline|retake|confirm``: manual review from a terminal,
through the same service as the dashboard (assignment, four-eyes, audit row, status change,
webhook). The operator is a name recorded in the audit; it sees every merchant."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import parse_uuid, run_in_transaction, run_or_fail
from openkyc.reviews.schemas import DecisionResult, Reviewer
from openkyc.reviews.service import ReviewService
from openkyc.sessions.schemas import format_timestamp
from openkyc.state import AppState

review_app = typer.Typer(
    help="Decide verifications that went to manual review.", no_args_is_help=True
)
OPERATOR = typer.Option(..., "--operator", help="Who decides (recorded in the audit).")
NOTE = typer.Option(None, "--note")


def _reviewer(operator: str) -> Reviewer:
    return Reviewer(actor_id=operator, label=operator)


@review_app.command("list")
def list_reviews(as_json: bool = typer.Option(False, "--json")) -> None:
    """Sessions waiting for an operator, oldest first (ids, scores and codes; no names)."""

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, object]]:
        items = await ReviewService(session, state).queue(_reviewer("cli"), limit=500)
        return [
            {
                "sessionId": str(item.session_id),
                "merchantId": str(item.merchant_id),
                "mode": item.mode,
                "attempt": item.attempt,
                "reasons": list(item.reasons),
                "waitingSince": format_timestamp(item.waiting_since),
                "takenBy": item.taken_by,
                "proposed": item.proposed,
                "checks": {
                    name: {"score": score.score, "threshold": score.threshold}
                    for name, score in item.scores.items()
                },
            }
            for item in items
        ]

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


def _act(
    session_id: str, act: Callable[[ReviewService, Reviewer], Awaitable[DecisionResult]], who: str
) -> None:
    parse_uuid(session_id, "SESSION_ID")

    async def work(session: AsyncSession, state: AppState) -> DecisionResult:
        return await act(ReviewService(session, state), _reviewer(who))

    result = run_or_fail(work)
    if result.state == "proposed":
        typer.echo(f"{session_id}: {result.decision} proposed; a second operator must confirm")
    else:
        typer.echo(f"{session_id}: {_DONE[result.decision]}")


_DONE = {"approve": "approved", "decline": "declined", "retake": "retake"}


def _decide(
    session_id: str, decision: str, operator: str, reasons: list[str], note: str | None
) -> None:
    parsed = parse_uuid(session_id, "SESSION_ID")
    _act(
        session_id,
        lambda service, reviewer: service.decide(
            reviewer, parsed, decision, reasons=reasons, note=note
        ),
        operator,
    )


@review_app.command("approve")
def approve(
    session_id: str = typer.Argument(...), operator: str = OPERATOR, note: str | None = NOTE
) -> None:
    """Approve a session waiting for review."""
    _decide(session_id, "approve", operator, [], note)


@review_app.command("decline")
def decline(
    session_id: str = typer.Argument(...),
    operator: str = OPERATOR,
    reason: list[str] = typer.Option([], "--reason", help="Decision code, e.g. FACE_MISMATCH."),
    note: str | None = NOTE,
) -> None:
    """Decline a session waiting for review."""
    _decide(session_id, "decline", operator, reason, note)


@review_app.command("retake")
def retake(
    session_id: str = typer.Argument(...),
    operator: str = OPERATOR,
    reason: list[str] = typer.Option([], "--reason", help="What to fix, e.g. POOR_QUALITY."),
    note: str | None = NOTE,
) -> None:
    """Send the session back to the customer to capture again (the same link works)."""
    _decide(session_id, "retake", operator, reason, note)


@review_app.command("confirm")
def confirm(session_id: str = typer.Argument(...), operator: str = OPERATOR) -> None:
    """Four-eyes: apply the decision another operator proposed."""
    parsed = parse_uuid(session_id, "SESSION_ID")
    _act(session_id, lambda service, reviewer: service.confirm(reviewer, parsed), operator)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
