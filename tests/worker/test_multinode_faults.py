"""Production shape, faults included: PostgreSQL + Redis + S3 (moto), an `openkyc serve`
killed -9 in the middle of a customer's upload and an `openkyc worker` killed -9 in the
middle of a verification. After restarts nothing is lost (every photo committed before a
kill still decrypts from the bucket, every session is decided) and nothing is doubled (one
decision, one run, one webhook event id per session). Skipped without PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import IO

import httpx
import pytest
from sqlalchemy import func, select

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.media.models import MediaKind, MediaObject
from openkyc.media.service import MediaService
from openkyc.state import AppState
from openkyc.verifications.models import VerificationRun
from tests.s3server import S3Server
from tests.support import MerchantInfo, free_port
from tests.verifications.factories import capture, load_session, new_session, runs_of, submit
from tests.web.conftest import _CSRF, jpeg, specimen
from tests.webhooks.receiver import Receiver
from tests.worker.faults import decided_count, eventually, register
from tests.worker.processes import ROOT, WorkerProcess, worker_env

REDIS_URL = os.environ.get("OPENKYC_TEST_REDIS_URL")
MIXED = "tests.worker.mixed_pipeline:MixedPipeline"


@pytest.fixture
def settings(settings: Settings, database_url: str, s3_server: S3Server) -> Settings:
    if not database_url.startswith("postgresql") or not REDIS_URL:
        pytest.skip("needs OPENKYC_TEST_POSTGRES_URL and OPENKYC_TEST_REDIS_URL")
    return s3_server.apply(
        settings.model_copy(update={"redis_url": REDIS_URL, "pipeline": MIXED}),
        s3_server.new_bucket(),
    )


def storage_env(settings: Settings) -> dict[str, str]:
    """What a process needs to reach the test's bucket (worker_env knows nothing of S3)."""
    assert settings.storage_url
    assert settings.storage_s3_endpoint_url
    assert settings.storage_s3_access_key_id
    assert settings.storage_s3_secret_access_key
    return {
        "OPENKYC_STORAGE_URL": settings.storage_url,
        "OPENKYC_STORAGE_S3_ENDPOINT_URL": settings.storage_s3_endpoint_url,
        "OPENKYC_STORAGE_S3_ACCESS_KEY_ID": settings.storage_s3_access_key_id.get_secret_value(),
        "OPENKYC_STORAGE_S3_SECRET_ACCESS_KEY": (
            settings.storage_s3_secret_access_key.get_secret_value()
        ),
    }


