"""``openkyc worker``: verification and webhook workers on their own, one process each."""

from __future__ import annotations

import typer

from openkyc.config import Settings
from openkyc.observability.logging import configure_logging


def worker(
    processes: int | None = typer.Option(
        None,
        "--processes",
        "-p",
        min=1,
        help="Worker processes (default OPENKYC_WORKER_PROCESSES).",
    ),
) -> None:
    """Run workers until SIGTERM/SIGINT. Each process loads the models once; run as many
    as you have cores, on as many machines as you like (with Redis and PostgreSQL)."""
    from openkyc.cli.runtime import prepare_schema
    from openkyc.worker.consumer import run_worker_processes
    from openkyc.worker.queue import build_queue

    settings = Settings()
    configure_logging(settings.log_level)
    prepare_schema(settings)
    run_worker_processes(settings, build_queue(settings), processes or settings.worker_processes)


def ready() -> None:
    """Exit 0 if the database, the queue and the media storage answer, 1 if not (a container
    health check for processes without HTTP, such as workers); prints each check as JSON."""
    import asyncio
    import json

    from openkyc.cli.runtime import command_state
    from openkyc.observability.readiness import readiness

    async def check() -> dict[str, str]:
        async with command_state() as state:
            return await readiness(state)

    checks = asyncio.run(check())
    typer.echo(json.dumps(checks))
    if any(value != "ok" for value in checks.values()):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("ready")(ready)
