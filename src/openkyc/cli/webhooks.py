"""``openkyc webhooks add|list|remove|test``: the same service as the API, for operators."""

from __future__ import annotations

import json

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import parse_uuid, run_in_transaction, run_or_fail
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.schemas import CreateSessionRequest
from openkyc.sessions.service import SessionService
from openkyc.state import AppState
from openkyc.webhooks.service import WebhookService
from openkyc.worker.enqueue import enqueue_after_commit
from openkyc.worker.names import DELIVER_WEBHOOK

webhooks_app = typer.Typer(help="Manage merchants' webhook endpoints.", no_args_is_help=True)


@webhooks_app.command("add")
def add(
    merchant: str = typer.Option(..., "--merchant", help="Merchant id."),
    url: str = typer.Option(..., "--url"),
    events: list[str] = typer.Option(
        ["kyc.completed", "kyc.failed"], "--event", help="Repeat for several events."
    ),
    mode: str = typer.Option(
        ...,
        "--mode",
        help="live or test: the sessions whose events this endpoint receives (a test key's "
        "sessions are test sessions; make run's demo merchant has test keys).",
    ),
    secret: str | None = typer.Option(None, "--secret", help="Default: a generated whsec_…"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Register an endpoint. The secret is printed once."""
    if mode not in ("live", "test"):
        raise typer.BadParameter("must be live or test", param_hint="--mode")
    merchant_id = parse_uuid(merchant, "--merchant")

    async def work(session: AsyncSession, state: AppState) -> dict[str, str]:
        created = await WebhookService(session, state.keyring).create_endpoint(
            Tenant(merchant_id, mode),
            url=url,
            events=events,
            secret=secret,
            production=state.settings.is_production,
            actor_type="operator",
        )
        return {"id": str(created.endpoint.id), "secret": created.secret, "mode": mode}

    result = run_or_fail(work)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(
            f"webhook {result['id']}: receives {mode}-mode sessions' events only\n"
            f"secret  {result['secret']}  (shown once)"
        )


@webhooks_app.command("list")
def list_endpoints(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every endpoint of every merchant (never the secrets)."""

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, object]]:
        return [
            {
                "id": str(endpoint.id),
                "merchantId": str(endpoint.merchant_id),
                "mode": endpoint.mode,
                "url": endpoint.url,
                "events": list(endpoint.events),
                "active": endpoint.active,
                "disabledReason": endpoint.disabled_reason,
            }
            for endpoint in await WebhookService(session, state.keyring).list_all()
        ]

    items = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    for item in items:
        status = "active" if item["active"] else f"disabled ({item['disabledReason']})"
        typer.echo(f"{item['id']}  {item['mode']}  {status}  {item['url']}  {item['events']}")


@webhooks_app.command("remove")
def remove(webhook_id: str = typer.Argument(...)) -> None:
    """Delete an endpoint and its pending deliveries."""
    parsed = parse_uuid(webhook_id, "WEBHOOK_ID")

    async def work(session: AsyncSession, state: AppState) -> None:
        service = WebhookService(session, state.keyring)
        await service.delete_endpoint(
            await service.get_endpoint_by_id(parsed), actor_type="operator"
        )

    run_or_fail(work)
    typer.echo(f"removed {webhook_id}")


@webhooks_app.command("test")
def send_test(webhook_id: str = typer.Argument(...)) -> None:
    """Queue a signed test event (``"test": true``) to the endpoint; a worker delivers it and
    ``GET /api/v2/webhooks/{id}/deliveries`` shows the attempt."""
    parsed = parse_uuid(webhook_id, "WEBHOOK_ID")

    async def work(session: AsyncSession, state: AppState) -> str:
        service = WebhookService(session, state.keyring)
        endpoint = await service.get_endpoint_by_id(parsed)
        # A throwaway session of the endpoint's tenant gives the event a real shape.
        sessions = SessionService(
            session, state.keyring, default_ttl_minutes=state.settings.session_ttl_minutes
        )
        kyc_session = await sessions.create(
            Tenant(endpoint.merchant_id, endpoint.mode),
            CreateSessionRequest(customer_id="openkyc-webhook-test"),
        )
        delivery = await service.record_test_event(endpoint, kyc_session)
        enqueue_after_commit(session, DELIVER_WEBHOOK, delivery.id)
        return delivery.event_id

    event_id = run_or_fail(work)
    typer.echo(f"queued test event {event_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
