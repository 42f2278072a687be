"""The command line loads a command's module only when that command is used (issue 26)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

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


def test_a_clean_document_read_does_not_load_the_text_detectors_engine(tmp_path: Path) -> None:
    """The recogniser runs on its own session: RapidOCR's engine (importing its configuration
    alone cost ~1.3 s of CPU) is for the text detector, which a clean photo never needs."""
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import source_faces

    rng = random.Random(3)
    identity = random_identity("kz_passport", rng)
    distortion = random_distortion("clean", rng, kind="kz_passport")
    photo = tmp_path / "kz_passport.jpg"
    photo.write_bytes(
        render_document("kz_passport", identity, source_faces()[0], distortion, 5).front_jpeg
    )
    code, modules = _modules_after("verify-document", str(photo))
    assert code == 0
    for heavy in ("rapidocr.main", "omegaconf"):
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
