"""``openkyc merchants`` and ``openkyc keys``: provisioning that can be scripted."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import fail, parse_uuid, run_in_transaction
from openkyc.errors import OpenKycError
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState

merchants_app = typer.Typer(help="Create and list merchants.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage a merchant's API keys.", no_args_is_help=True)


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``24h``, ``7d`` or a bare number of seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not match:
        raise typer.BadParameter("use a number with s, m, h or d, e.g. 24h")
    amount, unit = int(match.group(1)), match.group(2) or "s"
    return timedelta(seconds=amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])


@merchants_app.command("create")
def create_merchant(
    name: str = typer.Option(..., "--name", help="Display name, shown to customers."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable keys."),
) -> None:
    """Create a merchant with one live and one test key pair. Secrets are shown once."""
    if not name.strip():
        raise typer.BadParameter("name must not be empty")

    async def work(session: AsyncSession, state: AppState) -> dict[str, object]:
        created = await MerchantService(session, state.keyring).create(name.strip())
        return {
            "merchantId": str(created.merchant.id),
            "live": {"apiKey": created.live.api_key, "secretKey": created.live.secret_key},
            "test": {"apiKey": created.test.api_key, "secretKey": created.test.secret_key},
        }

    result = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"Merchant {name!r} created: {result['merchantId']}")
    for mode in ("live", "test"):
        pair = result[mode]
        assert isinstance(pair, dict)
        typer.echo(f"  {mode}: api key {pair['apiKey']}\n        secret  {pair['secretKey']}")
    typer.echo("Store the secrets now: they are not shown again.")


@merchants_app.command("list")
def list_merchants(as_json: bool = typer.Option(False, "--json")) -> None:
    """List merchants."""

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, object]]:
        merchants = await MerchantService(session, state.keyring).list()
        return [{"merchantId": str(m.id), "name": m.name, "active": m.active} for m in merchants]

    rows = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        typer.echo(
            f"{row['merchantId']}  {row['name']}  {'active' if row['active'] else 'inactive'}"
        )


@keys_app.command("list")
def list_keys(
    merchant: str = typer.Option(..., "--merchant", help="Merchant id."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List a merchant's keys (public hints only; secrets are never shown again)."""
    merchant_id = parse_uuid(merchant, "--merchant")

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, object]]:
        keys = await MerchantService(session, state.keyring).list_keys(merchant_id)
        return [
            {
                "keyId": str(k.id),
                "mode": k.mode,
                "apiKey": k.public_key_hint,
                "label": k.label,
                "createdAt": k.created_at.isoformat(),
                "revokedAt": k.revoked_at.isoformat() if k.revoked_at else None,
                "expiresAt": k.expires_at.isoformat() if k.expires_at else None,
            }
            for k in keys
        ]

    try:
        rows = run_in_transaction(work)
    except OpenKycError as exc:
        fail(exc)
        return
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = (
            "revoked"
            if row["revokedAt"]
            else f"expires {row['expiresAt']}"
            if row["expiresAt"]
            else "active"
        )
        typer.echo(f"{row['keyId']}  {row['mode']:4}  {row['apiKey']}  {state}")


@keys_app.command("create")
def create_key(
    merchant: str = typer.Option(..., "--merchant"),
    mode: str = typer.Option("test", "--mode", help="live or test"),
    label: str | None = typer.Option(None, "--label"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Issue a new key pair. The secret is shown once."""
    merchant_id = parse_uuid(merchant, "--merchant")
    if mode not in ("live", "test"):
        raise typer.BadParameter("--mode must be live or test")

    async def work(session: AsyncSession, state: AppState) -> dict[str, str]:
        issued = await MerchantService(session, state.keyring).create_key(
            merchant_id, mode, label=label
        )
        return {
            "keyId": str(issued.key.id),
            "apiKey": issued.pair.api_key,
            "secretKey": issued.pair.secret_key,
        }

    try:
        result = run_in_transaction(work)
    except OpenKycError as exc:
        fail(exc)
        return
    typer.echo(json.dumps(result) if as_json else "\n".join(f"{k}: {v}" for k, v in result.items()))


@keys_app.command("revoke")
def revoke_key(key_id: str = typer.Argument(..., help="Key id from `keys list`.")) -> None:
    """Revoke a key: it is refused from the next request on."""
    parsed = parse_uuid(key_id, "key id")

    async def work(session: AsyncSession, state: AppState) -> None:
        await MerchantService(session, state.keyring).revoke_key(parsed)

    try:
        run_in_transaction(work)
    except OpenKycError as exc:
        fail(exc)
    typer.echo(f"revoked {parsed}")


@keys_app.command("rotate")
def rotate_key(
    key_id: str = typer.Argument(...),
    grace: str = typer.Option("24h", "--grace", help="How long the old key keeps working."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Issue a replacement; the old key stays valid for the grace period, then stops."""
    parsed = parse_uuid(key_id, "key id")
    period = parse_duration(grace)

    async def work(session: AsyncSession, state: AppState) -> dict[str, str]:
        issued = await MerchantService(session, state.keyring).rotate_key(parsed, grace=period)
        return {
            "keyId": str(issued.key.id),
            "apiKey": issued.pair.api_key,
            "secretKey": issued.pair.secret_key,
            "oldKeyValidFor": grace,
        }

    try:
        result = run_in_transaction(work)
    except OpenKycError as exc:
        fail(exc)
        return
    typer.echo(json.dumps(result) if as_json else "\n".join(f"{k}: {v}" for k, v in result.items()))
