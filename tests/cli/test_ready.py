"""`openkyc ready`: the container health check of processes without HTTP (workers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import free_port

OPENKYC = str(Path(sys.executable).parent / "openkyc")


def _ready(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(OPENKYC_DATA_DIR=str(tmp_path / "var"), OPENKYC_LOG_LEVEL="WARNING", **extra)
    return subprocess.run(
        [OPENKYC, "ready"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_ready_exits_zero_when_everything_answers(tmp_path: Path) -> None:
    result = _ready(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"database": "ok", "queue": "ok", "storage": "ok"}


def test_ready_names_the_storage_when_the_bucket_is_unreachable(tmp_path: Path) -> None:
    result = _ready(
        tmp_path,
        OPENKYC_STORAGE_URL="s3://media/openkyc",
        OPENKYC_STORAGE_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        OPENKYC_STORAGE_S3_ACCESS_KEY_ID="x",
        OPENKYC_STORAGE_S3_SECRET_ACCESS_KEY="y",
        OPENKYC_STORAGE_MAX_ATTEMPTS="1",
    )
    assert result.returncode == 1
    assert json.loads(result.stdout) == {"database": "ok", "queue": "ok", "storage": "unavailable"}
