"""The JavaScript client's own tests (``node --test``, against a real OpenKYC the tests start
with this interpreter) and its type declarations (``tsc``), run from the one pytest command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "clients" / "js"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env["OPENKYC_PYTHON"] = sys.executable
    return env


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js 18+ (.ci/system-packages)")
def test_node_test_against_a_real_server() -> None:
    result = subprocess.run(
        ["node", "--test", "test/"],
        cwd=PACKAGE,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# fail 0" in result.stdout
    assert "# pass 0" not in result.stdout


@pytest.mark.skipif(
    not (PACKAGE / "node_modules" / ".bin" / "tsc").exists(),
    reason="needs `npm ci` in clients/js (.ci/run does it)",
)
def test_type_declarations_compile() -> None:
    result = subprocess.run(
        [str(PACKAGE / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json"],
        cwd=PACKAGE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
