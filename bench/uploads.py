"""Signed creates while hostile or heavy selfie uploads run; server memory with four at once.

    .venv/bin/python bench/uploads.py [--duration 15] [--rate 20]

One `uvicorn openkyc.app:create_app` process on SQLite (embedded mode, worker off, fake
pipeline so no model is loaded), pinned to CPU 0; the clients on CPU 1. Uploads:

* hostile: the hosted page's selfie endpoint sent 24 PNG frames of 6300 x 6300 zeros (2.8 MB
  on the wire, 39.7 MP each; issue 21 item 5), again and again;
* heavy: the largest burst that is accepted, 12 PNG frames of 2000 x 2000 (4 MP each,
  48 MP together), sent again and again (the customer goes back to the selfie step between).

Prints signed-create p50/p99 at --rate requests/s alone, with one hostile upload loop, with
one heavy loop, and the server's peak RSS (VmHWM) and upload answers with four loops at once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from loadgen import Result, open_loop  # noqa: E402

from openkyc.api.signing import Clock, sign  # noqa: E402

BIN = Path(sys.executable).parent
_CSRF = re.compile(r'data-csrf="([^"]+)"|name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pin(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if (os.cpu_count() or 1) > 1 else []


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, format="PNG")
    return out.getvalue()


def document_jpeg() -> bytes:
    import random

    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import face_by_id

    rng = random.Random("bench-uploads")
    kind = "ru_internal_passport"
    document = render_document(
        kind,
        random_identity(kind, rng),
        face_by_id("astronaut"),
        random_distortion("clean", rng, kind=kind),
        seed=1,
    )
    return document.front_jpeg


class Signer:
    def __init__(self, api_key: str, secret: str, port: int) -> None:
        self.api_key, self.secret, self.port = api_key, secret, port
        self.clock = Clock()
        self.run = secrets.token_hex(4)

    def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        timestamp = self.clock.timestamp()
        return {
            "x-api-key": self.api_key,
            "x-timestamp": timestamp,
            "x-signature": sign(self.secret, method, path, timestamp, body),
            "content-type": "application/json",
        }

    def raw_create(self, index: int) -> bytes:
        body = json.dumps({"customerId": f"bench-{self.run}-{index}"}).encode()
        headers = self.headers("POST", "/api/v2/kyc/sessions", body)
        head = f"POST /api/v2/kyc/sessions HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head += f"content-length: {len(body)}\r\n\r\n"
        return head.encode() + body


class Customer:
    """One customer's browser on the hosted page, brought to the selfie step."""

    def __init__(self, base: str, session_id: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=600)
        self.url = f"/verify/{session_id}"
        self.csrf = ""

    async def post(self, action: str, data: dict[str, str], files: Any = None) -> httpx.Response:
        return await self.http.post(
            f"{self.url}/{action}",
            data={"csrf": self.csrf, **data},
            files=files,
            headers={"accept": "application/json"},
        )

    async def to_selfie(self, document: bytes) -> None:
        page = await self.http.get(self.url)
        match = _CSRF.search(page.text)
        assert match, "no CSRF token on the page"
        self.csrf = match.group(1) or match.group(2)
        await self.post("consent", {"agree": "yes"})
        await self.post("document", {"kind": "ru_internal_passport"})
        for _ in range(3):
            answer = await self.post(
                "capture/front", {}, files={"image": ("p.jpg", document, "image/jpeg")}
            )
            if answer.json().get("accepted"):
                return
        raise RuntimeError("document photo not accepted")

    async def burst(self, frame: bytes, count: int) -> httpx.Response:
        files = [("frames", (f"f{i}.png", frame, "image/png")) for i in range(count)]
        answer = await self.post(
            "selfie", {"times": ",".join(str(i * 100) for i in range(count))}, files=files
        )
        if answer.status_code == 200 and answer.json().get("accepted"):
            await self.post("back", {"to": "selfie"})  # so the next burst is accepted too
        return answer


async def upload_loop(
    customer: Customer, frame: bytes, count: int, stop: asyncio.Event, log: list[tuple[int, float]]
) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        answer = await customer.burst(frame, count)
        log.append((answer.status_code, time.perf_counter() - started))


