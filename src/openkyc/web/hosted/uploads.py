"""Uploaded images are read, measured and cleaned before the flow is locked.

Decoding is the slow part of an upload (a 40 MP PNG takes seconds) and the flow's row lock
is, on SQLite, the database's single write lock: holding it while decoding stalled every
writer, signed creates and the sweep included. So the page's upload handlers read the form,
refuse what is too large from the image headers alone (per image, and for all images of the
request together), and decode through a process-wide number of slots, all before their unit
of work begins; only storing and the flow's state change run under the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from fastapi import Request
from starlette.datastructures import UploadFile

from openkyc.config import Settings
from openkyc.media.errors import UploadRejected
from openkyc.media.sanitise import SanitisedImage, image_size, sanitise_image


@dataclass(frozen=True, slots=True)
class PixelBudget:
    per_image: int
    per_request: int
    reason: str  # the refusal the page shows

    @classmethod
    def document(cls, settings: Settings) -> PixelBudget:
        return cls(settings.upload_max_pixels, settings.upload_max_pixels, "upload_too_many_pixels")

    @classmethod
    def selfie(cls, settings: Settings) -> PixelBudget:
        return cls(
            settings.selfie_frame_max_pixels,
            settings.upload_max_request_pixels,
            "selfie_too_many_pixels",
        )


# Decoding threads run at a lower CPU priority than the event loop's thread: on a busy core
# the API's requests go first and a burst of uploads only takes the time left over.
_DECODER_NICENESS = 10
_decoder: ThreadPoolExecutor | None = None
_decoder_lock = threading.Lock()


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # per-thread niceness is Linux's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _DECODER_NICENESS)


def _decoder_pool(settings: Settings) -> ThreadPoolExecutor:
    global _decoder
    with _decoder_lock:
        if _decoder is None:
            _decoder = ThreadPoolExecutor(
                max_workers=settings.upload_decode_concurrency,
                thread_name_prefix="openkyc-decode",
                initializer=_lower_priority,
            )
        return _decoder


def decode_slots(request: Request, settings: Settings) -> asyncio.Semaphore:
    """The app's decoding slots (created on first use, inside the serving event loop)."""
    slots: asyncio.Semaphore | None = getattr(request.app.state, "decode_slots", None)
    if slots is None:
        slots = asyncio.Semaphore(settings.upload_decode_concurrency)
        request.app.state.decode_slots = slots
    return slots


async def read_images(
    values: Sequence[object], settings: Settings, budget: PixelBudget
) -> list[bytes]:
    """Every upload's bytes, refused (422) before any decoding if an image, or all of them
    together, would decode to more pixels than the budget allows."""
    images: list[bytes] = []
    total = 0
    for value in values:
        if not isinstance(value, UploadFile):
            raise UploadRejected("upload_missing")
        # One byte past the limit is enough to know it is too large.
        data = await value.read(settings.upload_max_bytes + 1)
        width, height = image_size(data, max_bytes=settings.upload_max_bytes)
        total += width * height
        if width * height > budget.per_image or total > budget.per_request:
            raise UploadRejected(budget.reason)
        images.append(data)
    return images


async def sanitise_images(
    request: Request, images: Sequence[bytes], settings: Settings, budget: PixelBudget
) -> list[SanitisedImage]:
    """Decode and re-encode each image off the event loop, a slot at a time, on the
    process's low-priority decoding threads."""
    slots = decode_slots(request, settings)
    pool = _decoder_pool(settings)
    loop = asyncio.get_running_loop()
    cleaned = []
    for data in images:
        async with slots:
            work = partial(
                sanitise_image,
                data,
                max_bytes=settings.upload_max_bytes,
                max_pixels=budget.per_image,
                too_many_pixels=budget.reason,
            )
            cleaned.append(await loop.run_in_executor(pool, work))
    return cleaned
