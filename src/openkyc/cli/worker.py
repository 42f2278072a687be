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


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
