"""Run Alembic programmatically: the CLI, tests and start-up share one code path."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree (used in CI)."""
    command.check(alembic_config(database_url))


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def applied_revisions(database_url: str) -> set[str] | None:
    """The revisions the database is at: empty for a fresh database, None for one whose
    tables were made without Alembic (``create_all`` in tests), which is left alone.
    Call without a running event loop."""

    def inspect(sync: Connection) -> set[str] | None:
        heads = set(MigrationContext.configure(sync).get_current_heads())
        if not heads and sa_inspect(sync).get_table_names():
            return None
        return heads

    async def read() -> set[str] | None:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(inspect)
        finally:
            await engine.dispose()

    return asyncio.run(read())
