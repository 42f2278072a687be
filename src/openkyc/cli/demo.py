"""The demo merchant and back-office admin that ``make run`` creates on a fresh machine, and
how to use them."""

from __future__ import annotations

import json
import os
import shlex
import uuid

from openkyc.cli.runtime import command_state
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.merchants.tenant import Tenant
from openkyc.operators import passwords
from openkyc.operators.service import OperatorService
from openkyc.sessions.presenters import verification_url
from openkyc.sessions.schemas import CreateSessionRequest
from openkyc.sessions.service import SessionService

DEMO_NAME = "Demo merchant"
DEMO_ADMIN_EMAIL = "admin@example.com"


async def ensure_demo_merchant(settings: Settings) -> dict[str, str]:
    """Create the demo merchant once; its test keys are kept in the data dir (development only)."""
    path = settings.data_dir / "demo-merchant.json"
    async with command_state(settings) as state:
        if path.exists():
            saved: dict[str, str] = json.loads(path.read_text())
            async with unit_of_work(state.sessionmaker) as session:
                service = MerchantService(session, state.keyring)
                if await service.merchants.get(uuid.UUID(saved["merchantId"])) is not None:
                    return saved
        async with unit_of_work(state.sessionmaker) as session:
            created = await MerchantService(session, state.keyring).create(DEMO_NAME)
    saved = {
        "merchantId": str(created.merchant.id),
        "apiKey": created.test.api_key,
        "secretKey": created.test.secret_key,
    }
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(saved, handle)
    return saved


def _write_private(path: os.PathLike[str], data: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)


async def ensure_demo_admin(settings: Settings) -> dict[str, str]:
    """A back-office admin for the demo (development only), created once; its password is
    kept beside the demo merchant's keys in the data dir (owner-only)."""
    path = settings.data_dir / "demo-admin.json"
    async with command_state(settings) as state, unit_of_work(state.sessionmaker) as session:
        service = OperatorService(session, state)
        existing = await service.operators.by_email(DEMO_ADMIN_EMAIL)
        if existing is not None and path.exists():
            saved: dict[str, str] = json.loads(path.read_text())
            return saved
        password = passwords.generate_password()
        if existing is None:
            await service.create(email=DEMO_ADMIN_EMAIL, role="admin", password=password)
        else:
            # The file was lost: a new password, so what is printed works.
            await service.reset_password(existing.id, password=password)
    saved = {"email": DEMO_ADMIN_EMAIL, "password": password}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _write_private(path, saved)
    return saved


async def create_demo_session(settings: Settings, demo: dict[str, str]) -> str:
    """A fresh test session of the demo merchant, so its hosted page can be opened at once."""
    async with command_state(settings) as state, unit_of_work(state.sessionmaker) as session:
        created = await SessionService(
            session, state.keyring, default_ttl_minutes=settings.session_ttl_minutes
        ).create(
            Tenant(uuid.UUID(demo["merchantId"]), "test"),
            CreateSessionRequest(customer_id="demo", language="en"),
        )
        return verification_url(settings.public_url, created)


def demo_instructions(
    base_url: str,
    demo: dict[str, str],
    hosted_page: str | None = None,
    admin: dict[str, str] | None = None,
) -> str:
    body = '{"customerEmail":"client@example.com","customerPhone":"+79991234567","language":"ru"}'
    api_key, secret = demo["apiKey"], demo["secretKey"]
    # The signature is computed when the snippet runs, so it never goes stale.
    curl = (
        f"BODY={shlex.quote(body)}; TS=$(date +%s%3N); "
        'SIG=$(printf "%s" "POST/api/v2/kyc/sessions$TS$(printf "%s" "$BODY" | sha256sum | cut -d" " -f1)" '
        f"| openssl dgst -sha256 -hmac {shlex.quote(secret)} | sed 's/^.*= //'); "
        f"curl -s -X POST {base_url}/api/v2/kyc/sessions -H 'content-type: application/json' "
        f'-H "x-api-key: {api_key}" -H "x-timestamp: $TS" -H "x-signature: $SIG" --data "$BODY"'
    )
    client = (
        f".venv/bin/openkyc client create-session --base-url {base_url} "
        f"--api-key {api_key} --secret-key {secret} --email client@example.com"
    )
    return "\n".join(
        [
            "",
            "  OpenKYC is running (development mode: SQLite, local storage, in-process worker).",
            f"  Demo merchant {demo['merchantId']} (test mode keys):",
            f"    api key:    {api_key}",
            f"    secret key: {secret}",
            "",
            *(
                [
                    f"  Back office: {base_url}/dashboard/ (demo admin):",
                    f"    e-mail:   {admin['email']}",
                    f"    password: {admin['password']}",
                    "",
                ]
                if admin
                else []
            ),
            "  Create a session with curl (signature computed at paste time):",
            f"    {curl}",
            "",
            "  or with the bundled client:",
            f"    {client}",
            "",
            *(
                [
                    "  A ready test session: open its hosted page (the sandbox buttons decide it",
                    "  without a camera; it expires like any session):",
                    f"    {hosted_page}",
                    "",
                ]
                if hosted_page
                else []
            ),
            f"  API docs: {base_url}/docs (OpenAPI: {base_url}/openapi.json)",
            "  Guides in this repository: README.md, docs/privacy.md, docs/documents.md,",
            "  docs/face-and-liveness.md, src/openkyc/web/README.md (the hosted page)",
            "",
        ]
    )
