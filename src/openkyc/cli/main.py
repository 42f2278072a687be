"""The ``openkyc`` command."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import typer
import uvicorn

from openkyc.cli.client import client_app
from openkyc.cli.demo import demo_instructions, ensure_demo_merchant
from openkyc.cli.merchants import keys_app, merchants_app
from openkyc.config import Settings
from openkyc.db import migrate
from openkyc.observability.logging import configure_logging

app = typer.Typer(help="OpenKYC: self-hosted identity verification.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(merchants_app, name="merchants")
app.add_typer(keys_app, name="keys")
app.add_typer(client_app, name="client")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url, revision)
    typer.echo("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    migrate.check(Settings().resolved_database_url)
    typer.echo("models and migrations agree")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    demo: bool = typer.Option(
        True, "--demo/--no-demo", help="Development only: create and print the demo merchant."
    ),
) -> None:
    """Serve the API and the hosted pages (and, by default, the worker in the same process)."""
    settings = Settings()
    if "public_url" not in settings.model_fields_set:
        # Links must point where this process actually listens unless told otherwise.
        settings = settings.model_copy(update={"public_url": f"http://{host}:{port}"})
    configure_logging(settings.log_level)
    if not settings.is_production:
        # Embedded mode keeps the one-command promise: migrate and seed before serving.
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.resolved_database_url)
        if demo:
            details = asyncio.run(ensure_demo_merchant(settings))
            typer.echo(demo_instructions(f"http://{host}:{port}", details))
    from openkyc.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `openkyc serve` runs uvicorn; forwarded headers only from OPENKYC_TRUSTED_PROXIES.

    uvicorn's default believes X-Forwarded-For/-Proto from 127.0.0.1, so any local process
    (or a proxy that passes the client's own headers through) could choose the client address
    the per-IP limits and consent records see.
    """
    trusted = settings.trusted_proxy_list
    return {
        "log_config": None,
        "access_log": False,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or [],
    }


def _register_optional(module_name: str) -> None:
    # Pipeline commands live beside their packages and pull in the ML stack only when used.
    module = importlib.import_module(module_name)
    module.register(app)


for _module in (
    "openkyc.cli.documents",
    "openkyc.cli.verify",
    "openkyc.cli.worker",
    "openkyc.cli.webhooks",
    "openkyc.cli.review",
    "openkyc.cli.retention",
):
    try:
        _register_optional(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise


if __name__ == "__main__":
    app()
