"""What the audit log's hash chain costs: commit latency of a transaction writing one audit
row with the chain versus without it, appends from concurrent writers, and how fast
`openkyc audit verify` walks the chain.

    .venv/bin/python bench/audit_chain.py [--rows 2000] [--writers 8] [--postgres URL]

SQLite in a temporary file always; PostgreSQL too when --postgres or OPENKYC_TEST_POSTGRES_URL
is given (its tables are dropped and recreated: use a scratch database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import Session

from openkyc.audit import chain
from openkyc.audit.service import AuditService
from openkyc.db.engine import create_engine, create_sessionmaker
from openkyc.db.models import Base
from openkyc.db.session import AsyncSessionMaker, unit_of_work


async def _reset(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()


async def _one(sessionmaker: AsyncSessionMaker, i: int) -> float:
    started = time.perf_counter()
    async with unit_of_work(sessionmaker) as db:
        await AuditService(db).record(
            action="bench.row", actor_type="system", subject_type="bench", subject_id=str(i),
            data={"i": i},
        )  # fmt: skip
    return time.perf_counter() - started


async def _sequential(sessionmaker: AsyncSessionMaker, rows: int) -> list[float]:
    return [await _one(sessionmaker, i) for i in range(rows)]


async def _concurrent(sessionmaker: AsyncSessionMaker, rows: int, writers: int) -> float:
    started = time.perf_counter()
    queue = iter(range(rows))

    async def writer() -> None:
        for i in queue:
            await _one(sessionmaker, i)

    await asyncio.gather(*(writer() for _ in range(writers)))
    return rows / (time.perf_counter() - started)


def _ms(values: list[float], q: float) -> float:
    return 1000 * statistics.quantiles(values, n=100)[int(q) - 1]


async def measure(url: str, rows: int, writers: int) -> None:
    name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    results = {}
    for sealed in (False, True):
        await _reset(url)
        if not sealed:
            event.remove(Session, "before_commit", chain._seal)
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine)
        try:
            latencies = await _sequential(sessionmaker, rows)
            throughput = await _concurrent(sessionmaker, rows, writers)
        finally:
            await engine.dispose()
            if not sealed:
                event.listen(Session, "before_commit", chain._seal)
        results[sealed] = (latencies, throughput)
        label = "with chain   " if sealed else "without chain"
        print(
            f"{name:10} {label}: commit p50 {_ms(latencies, 50):.2f} ms, "
            f"p99 {_ms(latencies, 99):.2f} ms; {writers} writers {throughput:.0f} rows/s"
        )
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    started = time.perf_counter()
    async with unit_of_work(sessionmaker) as db:
        report = await AuditService(db).verify_chain()
    elapsed = time.perf_counter() - started
    await engine.dispose()
    assert report.intact, report
    print(
        f"{name:10} verify: {report.checked} rows in {elapsed:.2f} s "
        f"({report.checked / elapsed:.0f} rows/s), intact"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("OPENKYC_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = [f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"]
        if args.postgres:
            urls.append(args.postgres)
        for url in urls:
            asyncio.run(measure(url, args.rows, args.writers))


if __name__ == "__main__":
    sys.exit(main())
