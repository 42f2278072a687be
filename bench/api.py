"""Signed POST /api/v2/kyc/sessions versus a bare FastAPI endpoint, served the same way.

    .venv/bin/python bench/api.py [--duration 10] [--connections 8] [--postgres URL] [--periodic]

Each server is one uvicorn process pinned to CPU 0, the load generator pinned to CPU 1.
Prints throughput (closed loop), p50/p99 latency at a fixed 100 requests/s (open loop), and
the ratio to the bare endpoint, for SQLite and (when given or OPENKYC_TEST_POSTGRES_URL is
set) PostgreSQL. Figures are medians of --repeat runs; this machine is noisy. --periodic runs
the embedded worker threads, the sweep and retention in the server, as `openkyc serve` does.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from loadgen import Result, closed_loop, open_loop  # noqa: E402
from serving import free_port  # noqa: E402

from openkyc.api.signing import sign  # noqa: E402

BIN = Path(sys.executable).parent


def _pin(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if os.cpu_count() and os.cpu_count() > 1 else []  # type: ignore[operator]


def _wait(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


def _serve(target: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        *_pin(0),
        str(BIN / "uvicorn"),
        *target,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _wait(port)
    return process


def _openkyc_env(data_dir: Path, database_url: str | None, periodic: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        OPENKYC_DATA_DIR=str(data_dir),
        OPENKYC_MASTER_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        OPENKYC_RATE_LIMIT="1000000/minute",
        # --periodic: the embedded worker threads, the sweep and retention run in the server
        # process as in `openkyc serve` (fake pipeline: no models to load).
        OPENKYC_RUN_WORKER_IN_PROCESS="true" if periodic else "false",
        OPENKYC_PIPELINE="fake",
        OPENKYC_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["OPENKYC_DATABASE_URL"] = database_url
    else:
        env.pop("OPENKYC_DATABASE_URL", None)
    return env


def _provision(env: dict[str, str]) -> dict[str, str]:
    subprocess.run(
        [str(BIN / "openkyc"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [str(BIN / "openkyc"), "merchants", "create", "--name", "Bench", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    keys: dict[str, str] = json.loads(out)["test"]
    return keys


def _scratch_postgres(url: str, create: bool) -> str:
    """A throwaway database on the given server, so the bench never touches real data."""
    import asyncpg

    base, _, _ = url.rpartition("/")
    name = "openkyc_bench"
    admin = base.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"

    async def run() -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(run())
    return f"{base}/{name}"


def _signed_factory(api_key: str, secret: str, port: int):  # type: ignore[no-untyped-def]
    run_id = secrets.token_hex(4)

    def make(index: int) -> bytes:
        # A distinct body per request keeps every signature unique (replay protection).
        body = json.dumps({"customerId": f"bench-{run_id}-{index}", "language": "ru"}).encode()
        timestamp = str(int(time.time() * 1000))
        signature = sign(secret, "POST", "/api/v2/kyc/sessions", timestamp, body)
        head = (
            f"POST /api/v2/kyc/sessions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
            f"x-api-key: {api_key}\r\nx-timestamp: {timestamp}\r\nx-signature: {signature}\r\n\r\n"
        )
        return head.encode() + body

    return make


def _bare_factory(port: int):  # type: ignore[no-untyped-def]
    def make(index: int) -> bytes:
        body = json.dumps({"customerId": f"bench-{index}", "language": "ru"}).encode()
        head = (
            f"POST /api/v2/kyc/sessions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    return make


def _measure(port: int, make, args: argparse.Namespace) -> tuple[float, Result]:  # type: ignore[no-untyped-def]
    asyncio.run(closed_loop("127.0.0.1", port, make, connections=args.connections, duration_s=1.0))
    throughput = asyncio.run(
        closed_loop("127.0.0.1", port, make, connections=args.connections, duration_s=args.duration)
    )
    paced = asyncio.run(open_loop("127.0.0.1", port, make, rate=100, duration_s=args.duration))
    bad = {code: n for code, n in {**throughput.statuses, **paced.statuses}.items() if code >= 300}
    if bad:
        raise RuntimeError(f"unexpected statuses {bad}")
    return throughput.count / throughput.elapsed_s, paced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("OPENKYC_TEST_POSTGRES_URL"))
    parser.add_argument(
        "--periodic", action="store_true", help="run the worker and periodic jobs in the server"
    )
    args = parser.parse_args()
    if _pin(1):
        os.sched_setaffinity(0, {1})

    targets: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        targets.append(("postgresql", args.postgres))

    bare_port = free_port()
    bare = _serve(["bench.bare_app:app"], dict(os.environ), bare_port)
    rows = []
    try:
        bare_runs = [
            _measure(bare_port, _bare_factory(bare_port), args) for _ in range(args.repeat)
        ]
    finally:
        bare.terminate()
        bare.wait()
    bare_rps = statistics.median(r[0] for r in bare_runs)
    rows.append(("bare FastAPI", bare_rps, bare_runs))

    for name, url in targets:
        scratch = _scratch_postgres(url, create=True) if url else None
        with tempfile.TemporaryDirectory() as tmp:
            env = _openkyc_env(Path(tmp), scratch, args.periodic)
            keys = _provision(env)
            port = free_port()
            server = _serve(["--factory", "openkyc.app:create_app"], env, port)
            try:
                make = _signed_factory(keys["apiKey"], keys["secretKey"], port)
                runs = [_measure(port, make, args) for _ in range(args.repeat)]
            finally:
                server.terminate()
                server.wait()
                if url:
                    _scratch_postgres(url, create=False)
        rows.append(
            (f"OpenKYC signed create ({name})", statistics.median(r[0] for r in runs), runs)
        )

    print(f"{'endpoint':38} {'req/s':>8} {'ratio':>6} {'p50@100rps':>11} {'p99@100rps':>11}")
    for label, rps, runs in rows:
        p50 = statistics.median(r[1].percentile(50) for r in runs)
        p99 = statistics.median(r[1].percentile(99) for r in runs)
        print(f"{label:38} {rps:8.0f} {rps / bare_rps:6.2f} {p50:9.1f}ms {p99:9.1f}ms")
    print(
        f"({args.repeat} runs each, medians; {args.connections} connections for throughput, "
        f"{args.duration:.0f} s per run; server on CPU 0, load generator on CPU 1"
        f"{'; worker and periodic jobs in the server' if args.periodic else ''}; "
        f"load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
