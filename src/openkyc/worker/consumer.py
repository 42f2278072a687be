"""Running workers: thread-based inside ``openkyc serve``, process-based for ``openkyc worker``.

Both are Huey consumers over the same queue; both also run the sweep, so a deployment with
only API processes (embedded) or only dedicated workers still recovers lost jobs.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

from huey.consumer import Consumer

from openkyc.config import Settings
from openkyc.worker.queue import JobQueue

logger = logging.getLogger("openkyc.worker")

# Idle workers poll the queue at most this far apart (SQLite has no blocking pop).
_MAX_POLL_S = 0.25
# After the shutdown timeout, how long an interrupted worker gets to hand its job back.
_HAND_BACK_S = 5.0


class _QuietConsumer(Consumer):  # type: ignore[misc]  # huey ships no type hints
    """A consumer that leaves signal handling to its host (uvicorn owns SIGINT/SIGTERM)."""

    def _set_signal_handlers(self) -> None:
        return None


class EmbeddedWorker:
    """Worker threads in this process, for the one-command embedded mode."""

    def __init__(self, queue: JobQueue, threads: int, shutdown_timeout_s: float) -> None:
        # Threads cannot be interrupted: after the timeout a running job is left to its
        # lease (another process takes it over), and the daemon thread dies with us.
        self.consumer = _QuietConsumer(
            queue.huey,
            workers=threads,
            worker_type="thread",
            periodic=False,
            initial_delay=0.05,
            max_delay=_MAX_POLL_S,
            check_worker_health=True,
            shutdown_timeout=shutdown_timeout_s,
        )

    def start(self) -> None:
        self.consumer.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=True)


class _SweepingConsumer(Consumer):  # type: ignore[misc]  # huey ships no type hints
    def __init__(self, settings: Settings, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._settings = settings
        self._sweeper: threading.Thread | None = None

    def start(self) -> None:
        super().start()
        # Started after the workers forked: the children never inherit this thread.
        self._sweeper = threading.Thread(
            target=_sweep_forever, args=(self._settings, self.stop_flag), daemon=True
        )
        self._sweeper.start()


def _sweep_forever(settings: Settings, stop_flag: Any) -> None:
    from openkyc.state import build_state
    from openkyc.worker.periodic import sweep_once

    async def main() -> None:
        state = build_state(settings)
        try:
            while not stop_flag.is_set():
                try:
                    await sweep_once(state)
                except Exception:  # one failed sweep must not stop the next one
                    logger.exception("sweep failed")
                await asyncio.sleep(settings.sweep_interval_s)
        finally:
            await state.close()

    asyncio.run(main())


def run_worker_processes(settings: Settings, queue: JobQueue, processes: int) -> None:
    """Block running ``processes`` worker processes until SIGINT/SIGTERM.

    SIGTERM is graceful: no new job is taken, running jobs get ``OPENKYC_SHUTDOWN_TIMEOUT_S``
    to finish; then their workers are interrupted and hand their runs back (enqueued again at
    once); a worker that still has not exited a few seconds later is killed. SIGINT skips
    the wait. Either way the command returns within the timeout plus a few seconds."""
    consumer = _SweepingConsumer(
        settings,
        queue.huey,
        workers=processes,
        worker_type="process",
        periodic=False,
        initial_delay=0.05,
        max_delay=_MAX_POLL_S,
        check_worker_health=True,
        health_check_interval=2,
        graceful_signal="TERM",
        shutdown_timeout=settings.shutdown_timeout_s,
    )
    consumer.run()
    deadline = time.monotonic() + _HAND_BACK_S
    for _, process in consumer.worker_threads:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            # Stuck in native code that ignores the interrupt: its lease returns the job.
            logger.warning("worker process killed at shutdown", extra={"pid": process.pid})
            process.kill()
            process.join(1)
