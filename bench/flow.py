"""Submit -> decision -> webhook, measured: embedded mode (SQLite + the SQLite queue), the real
pipeline on rendered specimens, `openkyc worker` processes, a real webhook receiver.

    .venv/bin/python bench/flow.py [--sessions 10] [--burst 12] [--pipeline default]

Prints, for 1 and 2 worker processes:
* submit->decision and decision->webhook-received p50/p95 at low load (one session at a time);
* sessions per second for a burst submitted at once;
* worker memory (RSS after the run, and peak).
and checks that every session was decided once and every webhook received once.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.server
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from serving import child_env, scratch_settings  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from openkyc.db import migrate  # noqa: E402
from openkyc.db.session import unit_of_work  # noqa: E402
from openkyc.flows.models import HostedFlow  # noqa: E402
from openkyc.media.service import MediaService  # noqa: E402
from openkyc.merchants.service import MerchantService  # noqa: E402
from openkyc.merchants.tenant import Tenant  # noqa: E402
from openkyc.sessions.models import KycSession  # noqa: E402
from openkyc.sessions.schemas import CreateSessionRequest  # noqa: E402
from openkyc.sessions.service import SessionService  # noqa: E402
from openkyc.state import AppState, build_state  # noqa: E402
from openkyc.verification.liveness.challenge import Challenge  # noqa: E402
from openkyc.verifications.models import VerificationRun  # noqa: E402
from openkyc.verifications.service import VerificationService  # noqa: E402
from openkyc.webhooks.service import WebhookService  # noqa: E402

CHALLENGES = [
    Challenge(steps=("turn_right", "turn_left", "look_down")),
    Challenge(steps=("turn_left", "look_up", "turn_right")),
]
FACES = ["astronaut", "synth05", "synth01", "synth06"]


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                now = time.time()
                event = json.loads(body)
                with owner.lock:
                    owner.arrivals.setdefault(event["data"]["id"], []).append(now)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def render_specimens(count: int) -> list[dict[str, Any]]:
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import face_by_id
    from openkyc.specimens.selfies import render_selfie_frames

    specimens = []
    for index in range(count):
        face = FACES[index % len(FACES)]
        rng = random.Random(f"bench:{index}")
        kind = "kz_passport"
        challenge = CHALLENGES[index % len(CHALLENGES)]
        document = render_document(
            kind,
            random_identity(kind, rng),
            face_by_id(face),
            random_distortion("clean", rng, kind=kind),
            seed=index,
        )
        frames, times = render_selfie_frames(face_by_id(face), challenge, index)
        specimens.append(
            {
                "front": document.front_jpeg,
                "back": document.back_jpeg,
                "frames": frames,
                "times": times,
                "challenge": challenge.to_json(),
            }
        )
    return specimens


async def prepare(state: AppState, receiver: Receiver) -> uuid.UUID:
    async with unit_of_work(state.sessionmaker) as db:
        created = await MerchantService(db, state.keyring).create("Bench")
        merchant_id = created.merchant.id
        await WebhookService(db, state.keyring).create_endpoint(
            Tenant(merchant_id, "live"),
            url=receiver.url,
            events=["kyc.completed", "kyc.failed"],
            secret=None,
            production=False,
        )
    return merchant_id


async def new_captured_session(
    state: AppState, merchant_id: uuid.UUID, specimen: dict[str, Any]
) -> uuid.UUID:
    async with unit_of_work(state.sessionmaker) as db:
        kyc_session = await SessionService(db, state.keyring, default_ttl_minutes=30).create(
            Tenant(merchant_id, "live"), CreateSessionRequest()
        )
    async with unit_of_work(state.sessionmaker) as db:
        media = MediaService(db, state)
        await media.store(kyc_session.id, "document_front", specimen["front"], attempt=1)
        if specimen["back"] is not None:
            await media.store(kyc_session.id, "document_back", specimen["back"], attempt=1)
        for index, (frame, at) in enumerate(
            zip(specimen["frames"], specimen["times"], strict=True)
        ):
            await media.store(
                kyc_session.id, "selfie_frame", frame, attempt=1, index=index, frame_time_ms=at
            )
        db.add(
            HostedFlow(
                session_id=kyc_session.id, token_hash="0" * 64, challenge_json=specimen["challenge"]
            )
        )
    return kyc_session.id


async def submit(state: AppState, session_id: uuid.UUID) -> None:
    async with unit_of_work(state.sessionmaker) as db:
        kyc_session = await db.get(KycSession, session_id)
        assert kyc_session is not None
        await VerificationService(db, state).submit(kyc_session)


async def outcomes(state: AppState, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, Finished]:
    """Sessions whose run reached an outcome (approved, declined, retake or review)."""
    async with unit_of_work(state.sessionmaker) as db:
        rows = (
            await db.execute(
                select(VerificationRun, KycSession)
                .join(KycSession, KycSession.id == VerificationRun.session_id)
                .where(
                    VerificationRun.session_id.in_(session_ids), VerificationRun.status == "done"
                )
            )
        ).all()
    return {session.id: Finished(run, session) for run, session in rows}


@dataclass(frozen=True)
class Finished:
    run: VerificationRun
    session: KycSession

    @property
    def decided(self) -> bool:
        return self.session.decided_at is not None  # approved or declined: a webhook follows


async def wait_all(
    state: AppState, receiver: Receiver, session_ids: list[uuid.UUID], timeout_s: float
) -> dict[uuid.UUID, Finished]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = await outcomes(state, session_ids)
        with receiver.lock:
            delivered = all(str(s) in receiver.arrivals for s, item in done.items() if item.decided)
        if len(done) == len(session_ids) and delivered:
            return done
        await asyncio.sleep(0.02)
    raise SystemExit(f"stuck: {len(await outcomes(state, session_ids))}/{len(session_ids)} done")


def rss_kib(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def worker_pids(parent: int) -> list[int]:
    """The consumer's forked worker processes (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return [
        pid for pid in pids if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def run(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="openkyc-bench-"))
    settings = scratch_settings(data_dir, pipeline=args.pipeline, sweep_interval_s=1.0)
    await asyncio.to_thread(migrate.upgrade, settings.resolved_database_url)
    receiver = Receiver()
    state = build_state(settings)
    merchant_id = await prepare(state, receiver)
    print(f"rendering {args.specimens} specimens ...", flush=True)
    specimens = render_specimens(args.specimens)

    env = child_env(settings, OPENKYC_PIPELINE=args.pipeline, OPENKYC_SWEEP_INTERVAL_S="1")
    for workers in (1, 2):
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once per round, not per request
            [sys.executable, "-m", "openkyc.cli.main", "worker", "-p", str(workers)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            # Warm-up: models load in each worker process before the clock starts.
            warm = [
                await new_captured_session(state, merchant_id, specimens[0]) for _ in range(workers)
            ]
            for session_id in warm:
                await submit(state, session_id)
            await wait_all(state, receiver, warm, 180)

            latency_ids = []
            for index in range(args.sessions):
                session_id = await new_captured_session(
                    state, merchant_id, specimens[index % len(specimens)]
                )
                await submit(state, session_id)
                await wait_all(state, receiver, [session_id], 120)
                latency_ids.append(session_id)

            burst_ids = [
                await new_captured_session(state, merchant_id, specimens[i % len(specimens)])
                for i in range(args.burst)
            ]
            started = time.time()
            for session_id in burst_ids:
                await submit(state, session_id)
            done = await wait_all(state, receiver, burst_ids, 600)
            finished = max(item.run.finished_at.timestamp() for item in done.values())  # type: ignore[union-attr]
            throughput = len(burst_ids) / (finished - started)

            items = list((await outcomes(state, latency_ids)).values())
            # Submission time is when the run was enqueued (the same transaction).
            to_decision = [
                (item.run.finished_at - item.run.enqueued_at).total_seconds()  # type: ignore[operator]
                for item in items
            ]
            to_webhook = [
                receiver.arrivals[str(item.session.id)][0] - item.session.decided_at.timestamp()  # type: ignore[union-attr]
                for item in items
                if item.decided
            ]
            waits = [
                (item.run.started_at - item.run.enqueued_at).total_seconds()  # type: ignore[operator]
                for item in items
            ]
            pipeline_s = [
                sum(v for k, v in item.run.timings.items() if k != "total") / 1000 for item in items
            ]
            memory = [rss_kib(pid) for pid in worker_pids(proc.pid)]
            consumer_memory = rss_kib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=60)

        statuses: dict[str, int] = {}
        for item in items:
            outcome = item.run.outcome or "?"
            statuses[outcome] = statuses.get(outcome, 0) + 1
        print(f"\n== {workers} worker process(es), pipeline={args.pipeline} ==")
        print(f"low load, {len(to_decision)} sessions one at a time: {statuses}")
        print(
            f"  submit->decision   p50 {statistics.median(to_decision):.2f} s"
            f"  p95 {percentile(to_decision, 0.95):.2f} s  max {max(to_decision):.2f} s"
        )
        print(
            f"  of which: queue wait p50 {statistics.median(waits) * 1000:.0f} ms,"
            f" pipeline p50 {statistics.median(pipeline_s):.2f} s"
            f" p95 {percentile(pipeline_s, 0.95):.2f} s"
        )
        print(
            f"  decision->webhook  p50 {statistics.median(to_webhook) * 1000:.0f} ms"
            f"  p95 {percentile(to_webhook, 0.95) * 1000:.0f} ms  max {max(to_webhook) * 1000:.0f} ms"
        )
        print(f"burst of {len(burst_ids)} submitted at once: {throughput:.2f} sessions/s")
        # Huey forks its scheduler first, then the workers.
        for name, pid_memory in zip(["scheduler"] + ["worker"] * workers, memory, strict=False):
            print(
                f"  {name} RSS {pid_memory[0] / 1024:.0f} MiB (peak {pid_memory[1] / 1024:.0f} MiB)"
            )
        print(f"  consumer/sweep process RSS {consumer_memory[0] / 1024:.0f} MiB")

    async with unit_of_work(state.sessionmaker) as db:
        runs = await db.scalar(select(func.count()).select_from(VerificationRun))
        once = await db.scalar(select(func.max(VerificationRun.claims)))
        pending = await db.scalar(select(func.count()).where(VerificationRun.status != "done"))
    duplicates = sum(1 for times in receiver.arrivals.values() if len(times) > 1)
    print(
        f"\nchecks: {runs} runs, max claims per run {once}, not done {pending}, "
        f"webhooks received for {len(receiver.arrivals)} sessions, duplicates {duplicates}"
    )
    await state.close()
    if args.keep:
        print(f"(data kept in {data_dir})")
    else:
        shutil.rmtree(data_dir)  # encrypted captures of synthetic people: nothing to keep
    print(f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="low-load sessions per round")
    parser.add_argument("--burst", type=int, default=12, help="sessions submitted at once")
    parser.add_argument("--specimens", type=int, default=4, help="distinct rendered specimens")
    parser.add_argument("--pipeline", default="default", help="default or fake")
    parser.add_argument("--keep", action="store_true", help="keep the data dir for inspection")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
