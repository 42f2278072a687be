"""The instant check of a document photo, done while the customer still holds the camera.

Calls the document-reading stage's ``openkyc.verification.quality.check_capture``; it returns
stable reason codes (``too dark``, ``glare over the data``, ``bottom lines cut off``...) that
the page translates. If that stage is not installed, every capture passes here and the full
pipeline judges it after submission.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass
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
