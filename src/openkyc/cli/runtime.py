"""How a CLI command gets its resources: settings, state, and one unit of work."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.errors import OpenKycError
from openkyc.state import AppState, build_state

T = TypeVar("T")


@asynccontextmanager
async def command_state(settings: Settings | None = None) -> AsyncIterator[AppState]:
    state = build_state(settings or Settings())
    try:
        yield state
    finally:
        await state.close()


def run_in_transaction(work: Callable[[AsyncSession, AppState], Awaitable[T]]) -> T:
    async def main() -> T:
        async with command_state() as state, unit_of_work(state.sessionmaker) as session:
            return await work(session, state)

    return asyncio.run(main())


def fail(exc: OpenKycError) -> None:
    """Print a domain error the way an operator reads it (every bad field named) and exit 1."""
    message = exc.message
    errors = getattr(exc, "errors", None)
    if errors:
        message = "; ".join(f"{field}: {problem}" for field, problem in errors.items())
    typer.echo(f"error: {exc.code}: {message}", err=True)
    raise typer.Exit(1)


def parse_uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        typer.echo(f"error: {what} must be a UUID", err=True)
        raise typer.Exit(2) from None
