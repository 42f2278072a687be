"""``openkyc merchants`` and ``openkyc keys``: provisioning that can be scripted."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.cli.runtime import parse_uuid, run_in_transaction, run_or_fail
from openkyc.merchants.branding import LOGO_MAX_BYTES
from openkyc.merchants.keys import DEFAULT_SCOPES, SCOPES, parse_scopes
from openkyc.merchants.models import ApiKey, Merchant
from openkyc.merchants.service import UNSET, MerchantService, key_scopes
from openkyc.merchants.tenant import Tenant
from openkyc.state import AppState
from openkyc.verifications.policy import POLICY_FIELDS, effective_policy
from openkyc.webhooks.service import WebhookService

merchants_app = typer.Typer(
    help="Create, inspect, change, disable and enable merchants.", no_args_is_help=True
)
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


def key_json(key: ApiKey) -> dict[str, object]:
    return {
        "keyId": str(key.id),
        "mode": key.mode,
        "apiKey": key.public_key_hint,
        "label": key.label,
        "createdAt": key.created_at.isoformat(),
        "revokedAt": key.revoked_at.isoformat() if key.revoked_at else None,
        "expiresAt": key.expires_at.isoformat() if key.expires_at else None,
        "scopes": list(key_scopes(key)),
    }


async def merchant_profile(
    session: AsyncSession, state: AppState, merchant: Merchant
) -> dict[str, Any]:
    """What `merchants show` prints: settings as set and as applied, keys, webhooks."""
    service = MerchantService(session, state.keyring)
    webhooks = WebhookService(session, state.keyring)
    endpoints = [
        endpoint
        for mode in ("live", "test")
        for endpoint in await webhooks.list_endpoints(Tenant(merchant.id, mode))
    ]
    return {
        "merchantId": str(merchant.id),
        "name": merchant.name,
        "active": merchant.active,
        "createdAt": merchant.created_at.isoformat(),
        "sessionTtlMinutes": merchant.session_ttl_minutes,
        "effectiveSessionTtlMinutes": merchant.session_ttl_minutes
        or state.settings.session_ttl_minutes,
        "policy": merchant.policy or {},
        "displayName": merchant.display_name,
        "accentColour": merchant.accent_colour,
        "logo": merchant.logo_digest,
        "effectivePolicy": effective_policy(merchant.policy),
        "keys": [key_json(key) for key in await service.list_keys(merchant.id)],
        "webhooks": [
            {
                "id": str(endpoint.id),
                "mode": endpoint.mode,
                "url": endpoint.url,
                "events": list(endpoint.events),
                "active": endpoint.active,
            }
            for endpoint in endpoints
        ],
    }


def _print_profile(profile: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(profile, indent=2))
        return
    typer.echo(
        f"{profile['merchantId']}  {profile['name']}  "
        f"{'active' if profile['active'] else 'DISABLED'}\n"
        f"session lifetime: {profile['effectiveSessionTtlMinutes']} min"
        f"{'' if profile['sessionTtlMinutes'] else ' (the default)'}\n"
        f"brand: display name {profile['displayName'] or '(the name)'}, "
        f"accent colour {profile['accentColour'] or '(the default)'}, "
        f"logo {'set' if profile['logo'] else 'none'}"
    )
    policy, effective = profile["policy"], profile["effectivePolicy"]
    typer.echo("policy (* set for this merchant, otherwise the default):")
    for field, value in effective.items():
        typer.echo(f"  {'*' if field in policy else ' '} {field}: {json.dumps(value)}")
    for key in profile["keys"]:
        typer.echo(f"key {key['keyId']}  {key['mode']:4}  {key['apiKey']}")
    for hook in profile["webhooks"]:
        typer.echo(f"webhook {hook['id']}  {hook['mode']}  {hook['url']}")


@merchants_app.command("show")
def show_merchant(
    merchant: str = typer.Argument(..., help="Merchant id."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A merchant's settings (policy as set and as applied), keys and webhooks."""
    merchant_id = parse_uuid(merchant, "MERCHANT_ID")

    async def work(session: AsyncSession, state: AppState) -> dict[str, Any]:
        found = await MerchantService(session, state.keyring).get(merchant_id)
        return await merchant_profile(session, state, found)

    _print_profile(run_or_fail(work), as_json)


