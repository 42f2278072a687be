"""The instant checks done while the customer still holds the camera.

A document photo goes through the document-reading stage's
``openkyc.verification.quality.check_capture``; it returns stable reason codes (``too dark``,
``glare over the data``, ``bottom lines cut off``...) that the page translates. A selfie burst
goes through the liveness checker, and only a burst whose head movements were *missed* is sent
back (``openkyc.verification.liveness.retry`` says which). If a stage is not installed, every
capture passes here and the full pipeline judges it after submission.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

logger = logging.getLogger("openkyc.hosted")


# The page's "another country's passport" is the generic ICAO passport for the pipeline.
_PIPELINE_KINDS = {"passport": "td3_passport"}


@dataclass(frozen=True, slots=True)
class CaptureVerdict:
    acceptable: bool
    findings: tuple[str, ...]


def _quality_module() -> Any | None:
    try:
        return importlib.import_module("openkyc.verification.quality")
    except ModuleNotFoundError:
        return None


def _check(jpeg: bytes, side: str, kind: str | None) -> CaptureVerdict:
    module = _quality_module()
    check = getattr(module, "check_capture", None) if module is not None else None
    if check is None:
        return CaptureVerdict(True, ())
    report = check(jpeg, side=side, kind=_PIPELINE_KINDS.get(kind or "", kind))
    findings = tuple(str(getattr(f, "code", f)) for f in getattr(report, "findings", ()))
    acceptable = getattr(report, "acceptable", None)
    if acceptable is None:
        acceptable = getattr(report, "ok", not findings)
    return CaptureVerdict(bool(acceptable), findings)


async def check_document_capture(jpeg: bytes, *, side: str, kind: str | None) -> CaptureVerdict:
    try:
        return await asyncio.to_thread(_check, jpeg, side, kind)
    except Exception as exc:  # the instant check is advisory: the pipeline still judges it
        # Only the exception type: a message or traceback could quote the document's text.
        logger.warning("capture check failed", extra={"side": side, "error": type(exc).__name__})
        return CaptureVerdict(True, ())


class _SharedChecker:
    """One face mesh per web process, built on first use; mediapipe's graph is not re-entrant."""

    def __init__(self) -> None:
        from openkyc.verification.liveness.checker import LivenessChecker

        self.checker = LivenessChecker()
        self.lock = threading.Lock()


@cache
def _shared_checker() -> _SharedChecker:
    return _SharedChecker()


def _check_burst(
    frames: Sequence[bytes], times: Sequence[int | None], challenge_json: str
) -> CaptureVerdict:
    from openkyc.verification.liveness.challenge import Challenge
    from openkyc.verification.liveness.continuity import MIN_FRAMES
    from openkyc.verification.liveness.retry import worth_another_recording

    # A single photo (the upload form) or a handful of frames cannot show the challenge: the
    # pipeline marks liveness as not assessed and asks for a retake with its own reason.
    if len(frames) < MIN_FRAMES:
        return CaptureVerdict(True, ())
    known = [t for t in times if t is not None]
    shared = _shared_checker()
    with shared.lock:
        result = shared.checker.check(
            frames,
            known if len(known) == len(frames) else None,
            Challenge.from_json(challenge_json),
        )
    if not worth_another_recording(result):
        return CaptureVerdict(True, ())
    return CaptureVerdict(False, result.reasons)


async def check_selfie_burst(
    frames: Sequence[bytes], times: Sequence[int | None], *, challenge_json: str
) -> CaptureVerdict:
    """Whether the burst showed the challenge's head movements, judged as the pipeline will."""
    try:
        return await asyncio.to_thread(_check_burst, frames, times, challenge_json)
    except ModuleNotFoundError:
        return CaptureVerdict(True, ())
    except Exception as exc:  # advisory, like the document check: the pipeline still judges it
        logger.warning("selfie check failed", extra={"error": type(exc).__name__})
        return CaptureVerdict(True, ())
