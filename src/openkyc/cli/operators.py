"""``openkyc operators``: back-office accounts, scriptable (the first admin is made here)."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import parse_uuid, run_in_transaction, run_or_fail
from openkyc.operators.models import Operator
from openkyc.operators.service import OperatorService
from openkyc.sessions.schemas import format_timestamp
from openkyc.state import AppState

operators_app = typer.Typer(
    help="Back-office operators (dashboard accounts).", no_args_is_help=True
)


def operator_json(operator: Operator, merchants: frozenset[uuid.UUID] | None) -> dict[str, Any]:
    return {
        "operatorId": str(operator.id),
        "email": operator.email,
        "role": operator.role,
        "merchants": sorted(str(m) for m in merchants or ()),
        "disabled": operator.disabled,
        "totpEnrolled": operator.totp_enrolled,
        "mustChangePassword": operator.must_change_password,
        "createdAt": format_timestamp(operator.created_at),
        "lastLoginAt": format_timestamp(operator.last_login_at) if operator.last_login_at else None,
    }


def _read_password() -> str:
    # One line: the trailing newline of `echo` or a here-string is not part of the password.
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        typer.echo("error: no password on standard input", err=True)
        raise typer.Exit(2)
    return password


def _operator_ref(value: str) -> str:
    return value.strip()


def _print_with_password(result: dict[str, Any], as_json: bool, headline: str) -> None:
    """The operator as JSON, or ``headline`` and a generated one-time password, shown once."""
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(headline)
    if "oneTimePassword" in result:
        typer.echo(f"  one-time password: {result['oneTimePassword']}  (shown once)")


async def _find(service: OperatorService, ref: str) -> Operator:
    """An operator by id or e-mail."""
    try:
        return await service.get(uuid.UUID(ref))
    except ValueError:
        return await service.by_email(ref)


@operators_app.command("create")
def create_operator(
    email: str = typer.Option(..., "--email"),
    role: str = typer.Option(..., "--role", help="admin, reviewer or auditor."),
    merchant: list[str] = typer.Option(
        [], "--merchant", help="Bind to this merchant (repeatable); none: every merchant."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create an operator. Without --password-stdin a one-time password is generated and
    printed once; the first sign-in asks for a new one."""
    merchant_ids = [parse_uuid(value, "--merchant") for value in merchant]
    password = _read_password() if password_stdin else None

    async def work(session: AsyncSession, state: AppState) -> dict[str, Any]:
        service = OperatorService(session, state)
        operator, one_time = await service.create(
            email=email, role=role, merchant_ids=merchant_ids, password=password
        )
        result = operator_json(operator, frozenset(merchant_ids))
        if one_time is not None:
            result["oneTimePassword"] = one_time
        return result

    result = run_or_fail(work)
    _print_with_password(
        result,
        as_json,
        f"Operator {result['email']} ({result['role']}) created: {result['operatorId']}",
    )


@operators_app.command("list")
def list_operators(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every operator, by e-mail."""

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, Any]]:
        service = OperatorService(session, state)
        operators = await service.list()
        bound = await service.merchants_of_many(o.id for o in operators)
        return [operator_json(o, bound.get(o.id)) for o in operators]

    rows = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        scope = ",".join(row["merchants"]) or "all merchants"
        typer.echo(f"{row['operatorId']}  {row['email']}  {row['role']}  {state}  {scope}")


@operators_app.command("disable")
def disable_operator(
    operator: str = typer.Argument(..., help="Operator id or e-mail."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Disable an operator: every session ends at once and sign-in is refused."""

    async def work(session: AsyncSession, state: AppState) -> dict[str, Any]:
        service = OperatorService(session, state)
        found = await _find(service, _operator_ref(operator))
        disabled = await service.disable(found.id)
        return operator_json(disabled, await service.merchants_of(disabled.id))

    result = run_or_fail(work)
    typer.echo(json.dumps(result) if as_json else f"Operator {result['email']} is disabled.")


@operators_app.command("reset-password")
def reset_password(
    operator: str = typer.Argument(..., help="Operator id or e-mail."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Set a new password (generated and one-time unless given on standard input), lift a
    lock-out and end every session of the operator."""
    password = _read_password() if password_stdin else None

    async def work(session: AsyncSession, state: AppState) -> dict[str, Any]:
        service = OperatorService(session, state)
        found = await _find(service, _operator_ref(operator))
        updated, one_time = await service.reset_password(found.id, password=password)
        result = operator_json(updated, await service.merchants_of(updated.id))
        if one_time is not None:
            result["oneTimePassword"] = one_time
        return result

    result = run_or_fail(work)
    _print_with_password(
        result, as_json, f"Password of {result['email']} reset; every session ended."
    )