def _codes(text: str | None) -> list[str] | None:
    if text is None or text.strip().lower() in ("", "any", "all"):
        return None
    return [item.strip() for item in text.split(",") if item.strip()]


def _ttl(text: str | None) -> int | None:
    if text is None:
        return UNSET  # type: ignore[no-any-return]
    if text.strip().lower() == "default":
        return None
    try:
        return int(text)
    except ValueError:
        raise typer.BadParameter(
            "a number of minutes, or 'default'", param_hint="--session-ttl-minutes"
        ) from None


@merchants_app.command("update")
def update_merchant(
    merchant: str = typer.Argument(..., help="Merchant id."),
    name: str | None = typer.Option(None, "--name", help="Rename (shown to customers)."),
    session_ttl: str | None = typer.Option(
        None, "--session-ttl-minutes", help="Session lifetime in minutes, or 'default'."
    ),
    policy: str | None = typer.Option(
        None, "--policy", help="The whole decision policy as a JSON object (replaces it)."
    ),
    minimum_age: int | None = typer.Option(None, "--minimum-age"),
    allowed_countries: str | None = typer.Option(
        None, "--allowed-countries", help="Comma-separated alpha-3 codes, or 'any'."
    ),
    allowed_document_types: str | None = typer.Option(
        None, "--allowed-document-types", help="passport,id_card,visa, or 'any'."
    ),
    allowed_document_kinds: str | None = typer.Option(
        None, "--allowed-document-kinds", help="The hosted page's choices, or 'all'."
    ),
    face_match_threshold: float | None = typer.Option(None, "--face-match-threshold"),
    face_review_floor: float | None = typer.Option(None, "--face-review-floor"),
    liveness_threshold: float | None = typer.Option(None, "--liveness-threshold"),
    review_band: float | None = typer.Option(None, "--review-band"),
    retakes_allowed: int | None = typer.Option(None, "--retakes-allowed"),
    reject_duplicates: bool | None = typer.Option(None, "--reject-duplicates/--accept-duplicates"),
    four_eyes: bool | None = typer.Option(
        None, "--four-eyes/--one-reviewer", help="A review decision needs a second reviewer."
    ),
    reset: list[str] = typer.Option(
        [], "--reset", help="A policy field back to its default (repeat for several)."
    ),
    display_name: str | None = typer.Option(
        None, "--display-name", help="Name on the hosted page; '' for the merchant's name."
    ),
    accent_colour: str | None = typer.Option(
        None,
        "--accent-colour",
        help="#RRGGBB for the hosted page's buttons (WCAG AA contrast); '' for the default.",
    ),
    logo: Path | None = typer.Option(
        None, "--logo", help="PNG, JPEG or WebP, at most 256 KB and 1024x1024 px."
    ),
    remove_logo: bool = typer.Option(False, "--remove-logo", help="Show no logo."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a merchant's name, session lifetime, decision policy or hosted-page brand. Each bad value is named;
    nothing changes unless all are valid; every change is audited with its old value."""
    merchant_id = parse_uuid(merchant, "MERCHANT_ID")
    whole: dict[str, object] | None = None
    if policy is not None:
        try:
            whole = json.loads(policy)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"not JSON ({exc.msg})", param_hint="--policy") from None
        if not isinstance(whole, dict):
            raise typer.BadParameter("must be a JSON object", param_hint="--policy")
    unknown = [field for field in reset if field not in POLICY_FIELDS]
    if unknown:
        raise typer.BadParameter(
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(POLICY_FIELDS)}",
            param_hint="--reset",
        )
    flags: dict[str, object] = {
        "minimumAge": minimum_age,
        "faceMatchThreshold": face_match_threshold,
        "faceReviewFloor": face_review_floor,
        "livenessThreshold": liveness_threshold,
        "reviewBand": review_band,
        "retakesAllowed": retakes_allowed,
        "rejectDuplicates": reject_duplicates,
        "fourEyes": four_eyes,
    }
    changes: dict[str, object] = {key: value for key, value in flags.items() if value is not None}
    for field, text in (
        ("allowedCountries", allowed_countries),
        ("allowedDocumentTypes", allowed_document_types),
        ("allowedDocumentKinds", allowed_document_kinds),
    ):
        if text is not None:
            changes[field] = _codes(text)  # None: back to "any"
    changes.update({field: None for field in reset})
    ttl = _ttl(session_ttl)
    if logo is not None and remove_logo:
        raise typer.BadParameter("give --logo or --remove-logo, not both", param_hint="--logo")
    logo_bytes: bytes | None = None if remove_logo else UNSET
    if logo is not None:
        try:
            with logo.open("rb") as handle:
                # One byte past the limit is enough for the service to say "too large".
                logo_bytes = handle.read(LOGO_MAX_BYTES + 1)
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot read it ({exc.strerror})", param_hint="--logo"
            ) from None

    async def work(session: AsyncSession, state: AppState) -> dict[str, Any]:
        updated = await MerchantService(session, state.keyring).update(
            merchant_id,
            name=name,
            session_ttl_minutes=ttl,
            policy=whole,
            policy_changes=changes or None,
            display_name=UNSET if display_name is None else display_name,
            accent_colour=UNSET if accent_colour is None else accent_colour,
            logo=logo_bytes,
        )
        return await merchant_profile(session, state, updated)

    _print_profile(run_or_fail(work), as_json)


def _set_active(merchant: str, active: bool) -> None:
    merchant_id = parse_uuid(merchant, "MERCHANT_ID")

    async def work(session: AsyncSession, state: AppState) -> None:
        await MerchantService(session, state.keyring).set_active(merchant_id, active)

    run_or_fail(work)
    typer.echo(f"{merchant_id}: {'enabled' if active else 'disabled'}")


@merchants_app.command("disable")
def disable_merchant(merchant: str = typer.Argument(..., help="Merchant id.")) -> None:
    """Refuse every request of the merchant's keys (403 PARTNER_INACTIVE) until enabled."""
    _set_active(merchant, False)


@merchants_app.command("enable")
def enable_merchant(merchant: str = typer.Argument(..., help="Merchant id.")) -> None:
    """Let a disabled merchant's keys work again."""
    _set_active(merchant, True)


@keys_app.command("list")
def list_keys(
    merchant: str = typer.Option(..., "--merchant", help="Merchant id."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List a merchant's keys (public hints only; secrets are never shown again)."""
    merchant_id = parse_uuid(merchant, "--merchant")

    async def work(session: AsyncSession, state: AppState) -> list[dict[str, object]]:
        keys = await MerchantService(session, state.keyring).list_keys(merchant_id)
        return [key_json(key) for key in keys]

    rows = run_or_fail(work)
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
    scope: str = typer.Option(
        ",".join(DEFAULT_SCOPES),
        "--scope",
        help=f"What the key may call, comma-separated: {', '.join(SCOPES)} "
        "(media: the evidence API, never by default).",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Issue a new key pair. The secret is shown once."""
    merchant_id = parse_uuid(merchant, "--merchant")
    if mode not in ("live", "test"):
        raise typer.BadParameter("--mode must be live or test")
    try:
        scopes = parse_scopes(scope)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scope") from None

    async def work(session: AsyncSession, state: AppState) -> dict[str, str]:
        issued = await MerchantService(session, state.keyring).create_key(
            merchant_id, mode, label=label, scopes=scopes
        )
        return {
            "keyId": str(issued.key.id),
            "apiKey": issued.pair.api_key,
            "secretKey": issued.pair.secret_key,
            "scopes": ",".join(scopes),
        }

    result = run_or_fail(work)
    typer.echo(json.dumps(result) if as_json else "\n".join(f"{k}: {v}" for k, v in result.items()))


@keys_app.command("revoke")
def revoke_key(key_id: str = typer.Argument(..., help="Key id from `keys list`.")) -> None:
    """Revoke a key: it is refused from the next request on."""
    parsed = parse_uuid(key_id, "key id")

    async def work(session: AsyncSession, state: AppState) -> None:
        await MerchantService(session, state.keyring).revoke_key(parsed)

    run_or_fail(work)
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

    result = run_or_fail(work)
    typer.echo(json.dumps(result) if as_json else "\n".join(f"{k}: {v}" for k, v in result.items()))
