"""The operator's commands, run as an operator would, against a real database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openkyc.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "var"
    monkeypatch.setenv("OPENKYC_DATA_DIR", str(data_dir))
    monkeypatch.delenv("OPENKYC_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return data_dir


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_merchants_create_json_has_the_exact_shape(cli_env: Path) -> None:
    payload = json.loads(_run("merchants", "create", "--name", "Shop", "--json"))
    assert set(payload) == {"merchantId", "live", "test"}
    assert set(payload["live"]) == {"apiKey", "secretKey"}
    assert payload["live"]["apiKey"].startswith("pk_live_")
    assert payload["live"]["secretKey"].startswith("sk_live_")
    assert payload["test"]["apiKey"].startswith("pk_test_")
    assert payload["test"]["secretKey"].startswith("sk_test_")
    listed = json.loads(_run("merchants", "list", "--json"))
    assert listed == [{"merchantId": payload["merchantId"], "name": "Shop", "active": True}]


def test_friendly_output_without_json(cli_env: Path) -> None:
    output = _run("merchants", "create", "--name", "Shop")
    assert "not shown again" in output
    assert re.search(r"sk_test_\w+", output)


def test_keys_lifecycle(cli_env: Path) -> None:
    merchant = json.loads(_run("merchants", "create", "--name", "Shop", "--json"))
    keys = json.loads(_run("keys", "list", "--merchant", merchant["merchantId"], "--json"))
    assert len(keys) == 2
    listing = json.dumps(keys)
    assert merchant["test"]["secretKey"] not in listing
    assert merchant["test"]["apiKey"] not in listing  # only a hint is shown

    created = json.loads(
        _run("keys", "create", "--merchant", merchant["merchantId"], "--mode", "live", "--json")
    )
    assert created["apiKey"].startswith("pk_live_")
    rotated = json.loads(_run("keys", "rotate", created["keyId"], "--grace", "2h", "--json"))
    assert rotated["keyId"] != created["keyId"]
    keys = json.loads(_run("keys", "list", "--merchant", merchant["merchantId"], "--json"))
    old = next(k for k in keys if k["keyId"] == created["keyId"])
    assert old["expiresAt"] is not None
    assert old["revokedAt"] is None

    _run("keys", "revoke", rotated["keyId"])
    result = runner.invoke(app, ["keys", "revoke", rotated["keyId"]])
    assert result.exit_code == 1
    assert "KEY_REVOKED" in result.output


def test_bad_arguments_fail_cleanly(cli_env: Path) -> None:
    result = runner.invoke(app, ["keys", "list", "--merchant", "nope"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["keys", "rotate", "7c7f8a8e-0000-4000-8000-000000000000"])
    assert result.exit_code == 1
    assert "NOT_FOUND" in result.output
