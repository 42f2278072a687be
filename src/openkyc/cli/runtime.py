"""How a CLI command gets its resources: settings, state, and one unit of work."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import NoReturn, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.config import Settings
from openkyc.db import migrate
from openkyc.db.session import unit_of_work
from openkyc.errors import OpenKycError
from openkyc.state import AppState, build_state

T = TypeVar("T")


class SchemaNotMigrated(OpenKycError):
    http_status = 503
    code = "SCHEMA_NOT_MIGRATED"
    message = "the database is not at the latest migration: run `openkyc db upgrade` first"


def prepare_schema(settings: Settings) -> None:
    """Make the first command on a fresh machine work, whichever it is.

    Development migrates on first use, as ``serve`` does; production never changes its schema
    behind the operator's back and refuses, naming the command to run. A database whose tables
    were made without Alembic (the tests' ``create_all``) is left alone. Call without a
    running event loop.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    applied = migrate.applied_revisions(url)
    if applied is None or applied == migrate.head_revisions():
        return
    if settings.is_production:
        raise SchemaNotMigrated()
    migrate.upgrade(url)


@asynccontextmanager
async def command_state(settings: Settings | None = None) -> AsyncIterator[AppState]:
    settings = settings or Settings()
    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(prepare_schema, settings)
    state = build_state(settings)
    try:
        yield state
    finally:
        await state.close()


def run_in_transaction(work: Callable[[AsyncSession, AppState], Awaitable[T]]) -> T:
    async def main() -> T:
        async with command_state() as state, unit_of_work(state.sessionmaker) as session:
            return await work(session, state)

    return asyncio.run(main())


def describe(exc: OpenKycError) -> str:
    """A domain error the way an operator reads it: its code, then every bad field named."""
    message = exc.message
    errors = getattr(exc, "errors", None)
    if errors:
        message = "; ".join(f"{field}: {problem}" for field, problem in errors.items())
    return f"{exc.code}: {message}"


def fail(exc: OpenKycError) -> NoReturn:
    """Print a domain error on one line and exit 1."""
    typer.echo(f"error: {describe(exc)}", err=True)
    raise typer.Exit(1)


def run_or_fail(work: Callable[[AsyncSession, AppState], Awaitable[T]]) -> T:
    """:func:`run_in_transaction`, a domain error printed on one line with exit 1."""
    try:
        return run_in_transaction(work)
    except OpenKycError as exc:
        fail(exc)


def parse_uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        typer.echo(f"error: {what} must be a UUID", err=True)
        raise typer.Exit(2) from None
