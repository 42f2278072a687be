"""A new user's first hour: every command works as the first one on a fresh data directory,
and every failure is one line on stderr with a non-zero exit, never a traceback."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openkyc.cli.main import main
from tests.support import free_port

OPENKYC = str(Path(sys.executable).parent / "openkyc")
MISSING = "7c7f8a8e-0000-4000-8000-000000000000"


def _fresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(OPENKYC_DATA_DIR=str(data_dir), OPENKYC_LOG_LEVEL="WARNING", **extra)
    return env


def _openkyc(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPENKYC, *args],
        env=_fresh_env(tmp_path / "var", **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("merchants", "create", "--name", "Shop", "--json"),
        ("merchants", "list", "--json"),
        ("review", "list"),
        ("retention", "run"),
        ("webhooks", "list"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_each_command_works_first_on_a_fresh_data_dir(tmp_path: Path, args: tuple[str]) -> None:
    result = _openkyc(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "var" / "openkyc.db").exists()


def test_a_domain_error_on_a_fresh_data_dir_is_one_line(tmp_path: Path) -> None:
    result = _openkyc(tmp_path, "keys", "list", "--merchant", MISSING)
    assert result.returncode == 1
    assert result.stderr == "error: NOT_FOUND: Merchant not found\n"
    assert result.stdout == ""


def test_production_refuses_an_unmigrated_database_naming_the_command(tmp_path: Path) -> None:
    result = _openkyc(
        tmp_path,
        "merchants",
        "list",
        OPENKYC_ENV="production",
        OPENKYC_MASTER_KEY=base64.b64encode(b"k" * 32).decode(),
        OPENKYC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}",
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "run `openkyc db upgrade`" in result.stderr


@pytest.fixture
def fresh_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [k for k in os.environ if k.startswith("OPENKYC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OPENKYC_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("nosuch",), 2, "error: No such command 'nosuch'."),
        (("keys", "list"), 2, "error: Missing option '--merchant'."),
        (("keys", "list", "--merchant", "nope"), 2, "error: --merchant must be a UUID"),
        (("keys", "revoke", MISSING), 1, "error: NOT_FOUND: API key not found"),
        (("db", "check"), 1, "error: the database is not migrated: run `openkyc db upgrade` first"),
        (
            ("production-settings",),
            1,
            "error: invalid settings: settings: Value error, OPENKYC_MASTER_KEY is required",
        ),
    ],
)
def test_every_error_is_one_line_and_a_non_zero_exit(
    fresh_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    if argv == ("production-settings",):
        monkeypatch.setenv("OPENKYC_ENV", "production")
        argv = ("merchants", "list")
    exit_code, _out, err = _main(capsys, *argv)
    assert exit_code == code
    assert err.startswith(message), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def test_an_unreachable_server_is_one_line(
    fresh_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_url = f"http://127.0.0.1:{free_port()}"
    exit_code, _, err = _main(
        capsys, "client", "get-session", MISSING, "--base-url", base_url,
        "--api-key", "pk_test_x", "--secret-key", "sk_test_x",
    )  # fmt: skip
    assert exit_code == 1
    assert err.startswith(f"error: cannot reach {base_url}/api/v2/kyc/sessions/{MISSING}: ")
    assert err.count("\n") == 1


def test_success_exits_zero_with_json(fresh_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code, out, err = _main(capsys, "merchants", "create", "--name", "Shop", "--json")
    assert (exit_code, err) == (0, "")
    assert set(json.loads(out)) == {"merchantId", "live", "test"}
