"""Two API nodes, two workers, PostgreSQL, Redis and S3 on this machine; N customers through
the hosted flow while one worker and one API node are killed -9 and restarted.

    .venv/bin/python bench/scale.py --n 50                      # fake pipeline, with faults
    .venv/bin/python bench/scale.py --n 200
    .venv/bin/python bench/scale.py --n 50 --workers 1 --no-faults   # 1-vs-2 worker throughput
    .venv/bin/python bench/scale.py --n 10 --pipeline default         # the real models

What runs: a scratch database on the PostgreSQL server at ``--postgres`` (default
OPENKYC_TEST_POSTGRES_URL, else postgres@127.0.0.1:5432; dropped at the end), a private
``redis-server`` and a moto S3 server on free loopback ports, ``openkyc db upgrade``, two
``openkyc serve`` processes on two ports, ``--workers`` ``openkyc worker -p 1`` process groups,
and a webhook receiver in this process. Each customer walks the real hosted flow over HTTP
(page, consent, document, photo upload, selfie burst upload, submit, status polls), every
step on the other node than the one before, like a customer behind a load balancer without
sticky sessions. A node that the bench killed is taken out of the rotation until it answers
/readyz again (what a load balancer's health check does); requests that were already open on
it when it died are the only customer errors expected, and are counted apart.

Faults (unless --no-faults): when 30% of the customers have submitted, worker 1 is killed -9
(its process group) and restarted 1 s later; when 50% have started their selfie upload, API
node 2 is killed -9 and restarted 1 s later. A customer whose request failed retries that step
(on the other node); a POST that had in fact committed answers 409 on the retry and counts as
done.

Printed: sessions completed per second, submit->decision and decision->webhook p50/p95/p99
(database and receiver clocks, one machine), sessions lost / decided twice / stuck, webhooks
lost or duplicated with different event ids, customer errors, peak RSS per process, and last
the one summary line scripts read.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from openkyc.api.signing import sign  # noqa: E402

OPENKYC = str(Path(sys.executable).parent / "openkyc")
_CSRF = re.compile(r'data-csrf="([^"]+)"')
_FORM_CSRF = re.compile(r'name="csrf" value="([^"]*)"')
_STEPS = re.compile(r'data-steps="([^"]*)"')
_ERROR = re.compile(r"[?&]error=([a-z_]+)")
KIND = "kz_passport"
BUCKET = "openkyc-scale"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- processes -------------------------------------------------------------------------------


class Proc:
    """One command in its own process group (kill -9 reaches its children too)."""

    def __init__(self, role: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.role, self.argv, self.env = role, argv, env
        self.log_path = log_dir / f"{role}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kb = 0
        self.restarts = 0

    def start(self) -> Proc:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        self.sample_rss()
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def pids(self) -> list[int]:
        if self.proc is None or self.proc.poll() is not None:
            return []
        group = os.getpgid(self.proc.pid)
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.getpgid(int(entry)) == group:
                        found.append(int(entry))
                except OSError:
                    continue
        return found

    def sample_rss(self) -> None:
        # The largest single process of the group (a worker's model-holding child).
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                self.peak_rss_kb = max(self.peak_rss_kb, int(match.group(1)))


# --- the webhook receiver --------------------------------------------------------------------


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[float, str, str, str]] = []  # (at, event id, event, session)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                at = time.time()
                try:
                    event = json.loads(body)
                    item = (at, event["id"], event["event"], event["data"]["id"])
                    with receiver.lock:
                        receiver.received.append(item)
                except (ValueError, KeyError):
                    pass
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the cluster -----------------------------------------------------------------------------


@dataclass
class Node:
    url: str
    proc: Proc
    up: bool = True
    killed_at: float | None = None
    back_at: float | None = None


@dataclass
class Cluster:
    env: dict[str, str]
    nodes: list[Node]
    workers: list[Proc]
    services: list[Proc]
    database_url: str
    admin_url: str
    database: str
    receiver: Receiver
    key: tuple[str, str] = ("", "")

    def all(self) -> list[Proc]:
        return [node.proc for node in self.nodes] + self.workers + self.services


async def wait_ready(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


async def start_cluster(args: argparse.Namespace, log_dir: Path) -> Cluster:
    admin_url = args.postgres
    database = f"openkyc_scale_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{database}"'))
    await admin.dispose()
    database_url = admin_url.rsplit("/", 1)[0] + f"/{database}"
    receiver = Receiver()
    env, services, key = await asyncio.to_thread(start_services, args, log_dir, database_url)
    nodes = []
    for index in (1, 2):
        port = free_port()
        proc = Proc(
            f"api-{index}",
            [OPENKYC, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-demo"],
            env,
            log_dir,
        ).start()
        nodes.append(Node(f"http://127.0.0.1:{port}", proc))
    workers = [
        Proc(f"worker-{index}", [OPENKYC, "worker", "-p", "1"], env, log_dir).start()
        for index in range(1, args.workers + 1)
    ]
    cluster = Cluster(env, nodes, workers, services, database_url, admin_url, database, receiver)
    cluster.key = key
    for node in nodes:
        await wait_ready(node.url)
    await register_webhook(cluster)
    return cluster


def start_services(
    args: argparse.Namespace, log_dir: Path, database_url: str
) -> tuple[dict[str, str], list[Proc], tuple[str, str]]:
    """Redis and the S3 server on free ports, the schema, and a merchant's live keys."""
    redis_port, s3_port = free_port(), free_port()
    redis = Proc(
        "redis",
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        dict(os.environ),
        log_dir,
    ).start()
    s3_env = {**os.environ, "AWS_ACCESS_KEY_ID": "scale", "AWS_SECRET_ACCESS_KEY": "scale"}
    moto = Proc(
        "s3",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
        s3_env,
        log_dir,
    ).start()
    s3_url = f"http://127.0.0.1:{s3_port}"
    for _ in range(200):
        try:
            httpx.put(f"{s3_url}/{BUCKET}", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise RuntimeError("S3 server did not start")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(
        {
            "OPENKYC_DATA_DIR": str(log_dir / "var"),
            "OPENKYC_DATABASE_URL": database_url,
            "OPENKYC_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "OPENKYC_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "OPENKYC_STORAGE_URL": f"s3://{BUCKET}/openkyc",
            "OPENKYC_STORAGE_S3_ENDPOINT_URL": s3_url,
            "OPENKYC_STORAGE_S3_ACCESS_KEY_ID": "scale",
            "OPENKYC_STORAGE_S3_SECRET_ACCESS_KEY": "scale",
            "OPENKYC_PIPELINE": args.pipeline,
            "OPENKYC_RUN_WORKER_IN_PROCESS": "false",
            "OPENKYC_RATE_LIMIT": "1000000/minute",
            "OPENKYC_HOSTED_RATE_LIMIT_IP": "1000000/minute",
            "OPENKYC_HOSTED_RATE_LIMIT_SESSION": "100000/minute",
            "OPENKYC_SWEEP_INTERVAL_S": "2",
            "OPENKYC_SWEEP_GRACE_S": "10",
            "OPENKYC_VERIFICATION_LEASE_S": "60",
            "OPENKYC_WEBHOOK_BACKOFF_S": "1,2,5",
            "OPENKYC_SHUTDOWN_TIMEOUT_S": "5",
            "OPENKYC_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    subprocess.run([OPENKYC, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    created = subprocess.run(
        [OPENKYC, "merchants", "create", "--name", "Scale shop", "--json"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    live = json.loads(created.stdout)["live"]
    return env, [redis, moto], (live["apiKey"], live["secretKey"])


def signed(key: tuple[str, str], method: str, path: str, body: bytes) -> dict[str, str]:
    ts = str(int(time.time() * 1000))
    return {
        "x-api-key": key[0],
        "x-timestamp": ts,
        "x-signature": sign(key[1], method, path, ts, body),
        "content-type": "application/json",
    }


async def register_webhook(cluster: Cluster) -> None:
    body = json.dumps(
        {"url": cluster.receiver.url, "events": ["kyc.completed", "kyc.failed"]}
    ).encode()
    path = "/api/v2/webhooks"
    async with httpx.AsyncClient(base_url=cluster.nodes[0].url) as http:
        response = await http.post(
            path, content=body, headers=signed(cluster.key, "POST", path, body)
        )
        response.raise_for_status()


async def stop_cluster(cluster: Cluster) -> None:
    for proc in [node.proc for node in cluster.nodes] + cluster.workers:
        proc.stop()
    for proc in cluster.services:
        proc.stop()
    cluster.receiver.close()
    admin = create_async_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{cluster.database}" WITH (FORCE)'))
    await admin.dispose()


# --- customers -------------------------------------------------------------------------------


@dataclass
class Tally:
    n: int
    submitted: dict[str, float] = field(default_factory=dict)  # session -> submit time
    selfie_started: int = 0
    killed_node_errors: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    finished_customers: int = 0


class StepFailed(Exception):
    pass


class Customer:
    def __init__(self, index: int, cluster: Cluster, tally: Tally, media: Media) -> None:
        self.index, self.cluster, self.tally, self.media = index, cluster, tally, media
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends, as browsers do;
        # otherwise a request can race the server closing the connection it reuses.
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(60, connect=5), limits=httpx.Limits(keepalive_expiry=2.0)
        )
        self.turn = index % 2
        self.session_id = ""
        self.csrf = ""

    def node(self) -> Node:
        """The other node than last time; a node known to be down is skipped, as a load
        balancer's health check would."""
        for _ in range(2):
            self.turn = (self.turn + 1) % 2
            node = self.cluster.nodes[self.turn]
            if node.up:
                return node
        return self.cluster.nodes[self.turn]

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(8):
            node = self.node()
            started = time.time()
            try:
                response = await self.http.request(method, node.url + path, **kwargs)
            except httpx.TransportError as exc:
                if node.killed_at is not None and started <= (node.back_at or time.time()) + 1:
                    self.tally.killed_node_errors += 1
                else:
                    self.tally.errors[f"{type(exc).__name__} on {node.proc.role}"] += 1
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            if response.status_code == 503:
                # Overloaded or storage down: the page says "try again", and the customer does.
                self.tally.errors[f"503 {response.headers.get('x-openkyc-reason', '')}"] += 1
                await asyncio.sleep(float(response.headers.get("retry-after", 1)))
                continue
            if response.status_code >= 500:
                self.tally.errors[f"HTTP {response.status_code} on {path.split('/')[-1]}"] += 1
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            return response
        raise StepFailed(f"{method} {path}")

    async def post_form(
        self, action: str, data: dict[str, str], files: Any = None, *, json_: bool = False
    ) -> httpx.Response:
        headers = {"accept": "application/json"} if json_ else {}
        for attempt in range(8):
            response = await self.request(
                "POST",
                f"/verify/{self.session_id}/{action}",
                data={"csrf": self.csrf, **data},
                files=files,
                headers=headers,
            )
            # A refused form post answers like the page does: 303 back to it with ?error=.
            reason = _ERROR.search(response.headers.get("location", ""))
            if response.status_code != 303 or reason is None:
                return response
            if reason.group(1) == "flow_step_conflict":
                return response  # an earlier try of this step had committed
            self.tally.errors[f"page error={reason.group(1)} on {action}"] += 1
            await asyncio.sleep(1.0 * (attempt + 1))
        raise StepFailed(f"POST {action}")

    async def run(self) -> None:
        try:
            await self._flow()
        finally:
            await self.http.aclose()
            self.tally.finished_customers += 1

    async def _flow(self) -> None:
        body = json.dumps({"language": "en", "customerEmail": f"c{self.index}@example.org"})
        path = "/api/v2/kyc/sessions"
        content = body.encode()
        response = await self.request(
            "POST",
            path,
            content=content,
            headers=signed(self.cluster.key, "POST", path, content),
        )
        assert response.status_code == 201, response.text
        self.session_id = response.json()["session"]["id"]
        for _ in range(50):  # the other node may not see the new session for a moment
            page = await self.request("GET", f"/verify/{self.session_id}")
            if page.status_code != 404:
                break
            await asyncio.sleep(0.05)
        match = _CSRF.search(page.text) or _FORM_CSRF.search(page.text)
        assert match is not None, page.text[:300]
        self.csrf = match.group(1)
        await self.post_form("consent", {"agree": "yes"})
        await self.post_form("document", {"kind": KIND})
        for _ in range(3):  # the instant check may refuse a photo twice; the third goes through
            answer = await self.post_form(
                "capture/front",
                {},
                {"image": ("d.jpg", self.media.document, "image/jpeg")},
                json_=True,
            )
            if answer.status_code == 409 or answer.json().get("accepted"):
                break
        self.tally.selfie_started += 1
        frames, times = await self.media.selfie(self)
        files = [("frames", (f"f{i}.jpg", frame, "image/jpeg")) for i, frame in enumerate(frames)]
        answer = await self.post_form(
            "selfie", {"times": ",".join(map(str, times))}, files, json_=True
        )
        assert answer.status_code in (200, 409), answer.text
        answer = await self.post_form("submit", {})
        assert answer.status_code in (303, 409), answer.text
        self.tally.submitted[self.session_id] = time.time()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status = await self.request("GET", f"/verify/{self.session_id}/status")
            if status.status_code == 200 and status.json().get("final"):
                return
            await asyncio.sleep(1.0)


class Media:
    """Specimens rendered once: a clean passport photo; selfie frames per customer (the fake
    pipeline needs only distinct images; the real one a burst that follows the challenge)."""

    def __init__(self, pipeline: str) -> None:
        from openkyc.specimens.documents import random_distortion, random_identity, render_document
        from openkyc.specimens.faces import face_by_id

        self.pipeline = pipeline
        self.face = face_by_id("astronaut")
        rng = random.Random("scale")
        rendered = render_document(
            KIND,
            random_identity(KIND, rng),
            self.face,
            random_distortion("clean", rng, kind=KIND),
            seed=1,
        )
        self.document = rendered.front_jpeg

    async def selfie(self, customer: Customer) -> tuple[list[bytes], list[int]]:
        # The selfie page issues the session's challenge; the customer opens it first.
        page = await customer.request("GET", f"/verify/{customer.session_id}")
        steps = _STEPS.search(page.text)
        assert steps is not None, "the selfie page shows the challenge"
        if self.pipeline == "fake":
            return _plain_frames(customer.index), [i * 250 for i in range(6)]
        from openkyc.specimens.selfies import render_selfie_frames
        from openkyc.verification.liveness.challenge import Challenge

        challenge = Challenge(steps=tuple(steps.group(1).split(",")))
        frames, times = await asyncio.to_thread(
            render_selfie_frames, self.face, challenge, seed=customer.index
        )
        return list(frames), list(times)


def _plain_frames(index: int) -> list[bytes]:
    import io

    from PIL import Image

    frames = []
    for frame in range(6):
        out = io.BytesIO()
        color = (index % 251, (index * 7 + frame * 30) % 251, 120)
        Image.new("RGB", (720, 960), color).save(out, format="JPEG", quality=80)
        frames.append(out.getvalue())
    return frames


# --- faults ----------------------------------------------------------------------------------


async def inject_faults(cluster: Cluster, tally: Tally, log: list[str]) -> None:
    worker = cluster.workers[0]
    while len(tally.submitted) < 0.3 * tally.n:  # noqa: ASYNC110 - customers bump it
        await asyncio.sleep(0.05)
    worker.kill9()
    log.append(f"kill -9 {worker.role} after {len(tally.submitted)} submissions")
    await asyncio.sleep(1.0)
    worker.start()
    worker.restarts += 1

    node = cluster.nodes[1]
    while tally.selfie_started < 0.5 * tally.n:  # noqa: ASYNC110 - customers bump it
        await asyncio.sleep(0.05)
    node.up = False
    node.killed_at = time.time()
    node.proc.kill9()
    log.append(f"kill -9 {node.proc.role} after {tally.selfie_started} selfie uploads started")
    await asyncio.sleep(1.0)
    node.proc.start()
    node.proc.restarts += 1
    await wait_ready(node.url)
    node.back_at = time.time()
    node.up = True
    log.append(f"{node.proc.role} back after {node.back_at - node.killed_at:.1f} s")


async def sample_rss(cluster: Cluster, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for proc in cluster.all():
            await asyncio.to_thread(proc.sample_rss)
        await asyncio.sleep(1.0)


# --- results ---------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def collect(cluster: Cluster, tally: Tally, settle_s: float) -> dict[str, Any]:
    engine = create_async_engine(cluster.database_url)
    submitted = set(tally.submitted)
    deadline = time.monotonic() + settle_s
    while True:
        async with engine.connect() as db:
            rows = (
                await db.execute(
                    text(
                        "SELECT s.id::text, s.status, r.created_at, r.finished_at, r.status, "
                        "r.started_at "
                        "FROM kyc_sessions s LEFT JOIN verification_runs r ON r.session_id = s.id"
                    )
                )
            ).all()
        with cluster.receiver.lock:
            received = list(cluster.receiver.received)
        decided = {row[0] for row in rows if row[1] in ("APPROVED", "DECLINED")}
        hooked = {item[3] for item in received}
        if (submitted <= decided and decided <= hooked) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    async with engine.connect() as db:
        twice = (
            await db.execute(
                text(
                    "SELECT count(*) FROM (SELECT subject_id FROM audit_events "
                    "WHERE action = 'verification.decided' GROUP BY subject_id "
                    "HAVING count(*) > 1) AS t"
                )
            )
        ).scalar_one()
        shapes = (
            await db.execute(
                text(
                    "SELECT s.status, f.step, r.status, r.outcome, r.reasons::text, r.error, count(*) "
                    "FROM kyc_sessions s "
                    "LEFT JOIN hosted_flows f ON f.session_id = s.id "
                    "LEFT JOIN verification_runs r ON r.session_id = s.id "
                    "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 7 DESC"
                )
            )
        ).all()
    await engine.dispose()

    by_session: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_session[row[0]].append(row)
    lost = [s for s in submitted if not any(r[2] is not None for r in by_session.get(s, []))]
    stuck = [s for s in submitted if s not in decided and s not in lost]
    finished = {}
    submit_decision = []
    queue_wait: list[float] = []  # submit -> a worker claims the run
    in_worker: list[float] = []  # claim -> decision (media from S3, pipeline, commit)
    for session, session_rows in by_session.items():
        done = [r for r in session_rows if r[3] is not None]
        if session in decided and done:
            last = max(done, key=lambda r: r[3])
            finished[session] = last[3].timestamp() if last[3].tzinfo else _utc(last[3])
            created = last[2].timestamp() if last[2].tzinfo else _utc(last[2])
            submit_decision.append((finished[session] - created) * 1000)
            if last[5] is not None:
                begun = last[5].timestamp() if last[5].tzinfo else _utc(last[5])
                queue_wait.append((begun - created) * 1000)
                in_worker.append((finished[session] - begun) * 1000)
    events: dict[str, set[str]] = defaultdict(set)
    first_hook: dict[str, float] = {}
    for at, event_id, _event, session in received:
        events[session].add(event_id)
        first_hook[session] = min(first_hook.get(session, at), at)
    decision_webhook = [(first_hook[s] - finished[s]) * 1000 for s in finished if s in first_hook]
    first_submit = min(tally.submitted.values()) if tally.submitted else 0
    last_decision = max(finished.values()) if finished else first_submit
    span = max(last_decision - first_submit, 1e-9)
    return {
        "sessions": tally.n,
        "completed": len(decided & submitted),
        "lost": len(lost),
        "stuck": len(stuck),
        "decided_twice": int(twice),
        "webhooks_lost": len([s for s in decided & submitted if s not in events]),
        "webhooks_duplicated_ids": len([s for s in events if len(events[s]) > 1]),
        "webhook_deliveries": len(received),
        "customer_errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "killed_node_errors": tally.killed_node_errors,
        "gave_up_before_submitting": tally.n - len(submitted),
        "throughput": len(decided & submitted) / span,
        "submit_decision_ms": [pct(submit_decision, q) for q in (50, 95, 99)],
        "decision_webhook_ms": [pct(decision_webhook, q) for q in (50, 95, 99)],
        "queue_wait_ms": [pct(queue_wait, q) for q in (50, 95, 99)],
        "in_worker_ms": [pct(in_worker, q) for q in (50, 95, 99)],
        "span_s": span,
        "states": [" / ".join(map(str, shape)) for shape in shapes],
    }


def _utc(value: Any) -> float:
    import datetime as dt

    stamp: float = value.replace(tzinfo=dt.UTC).timestamp()
    return stamp


# --- main ------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    log_dir = Path(tempfile.mkdtemp(prefix="openkyc-scale-"))
    print(f"logs: {log_dir}", flush=True)
    media = await asyncio.to_thread(Media, args.pipeline)
    cluster = await start_cluster(args, log_dir)
    tally = Tally(args.n)
    faults: list[str] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(cluster, stop))
    try:
        print(
            f"cluster up: 2 API nodes, {len(cluster.workers)} worker(s), PostgreSQL, Redis, "
            f"S3 (moto); {args.n} customers, pipeline {args.pipeline}",
            flush=True,
        )
        started = time.time()
        customers = [Customer(i, cluster, tally, media) for i in range(args.n)]
        fault_task = (
            None if args.no_faults else asyncio.create_task(inject_faults(cluster, tally, faults))
        )
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(c.run(), args.customer_timeout_s) for c in customers),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                tally.errors[f"gave up: {type(outcome).__name__}"] += 1
        if fault_task is not None:
            await asyncio.wait_for(fault_task, 120)
        result = await collect(cluster, tally, settle_s=args.settle_s)
        result["wall_s"] = time.time() - started
    finally:
        stop.set()
        await sampler
        for proc in cluster.all():
            proc.sample_rss()
        rss = {proc.role: proc.peak_rss_kb / 1024 for proc in cluster.all()}
        await stop_cluster(cluster)
    result["faults"] = faults
    result["peak_rss_mb"] = rss
    result["workers"] = len(cluster.workers)
    result["pipeline"] = args.pipeline
    return result


def report(result: dict[str, Any]) -> None:
    sd, dw = result["submit_decision_ms"], result["decision_webhook_ms"]
    for line in result["faults"]:
        print(f"fault: {line}")
    print(
        f"sessions completed per second: {result['throughput']:.2f} "
        f"({result['completed']} in {result['span_s']:.1f} s, first submit to last decision)"
    )
    print(f"submit -> decision ms: p50 {sd[0]:.0f}, p95 {sd[1]:.0f}, p99 {sd[2]:.0f}")
    qw, iw = result["queue_wait_ms"], result["in_worker_ms"]
    print(
        f"  of which waiting for a worker: p50 {qw[0]:.0f}, p95 {qw[1]:.0f}; in the worker: "
        f"p50 {iw[0]:.0f}, p95 {iw[1]:.0f}"
    )
    print(f"decision -> webhook ms: p50 {dw[0]:.0f}, p95 {dw[1]:.0f}, p99 {dw[2]:.0f}")
    print(
        f"lost {result['lost']}, decided twice {result['decided_twice']}, stuck {result['stuck']}, "
        f"webhooks lost {result['webhooks_lost']}, duplicated with different ids "
        f"{result['webhooks_duplicated_ids']} ({result['webhook_deliveries']} deliveries received)"
    )
    print(
        f"customer errors: {result['customer_errors']} {result['error_kinds'] or ''}; "
        f"on the killed API node's open connections: {result['killed_node_errors']}; "
        f"customers who gave up before submitting: {result['gave_up_before_submitting']}"
    )
    print("sessions by status / flow step / run status / count: " + "; ".join(result["states"]))
    print("peak RSS MB: " + ", ".join(f"{k} {v:.0f}" for k, v in result["peak_rss_mb"].items()))
    print(
        f"scale: sessions {result['sessions']}, completed {result['completed']}, "
        f"lost {result['lost']}, decided-twice {result['decided_twice']}, "
        f"webhooks-lost {result['webhooks_lost']}, "
        f"webhooks-duplicated-ids {result['webhooks_duplicated_ids']}, "
        f"customer-errors {result['customer_errors']}, throughput {result['throughput']:.2f}/s, "
        f"p95-submit-decision {sd[1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="concurrent customers")
    parser.add_argument("--pipeline", choices=("fake", "default"), default="fake")
    parser.add_argument("--workers", type=int, default=2, help="`openkyc worker -p 1` commands")
    parser.add_argument("--no-faults", action="store_true", help="kill nothing")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "OPENKYC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server URL; a scratch database is created on it and dropped",
    )
    parser.add_argument("--settle-s", type=float, default=180, help="wait for stragglers")
    parser.add_argument(
        "--customer-timeout-s", type=float, default=420, help="a customer gives up after this"
    )
    parser.add_argument("--json", action="store_true", help="also print the result as JSON")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, default=str))
    report(result)


if __name__ == "__main__":
    main()
