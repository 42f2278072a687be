"""Starting an OpenKYC instance for a benchmark: a free loopback port, settings for a
throwaway instance (its own folder, a fresh master key, no .env read), and the app served by
uvicorn on a thread of this process."""

from __future__ import annotations

import base64
import os
import secrets
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import uvicorn  # noqa: E402

from openkyc.app import create_app  # noqa: E402
from openkyc.config import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def scratch_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        master_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        **overrides,
    )


class Server:
    """The app on the port of ``settings.public_url``, started on entry (once uvicorn says it
    is up) and stopped on exit."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.public_url
        port = int(self.base_url.rsplit(":", 1)[1])
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_config=None, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of an ``openkyc`` process beside this one (a worker): the same folder
    and master key, quiet logs, and none of the caller's own OPENKYC_ variables."""
    assert settings.master_key is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(
        OPENKYC_DATA_DIR=str(settings.data_dir),
        OPENKYC_MASTER_KEY=settings.master_key.get_secret_value(),
        OPENKYC_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
        **extra,
    )
    return env