def rss_peak_kib(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


async def new_customer(base: str, signer: Signer, document: bytes) -> Customer:
    async with httpx.AsyncClient(base_url=base) as api:
        body = b"{}"
        created = await api.post(
            "/api/v2/kyc/sessions",
            content=body,
            headers=signer.headers("POST", "/api/v2/kyc/sessions", body),
        )
        created.raise_for_status()
    customer = Customer(base, created.json()["session"]["id"])
    await customer.to_selfie(document)
    return customer


async def creates_while(
    args: argparse.Namespace,
    signer: Signer,
    base: str,
    loads: list[tuple[bytes, int]],
    document: bytes,
) -> tuple[Result, list[tuple[int, float]]]:
    customers = [await new_customer(base, signer, document) for _ in loads]
    stop = asyncio.Event()
    log: list[tuple[int, float]] = []
    tasks = [
        asyncio.create_task(upload_loop(customer, frame, count, stop, log))
        for customer, (frame, count) in zip(customers, loads, strict=True)
    ]
    await asyncio.sleep(1.0 if loads else 0)  # the uploads are under way
    result = await open_loop(
        "127.0.0.1", signer.port, signer.raw_create, rate=args.rate, duration_s=args.duration
    )
    stop.set()
    await asyncio.gather(*tasks)
    for customer in customers:
        await customer.http.aclose()
    return result, log


def describe(log: list[tuple[int, float]]) -> str:
    if not log:
        return "no upload answered"
    statuses: dict[int, int] = {}
    for status, _ in log:
        statuses[status] = statuses.get(status, 0) + 1
    slowest = max(seconds for _, seconds in log)
    return f"uploads answered {statuses}, slowest {slowest:.2f} s"


def start_server() -> tuple[subprocess.Popen[bytes], int, dict[str, str]]:
    """A migrated data dir with one merchant, and the app serving it on CPU 0."""
    data_dir = Path(tempfile.mkdtemp(prefix="openkyc-uploads-"))
    port = free_port()
    env = dict(os.environ)
    env.update(
        OPENKYC_DATA_DIR=str(data_dir),
        OPENKYC_MASTER_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        OPENKYC_PUBLIC_URL=f"http://127.0.0.1:{port}",
        OPENKYC_RATE_LIMIT="1000000/minute",
        OPENKYC_HOSTED_RATE_LIMIT_SESSION="1000000/minute",
        OPENKYC_HOSTED_RATE_LIMIT_IP="1000000/minute",
        OPENKYC_UPLOAD_MAX_PER_SESSION="1000000",
        OPENKYC_RUN_WORKER_IN_PROCESS="false",
        OPENKYC_PIPELINE="fake",
        OPENKYC_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("OPENKYC_DATABASE_URL", None)
    cli = [sys.executable, "-m", "openkyc.cli.main"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True)
    created = subprocess.run(
        [*cli, "merchants", "create", "--name", "Bench", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    keys: dict[str, str] = json.loads(created.stdout)["test"]
    command = [
        *pin(0),
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "openkyc.app:create_app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, port, keys
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


async def measure(
    args: argparse.Namespace, server_pid: int, port: int, keys: dict[str, str]
) -> None:
    print("rendering the frames ...", flush=True)
    hostile = (png(6300, 6300), 24)
    heavy = (png(2000, 2000), 12)
    document = document_jpeg()
    print(
        f"hostile frame {len(hostile[0]) / 1e3:.0f} KB x 24, heavy {len(heavy[0]) / 1e3:.0f} KB x 12"
    )
    signer = Signer(keys["apiKey"], keys["secretKey"], port)
    base = f"http://127.0.0.1:{port}"
    for name, loads in (
        ("alone", []),
        ("with a hostile upload", [hostile]),
        ("with a heavy upload", [heavy]),
    ):
        try:
            result, log = await creates_while(args, signer, base, loads, document)
        except (OSError, httpx.HTTPError) as exc:  # the server dropped connections
            print(f"signed create {name}: failed ({type(exc).__name__}: {exc})", flush=True)
            continue
        print(
            f"signed create at {args.rate:g}/s {name}: p50 {result.percentile(50):.1f} ms, "
            f"p99 {result.percentile(99):.1f} ms ({result.count} requests, "
            f"{result.statuses}); {describe(log)}",
            flush=True,
        )
    for name, load in (("hostile", hostile), ("heavy", heavy)):
        before = rss_peak_kib(server_pid)[0]
        try:
            result, log = await creates_while(args, signer, base, [load] * 4, document)
        except (OSError, httpx.HTTPError) as exc:
            print(f"four {name} uploads at once: failed ({type(exc).__name__})", flush=True)
            continue
        rss, peak = rss_peak_kib(server_pid)
        print(
            f"four {name} uploads at once: server RSS {before / 1024:.0f} -> "
            f"{rss / 1024:.0f} MB, peak (VmHWM, since start) {peak / 1024:.0f} MB; "
            f"create p99 {result.percentile(99):.1f} ms; {describe(log)}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    server, port, keys = start_server()
    try:
        if (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {1})  # the clients on the other core
        asyncio.run(measure(args, server.pid, port, keys))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