class ApiProcess:
    """`openkyc serve` on a fixed port, restartable on the same port like a node's unit."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = worker_env(
            settings,
            # Production: the API node neither migrates nor seeds (the schema exists).
            OPENKYC_ENV="production",
            OPENKYC_PUBLIC_URL=self.url,
            OPENKYC_RUN_WORKER_IN_PROCESS="false",
            **storage_env(settings),
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = settings.data_dir / f"serve-{self.port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)

    def spawn(self) -> ApiProcess:
        with self.log.open("ab") as log:
            self.proc = self._spawn(log)
        return self

    def wait_ready(self) -> ApiProcess:
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
            if self.proc.poll() is not None:
                break
        raise RuntimeError(f"openkyc serve did not become ready: {self.log.read_text()[-3000:]}")

    def _spawn(self, log: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openkyc.cli.main",
                "serve",
                "--port",
                str(self.port),
                "--no-demo",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


@pytest.fixture
def nodes(settings: Settings, state: AppState) -> Iterator[tuple[ApiProcess, ApiProcess]]:
    """Two API nodes, started side by side (as two machines would be)."""
    first, second = ApiProcess(settings).spawn(), ApiProcess(settings).spawn()
    try:
        yield first.wait_ready(), second.wait_ready()
    finally:
        first.stop()
        second.stop()


async def _hosted_until_selfie(http: httpx.AsyncClient, session_id: uuid.UUID) -> str:
    page = await http.get(f"/verify/{session_id}")
    match = _CSRF.search(page.text)
    assert match is not None
    csrf = match.group(1)
    assert (
        await http.post(f"/verify/{session_id}/consent", data={"csrf": csrf, "agree": "yes"})
    ).status_code == 303
    assert (
        await http.post(
            f"/verify/{session_id}/document", data={"csrf": csrf, "kind": "ru_internal_passport"}
        )
    ).status_code == 303
    for _ in range(3):
        answer = await http.post(
            f"/verify/{session_id}/capture/front",
            data={"csrf": csrf},
            files={"image": ("d.jpg", specimen("ru_internal_passport"), "image/jpeg")},
            headers={"accept": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        if answer.json()["accepted"]:
            break
    await http.get(f"/verify/{session_id}")  # the selfie page issues the challenge
    return csrf


def _selfie_form(csrf: str) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    frames = [jpeg(720, 960, (i * 30, 90, 90)) for i in range(4)]
    files = [("frames", (f"f{i}.jpg", frame, "image/jpeg")) for i, frame in enumerate(frames)]
    return {"csrf": csrf, "times": "0,300,600,900"}, files


async def test_kill_an_api_node_mid_upload_and_a_worker_mid_verification(
    state: AppState,
    settings: Settings,
    merchant: MerchantInfo,
    receiver: Receiver,
    nodes: tuple[ApiProcess, ApiProcess],
) -> None:
    state.queue.huey.flush()
    await register(state, merchant, receiver.url)
    api, other = nodes
    worker = WorkerProcess(settings, **storage_env(settings)).start()

    # 1. A customer is half-way through sending the selfie burst when API node 1 dies; the
    # customer sends it again, to node 2 (cookies are per host, not per port, like a domain).
    customer_session = await new_session(state, merchant.id)
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        csrf = await _hosted_until_selfie(http, customer_session)
        data, files = _selfie_form(csrf)
        request = http.build_request(
            "POST",
            f"/verify/{customer_session}/selfie",
            data=data,
            files=files,
            headers={"accept": "application/json"},
        )
        http.cookies.set_cookie_header(request)
        body = request.read()
        head = [f"POST {request.url.raw_path.decode()} HTTP/1.1", f"Host: 127.0.0.1:{api.port}"]
        head += [f"{k}: {v}" for k, v in request.headers.items() if k.lower() != "host"]
        with socket.create_connection(("127.0.0.1", api.port)) as upload:
            upload.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[: len(body) // 2])
            await asyncio.sleep(0.3)
            api.kill()
        answer = await http.post(
            f"{other.url}/verify/{customer_session}/selfie",
            data=data,
            files=files,
            headers={"accept": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"]
        assert (
            await http.post(f"{other.url}/verify/{customer_session}/submit", data={"csrf": csrf})
        ).status_code == 303

    # 2. A worker dies in the middle of another session's verification (2.5 s pipeline).
    scripted_session = await new_session(state, merchant.id)
    await capture(state, scripted_session, sleep=2.5)
    try:
        await submit(state, scripted_session)

        async def running() -> bool:
            runs = await runs_of(state, scripted_session)
            return bool(runs) and runs[0].status == "running" and runs[0].claims == 1

        await eventually(running, timeout_s=30)
        await asyncio.sleep(0.5)
    finally:
        worker.kill()

    sessions = (customer_session, scripted_session)
    with WorkerProcess(settings, **storage_env(settings)):

        async def all_decided() -> bool:
            statuses = [(await load_session(state, s)).status for s in sessions]
            return statuses == ["APPROVED", "APPROVED"]

        try:
            await eventually(all_decided, timeout_s=40)
        except AssertionError:
            runs = [await runs_of(state, s) for s in sessions]
            raise AssertionError(
                [(r.status, r.outcome, r.reasons, r.error, r.claims) for rs in runs for r in rs]
            ) from None
        requests = await asyncio.to_thread(receiver.wait_for, 2, 20)
        await asyncio.sleep(1.0)  # a duplicate delivery would arrive now

    # Nothing doubled: one run, one decision, one event id per session.
    assert len(receiver.received) == 2
    assert {r.json()["data"]["id"] for r in requests} == {str(s) for s in sessions}
    assert len({r.json()["id"] for r in requests}) == 2
    for session_id in sessions:
        assert await decided_count(state, session_id) == 1
        assert len(await runs_of(state, session_id)) == 1
    # Nothing lost: every committed photo of the uploaded session decrypts from the bucket.
    async with unit_of_work(state.sessionmaker) as db:
        objects = (
            await db.scalars(select(MediaObject).where(MediaObject.session_id == customer_session))
        ).all()
        kinds = sorted(o.kind for o in objects)
        assert kinds == [MediaKind.DOCUMENT_FRONT.value] + [MediaKind.SELFIE_FRAME.value] * 4
        media = MediaService(db, state)
        for stored in objects:
            assert len(await media.read(stored, actor_type="system")) == stored.size
        assert await db.scalar(select(func.count()).select_from(VerificationRun)) == 2
