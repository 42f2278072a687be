"""``openkyc audit verify``: checks the audit log's hash chain from its first row."""

from __future__ import annotations

import json

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.chain import ChainReport
from openkyc.audit.service import AuditService
from openkyc.cli.runtime import run_in_transaction
from openkyc.state import AppState

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Exit 0 when every row fits the hash chain; otherwise exit 1 naming the first row that
    does not. Keep the printed head somewhere else: it also catches removed newest rows and
    a chain rewritten from scratch."""

    async def work(session: AsyncSession, _state: AppState) -> ChainReport:
        return await AuditService(session).verify_chain()

    report = run_in_transaction(work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "intact": report.intact,
                    "checked": report.checked,
                    "headSeq": report.head_seq,
                    "headHash": report.head_hash,
                    "firstBadId": report.first_bad_id,
                    "firstBadSeq": report.first_bad_seq,
                    "problem": report.problem,
                }
            )
        )
    elif report.intact:
        typer.echo(
            f"audit chain intact: {report.checked} rows; head {report.head_seq} {report.head_hash}"
        )
    else:
        typer.echo(
            f"audit chain BROKEN at row id {report.first_bad_id}"
            f" (sequence {report.first_bad_seq}): {report.problem}; "
            f"{report.checked} rows before it are intact",
            err=True,
        )
    if not report.intact:
        raise typer.Exit(1)
