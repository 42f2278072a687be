"""`openkyc serve` on a fresh data dir: migrates, prints a demo merchant, and the printed
curl snippet really creates a session when pasted into a shell."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import free_port

OPENKYC = str(Path(sys.executable).parent / "openkyc")


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("curl", "openssl", "sha256sum")),
    reason="needs curl, openssl and sha256sum",
)
def test_serve_prints_a_working_signed_curl(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(OPENKYC_DATA_DIR=str(tmp_path / "var"), OPENKYC_LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [OPENKYC, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "API docs" in line:
                break
        output = "".join(lines)
        assert re.search(r"api key:\s+pk_test_\w+", output), output
        curl = next(line.strip() for line in lines if line.strip().startswith("BODY="))
        _wait_for(port)
        result = subprocess.run(
            ["bash", "-c", curl], capture_output=True, text=True, timeout=30, check=True
        )
        session = json.loads(result.stdout)["session"]
        assert session["status"] == "NOT_STARTED"
        assert session["verificationUrl"].startswith(f"http://127.0.0.1:{port}/verify/")
        assert (tmp_path / "var" / "openkyc.db").exists()
        # The ready test session's hosted page opens as printed.
        hosted = re.search(rf"http://127\.0\.0\.1:{port}/verify/\S+", output)
        assert hosted, output
        page = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", hosted.group(0)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert page.stdout == "200"
        # The demo admin printed beside the merchant signs in to the back office.
        email = re.search(r"e-mail:\s+(\S+)", output)
        password = re.search(r"password:\s+(\S+)", output)
        assert email, output
        assert password, output
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            form = http.get("/dashboard/login").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert csrf
            signed_in = http.post(
                "/dashboard/login",
                data={
                    "email": email.group(1),
                    "password": password.group(1),
                    "csrf_token": csrf.group(1),
                },
            )
            assert signed_in.status_code == 303
            assert signed_in.headers["location"] == "/dashboard/queue"
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start")
