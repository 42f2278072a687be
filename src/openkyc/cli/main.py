"""The ``openkyc`` command."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, ClassVar

import typer

from openkyc.cli.lazy import LazyGroup

if TYPE_CHECKING:
    import httpx

    from openkyc.config import Settings


class OpenKycCommands(LazyGroup):
    # Every command outside this module, by name: its module is imported only when the command
    # runs (or the help lists them all). `openkyc verify-document` thus loads the document
    # reader and not the database layer, the web stack or the face pipeline (issue 26).
    lazy: ClassVar[dict[str, str]] = {
        "merchants": "openkyc.cli.merchants:merchants_app",
        "keys": "openkyc.cli.merchants:keys_app",
        "client": "openkyc.cli.client:client_app",
        "operators": "openkyc.cli.operators:operators_app",
        "audit": "openkyc.cli.audit:audit_app",
        # Pipeline and job commands register themselves beside their packages.
        "specimens": "openkyc.cli.documents",
        "verify-document": "openkyc.cli.documents",
        "verify": "openkyc.cli.verify",
        "worker": "openkyc.cli.worker",
        "ready": "openkyc.cli.worker",
        "webhooks": "openkyc.cli.webhooks",
        "review": "openkyc.cli.review",
        "retention": "openkyc.cli.retention",
        "sessions": "openkyc.cli.retention",
    }


app = typer.Typer(
    help="OpenKYC: self-hosted identity verification.",
    no_args_is_help=True,
    # Errors are one line (see main); OPENKYC_DEBUG=1 shows the plain traceback instead.
    pretty_exceptions_enable=False,
    cls=OpenKycCommands,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from openkyc.config import Settings
    from openkyc.db import migrate

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url, revision)
    typer.echo("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    from openkyc.config import Settings
    from openkyc.db import migrate

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if migrate.applied_revisions(url) != migrate.head_revisions():
        typer.echo("error: the database is not migrated: run `openkyc db upgrade` first", err=True)
        raise typer.Exit(1)
    migrate.check(url)
    typer.echo("models and migrations agree")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    demo: bool = typer.Option(
        True,
        "--demo/--no-demo",
        help="Development only: create and print the demo merchant and admin.",
    ),
) -> None:
    """Serve the API and the hosted pages (and, by default, the worker in the same process)."""
    import asyncio

    import uvicorn

    from openkyc.cli.demo import (
        create_demo_session,
        demo_instructions,
        ensure_demo_admin,
        ensure_demo_merchant,
    )
    from openkyc.config import Settings
    from openkyc.db import migrate
    from openkyc.observability.logging import configure_logging

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
            hosted_page = asyncio.run(create_demo_session(settings, details))
            admin = asyncio.run(ensure_demo_admin(settings))
            typer.echo(demo_instructions(f"http://{host}:{port}", details, hosted_page, admin))
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
        # SIGTERM: uvicorn stops accepting at once and lets open requests finish for up to
        # this long, then runs the lifespan shutdown (the embedded worker gets as long again).
        "timeout_graceful_shutdown": max(1, round(settings.shutdown_timeout_s)),
    }


def _target(exc: httpx.TransportError) -> str:
    try:
        return str(exc.request.url)
    except RuntimeError:  # raised before a request was bound to the error
        return "the server"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _known_failure(exc: Exception) -> str | None:
    """The one line for a failure an operator can act on, or None for anything else.

    The error classes are looked up among the modules already imported: an error of a library
    the command never loaded cannot have been raised, and importing httpx, pydantic or the
    domain layer only to rule that out would cost every command its start-up time."""
    errors = sys.modules.get("openkyc.errors")
    if errors is not None and isinstance(exc, errors.OpenKycError):
        from openkyc.cli.runtime import describe

        return _one_line(describe(exc))
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):
        # Settings refused (e.g. production without a master key): each problem named.
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'settings'}: {error['msg']}"
            for error in exc.errors()
        )
        return f"invalid settings: {_one_line(problems)}"
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return f"cannot reach {_target(exc)}: {_one_line(str(exc))}"
    return None


def main(argv: list[str] | None = None) -> None:
    """The console script: every failure is one line on stderr and a non-zero exit."""
    try:
        result = app(args=argv, standalone_mode=False)
    except typer.TyperException as exc:
        # Typer's own test (by name, its class is private): a bare group prints its help.
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())
        else:
            # Usage errors: the bad option and what is wrong with it, without the usage banner.
            typer.echo(f"error: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        message = _known_failure(exc)
        if message is None and os.environ.get("OPENKYC_DEBUG"):
            raise
        if message is None:
            message = (
                f"{type(exc).__name__}: {_one_line(str(exc))[:500]} "
                "(OPENKYC_DEBUG=1 shows the traceback)"
            )
        typer.echo(f"error: {message}", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
