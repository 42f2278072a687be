"""Running ``openkyc`` in-process against a test's own database, for the tests of the CLI's
merchant and webhook commands (they share it rather than keep copies)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openkyc.cli.main import app
from openkyc.config import Settings


def cli_env(settings: Settings) -> dict[str, str]:
    assert settings.master_key is not None
    return {
        "OPENKYC_DATA_DIR": str(settings.data_dir),
        "OPENKYC_DATABASE_URL": settings.resolved_database_url,
        "OPENKYC_MASTER_KEY": settings.master_key.get_secret_value(),
    }


async def run_cli(settings: Settings, *args: str, code: int = 0) -> str:
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=cli_env(settings))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def in_tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
