"""A minimal HTTP/1.1 keep-alive load generator on raw asyncio sockets.

httpx costs more CPU per request than a bare FastAPI endpoint does, which would make the
client the bottleneck and flatter the ratio; raw sockets keep the generator cheap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RequestFactory = Callable[[int], bytes]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    await reader.readexactly(length)
    return status


async def closed_loop(
    host: str, port: int, make: RequestFactory, *, connections: int, duration_s: float
) -> Result:
    """As fast as possible: ``connections`` clients, each sending the next request at once."""
    result = Result()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + duration_s

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                request = make(next(counter))
                started = time.perf_counter()
                status = await _exchange(reader, writer, request)
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.elapsed_s = time.perf_counter() - started
    return result


async def open_loop(
    host: str, port: int, make: RequestFactory, *, rate: float, duration_s: float, pool: int = 32
) -> Result:
    """A fixed arrival rate: latency is measured from the scheduled send time (no coordinated omission)."""
    result = Result()
    connections: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(pool):
        connections.put_nowait(await asyncio.open_connection(host, port))
    total = int(rate * duration_s)
    start = time.perf_counter()

    async def one(index: int) -> None:
        scheduled = start + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        reader, writer = await connections.get()
        try:
            status = await _exchange(reader, writer, make(index))
        finally:
            connections.put_nowait((reader, writer))
        result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1

    await asyncio.gather(*(one(i) for i in range(total)))
    result.elapsed_s = time.perf_counter() - start
    while not connections.empty():
        connections.get_nowait()[1].close()
    return result
