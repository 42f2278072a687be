"""``openkyc worker`` as a real process group, started and SIGKILLed like in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from openkyc.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENKYC_")}
    assert settings.master_key is not None
    env.update(
        {
            "OPENKYC_DATA_DIR": str(settings.data_dir),
            "OPENKYC_DATABASE_URL": settings.resolved_database_url,
            "OPENKYC_MASTER_KEY": settings.master_key.get_secret_value(),
            "OPENKYC_PUBLIC_URL": settings.public_url,
            "OPENKYC_PIPELINE": settings.pipeline,
            "OPENKYC_VERIFICATION_LEASE_S": str(settings.verification_lease_s),
            "OPENKYC_SWEEP_INTERVAL_S": str(settings.sweep_interval_s),
            "OPENKYC_SWEEP_GRACE_S": str(settings.sweep_grace_s),
            "OPENKYC_WEBHOOK_TIMEOUT_S": str(settings.webhook_timeout_s),
            "OPENKYC_WEBHOOK_BACKOFF_S": settings.webhook_backoff_s,
            "OPENKYC_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    if settings.redis_url:
        env["OPENKYC_REDIS_URL"] = settings.redis_url
    env.update(extra)
    return env


class WorkerProcess:
    def __init__(self, settings: Settings, processes: int = 1, **extra: str) -> None:
        self.env = worker_env(settings, **extra)
        self.processes = processes
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = settings.data_dir / f"worker-{id(self)}.log"
        self._log: IO[bytes] | None = None

    def start(self) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "openkyc.cli.main", "worker", "-p", str(self.processes)],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,  # its own process group: kill() reaches the children
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the consumer and every worker process at once: no cleanup runs."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._close_log()
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self._close_log()

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until(predicate: object, timeout_s: float = 20.0, interval_s: float = 0.05) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval_s)
    raise AssertionError("condition not reached in time")
