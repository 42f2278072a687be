"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), the real app.

Every test that asks for ``state`` runs once per configured database. SQLite gets a fresh
file per test; PostgreSQL gets the schema once and every table truncated after each test.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from openkyc.app import create_app
from openkyc.config import Settings
from openkyc.db.models import Base
from openkyc.db.session import unit_of_work
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState, build_state
from tests.s3server import S3Server
from tests.support import KeyPairInfo, LiveServer, MerchantInfo, SignedApi

POSTGRES_URL = os.environ.get("OPENKYC_TEST_POSTGRES_URL")
DATABASES = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
_pg_schema_ready = False


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgres":
        assert POSTGRES_URL is not None
        request.applymarker(pytest.mark.postgres)
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture
def settings(tmp_path: Any, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "var",
        database_url=database_url,
        master_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        public_url="http://testserver",
        rate_limit="10000/minute",
        run_worker_in_process=False,
    )


async def _prepare_schema(url: str) -> None:
    global _pg_schema_ready
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        if url.startswith("postgresql"):
            if not _pg_schema_ready:
                await connection.run_sync(Base.metadata.drop_all)
                await connection.run_sync(Base.metadata.create_all)
                _pg_schema_ready = True
        else:
            await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()


async def _truncate(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def state(settings: Settings) -> AsyncIterator[AppState]:
    await _prepare_schema(settings.resolved_database_url)
    app_state = build_state(settings)
    try:
        yield app_state
    finally:
        await app_state.close()
        await _truncate(settings.resolved_database_url)


@pytest.fixture
async def client(state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(state=state)
    app.state.openkyc = state
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def make_merchant(state: AppState) -> Any:
    """Factory: ``await make_merchant(name=...)`` -> MerchantInfo with both key pairs."""

    async def factory(name: str = "Test merchant") -> MerchantInfo:
        async with unit_of_work(state.sessionmaker) as session:
            created = await MerchantService(session, state.keyring).create(name)
        return MerchantInfo(
            id=str(created.merchant.id),
            name=name,
            live=KeyPairInfo(created.live.api_key, created.live.secret_key),
            test=KeyPairInfo(created.test.api_key, created.test.secret_key),
        )

    return factory


@pytest.fixture
async def merchant(make_merchant: Any) -> MerchantInfo:
    result: MerchantInfo = await make_merchant()
    return result


@pytest.fixture
def api(client: httpx.AsyncClient, merchant: MerchantInfo) -> SignedApi:
    """The merchant's test-mode key, signing every request."""
    return SignedApi(client, merchant.test)


@pytest.fixture
def live_server(settings: Settings, state: AppState) -> Iterator[LiveServer]:
    """Depends on ``state`` so the schema exists; the server builds its own engine and state."""
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One moto S3 server for the whole run, started on first use; tests take fresh buckets."""
    with S3Server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def s3_settings(settings: Settings, s3_server: S3Server) -> Settings:
    """``settings`` with media in a fresh bucket of the test S3 server."""
    return s3_server.apply(settings, s3_server.new_bucket())
