"""The command line loads a command's module only when that command is used (issue 26)."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from openkyc.cli.main import OpenKycCommands, app

_LOADED_BY = """
import json, sys
from typer.testing import CliRunner
from openkyc.cli.main import app
result = CliRunner().invoke(app, {args!r})
print(json.dumps({{"exit": result.exit_code, "modules": sorted(sys.modules)}}))
"""


def _modules_after(*args: str) -> tuple[int, set[str]]:
    code = _LOADED_BY.format(args=list(args))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    report = json.loads(out.strip().splitlines()[-1])
    return report["exit"], set(report["modules"])


def test_a_document_read_loads_neither_database_web_nor_face_stack() -> None:
    code, modules = _modules_after("verify-document", "--help")
    assert code == 0
    assert "openkyc.cli.documents" in modules
    for heavy in ("sqlalchemy", "fastapi", "uvicorn", "httpx", "redis", "mediapipe", "alembic",
                  "openkyc.verification.face", "openkyc.state", "openkyc.cli.audit"):  # fmt: skip
        assert heavy not in modules, heavy


def test_a_database_command_still_loads_its_module() -> None:
    code, modules = _modules_after("merchants", "--help")
    assert code == 0
    assert "openkyc.cli.merchants" in modules
    assert "openkyc.cli.documents" not in modules


def test_the_help_lists_every_lazy_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for name in (*OpenKycCommands.lazy, "db", "serve"):
        assert f" {name} " in result.output, name


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["verify-documents", "x.jpg"])
    assert result.exit_code == 2
