"""A real S3-protocol server for tests: moto's standalone server (PyPI ``moto[server]``) in its
own process on 127.0.0.1 and a free port. It keeps objects in memory, so every start is empty."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import httpx
from pydantic import SecretStr

from openkyc.config import Settings
from tests.support import free_port

ACCESS_KEY = "openkyc-test"
SECRET_KEY = "openkyc-test-secret"
REGION = "us-east-1"


class S3Server:
    def __init__(self, log_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"moto-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> S3Server:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited: {self.log_path.read_text()[-2000:]}")
            try:
                httpx.get(f"{self.endpoint_url}/moto-api/", timeout=0.5)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("moto server did not start")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        name = f"openkyc-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings_env(self, bucket: str, prefix: str = "media-root") -> dict[str, str]:
        """``OPENKYC_*`` variables that point a process at ``bucket`` on this server."""
        return {
            "OPENKYC_STORAGE_URL": f"s3://{bucket}/{prefix}",
            "OPENKYC_STORAGE_S3_ENDPOINT_URL": self.endpoint_url,
            "OPENKYC_STORAGE_S3_REGION": REGION,
            "OPENKYC_STORAGE_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "OPENKYC_STORAGE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def apply(self, settings: Settings, bucket: str, prefix: str = "media-root") -> Settings:
        """``settings`` with media in ``bucket`` on this server."""
        return settings.model_copy(
            update={
                "storage_url": f"s3://{bucket}/{prefix}",
                "storage_s3_endpoint_url": self.endpoint_url,
                "storage_s3_region": REGION,
                "storage_s3_access_key_id": SecretStr(ACCESS_KEY),
                "storage_s3_secret_access_key": SecretStr(SECRET_KEY),
            }
        )

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
