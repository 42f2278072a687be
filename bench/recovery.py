"""Kill -9 a worker in the middle of a verification; how long until the session is decided?

    .venv/bin/python bench/recovery.py [--pipeline default] [--rounds 3] [--lease-s 120]

Embedded mode (SQLite + the SQLite queue), the real pipeline on a rendered specimen, one
`openkyc worker -p 1` process group: warmed up, given a session, SIGKILLed while the run is
claimed, then started again at once (as a supervisor would). Prints, per round and as a
median, kill -> decision. Before a starting worker took back its dead predecessor's lease,
that was the lease (OPENKYC_VERIFICATION_LEASE_S, default 120 s) plus up to one sweep; now it
is the worker's start, model loading and one verification.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from flow import (  # type: ignore[import-not-found]  # bench/ is a script folder
    ROOT,
    Receiver,
    new_captured_session,
    prepare,
    render_specimens,
    submit,
)
from serving import child_env, scratch_settings  # type: ignore[import-not-found]
from sqlalchemy import select

from openkyc.db import migrate
from openkyc.db.session import unit_of_work
from openkyc.state import AppState, build_state
from openkyc.verifications.models import VerificationRun


async def run_status(state: AppState, session_id: uuid.UUID) -> str | None:
    async with unit_of_work(state.sessionmaker) as db:
        run = (
            await db.scalars(
                select(VerificationRun).where(VerificationRun.session_id == session_id)
            )
        ).first()
    return None if run is None else run.status


async def wait_for(state: AppState, session_id: uuid.UUID, status: str, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if await run_status(state, session_id) == status:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise TimeoutError(f"run not {status} after {timeout_s} s")


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "openkyc.cli.main", "worker", "-p", "1"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


async def run(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="openkyc-recovery-"))
    settings = scratch_settings(data_dir, pipeline=args.pipeline)
    await asyncio.to_thread(migrate.upgrade, settings.resolved_database_url)
    receiver = Receiver()
    state = build_state(settings)
    merchant_id = await prepare(state, receiver)
    (specimen,) = render_specimens(1)
    env = child_env(
        settings,
        OPENKYC_PIPELINE=args.pipeline,
        OPENKYC_VERIFICATION_LEASE_S=str(args.lease_s),
    )
    figures = []
    proc = start_worker(env)
    try:
        warm = await new_captured_session(state, merchant_id, specimen)
        await submit(state, warm)
        await wait_for(state, warm, "done", 300)  # models loaded
        for round_ in range(args.rounds):
            session_id = await new_captured_session(state, merchant_id, specimen)
            await submit(state, session_id)
            await wait_for(state, session_id, "running", 60)
            await asyncio.sleep(args.kill_after_s)
            kill(proc)
            killed = time.monotonic()
            proc = start_worker(env)
            await wait_for(state, session_id, "done", args.lease_s + 120)
            figures.append(time.monotonic() - killed)
            print(f"round {round_ + 1}: kill -> decision {figures[-1]:.1f} s", flush=True)
    finally:
        kill(proc)
        await state.close()
    print(
        f"pipeline={args.pipeline} lease={args.lease_s:g} s: kill -> decision median "
        f"{statistics.median(figures):.1f} s (min {min(figures):.1f}, max {max(figures):.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lease-s", type=float, default=120.0)
    parser.add_argument("--kill-after-s", type=float, default=0.3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
