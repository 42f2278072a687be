"""``openkyc operators``, run as an administrator would, against a real database."""

from __future__ import annotations

import json
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
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return data_dir


def _json(*args: str, stdin: str | None = None) -> object:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_create_prints_the_operator_and_a_one_time_password(cli_env: Path) -> None:
    shop = _json("merchants", "create", "--name", "Shop", "--json")
    assert isinstance(shop, dict)
    created = _json(
        "operators", "create", "--email", " Ana@Example.COM ", "--role", "reviewer",
        "--merchant", shop["merchantId"], "--json",
    )  # fmt: skip
    assert isinstance(created, dict)
    assert {"operatorId", "email", "role", "merchants", "oneTimePassword"} <= set(created)
    assert created["email"] == "ana@example.com"
    assert created["role"] == "reviewer"
    assert created["merchants"] == [shop["merchantId"]]
    assert created["mustChangePassword"] is True
    assert len(created["oneTimePassword"]) >= 16
    listed = _json("operators", "list", "--json")
    assert isinstance(listed, list)
    assert [row["email"] for row in listed] == ["ana@example.com"]
    assert "oneTimePassword" not in listed[0]


def test_a_password_on_stdin_is_used_and_never_printed(cli_env: Path) -> None:
    created = _json(
        "operators", "create", "--email", "root@example.com", "--role", "admin",
        "--password-stdin", "--json", stdin="a long admin passphrase\n",
    )  # fmt: skip
    assert isinstance(created, dict)
    assert "oneTimePassword" not in created
    assert created["mustChangePassword"] is False
    assert "passphrase" not in json.dumps(created)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.com", "--role", "boss"], "role: must be one of"),
        (["--email", "not-an-email", "--role", "admin"], "email:"),
        (["--email", "x@example.com", "--role", "admin", "--merchant", "nope"], "UUID"),
        (
            [
                "--email",
                "x@example.com",
                "--role",
                "admin",
                "--merchant",
                "0" * 8 + "-0000-0000-0000-" + "0" * 12,
            ],
            "merchants: no merchant",
        ),
    ],
)
def test_bad_input_is_refused_with_a_precise_message(
    cli_env: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["operators", "create", *args, "--json"])
    assert result.exit_code != 0
    assert message in result.output


def test_a_duplicate_email_is_refused(cli_env: Path) -> None:
    _json("operators", "create", "--email", "a@example.com", "--role", "admin", "--json")
    again = runner.invoke(
        app, ["operators", "create", "--email", "A@example.com", "--role", "auditor"]
    )
    assert again.exit_code == 1
    assert "OPERATOR_EXISTS" in again.output


def test_disable_and_reset_password(cli_env: Path) -> None:
    created = _json("operators", "create", "--email", "a@example.com", "--role", "admin", "--json")
    assert isinstance(created, dict)
    disabled = _json("operators", "disable", "a@example.com", "--json")
    assert isinstance(disabled, dict)
    assert disabled["disabled"] is True
    reset = _json("operators", "reset-password", created["operatorId"], "--json")
    assert isinstance(reset, dict)
    assert reset["oneTimePassword"] != created["oneTimePassword"]
    missing = runner.invoke(app, ["operators", "disable", "nobody@example.com"])
    assert missing.exit_code == 1
    assert "OPERATOR_NOT_FOUND" in missing.output
