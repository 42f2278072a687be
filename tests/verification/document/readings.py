"""Recogniser readings made by hand: sure of every character but for chosen runner-ups."""

from __future__ import annotations

import numpy as np
import pytest

from openkyc.verification.document.images import BGRImage
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.readings import RowsReading
from openkyc.verification.document.zone_reader import ZoneReader

Alternatives = tuple[tuple[tuple[str, float], ...], ...]


def runner_ups(text: str, rivals: dict[int, tuple[str, float]]) -> Alternatives:
    """Per character, itself, and at the columns of ``rivals`` a runner-up ``(char, p)`` that
    takes ``p`` from it."""
    return tuple(
        ((c, 1.0 - rivals[i][1]), rivals[i]) if i in rivals else ((c, 1.0),)
        for i, c in enumerate(text)
    )


def reading(text: str, rivals: dict[int, tuple[str, float]]) -> Recognised:
    """A reading of ``text`` with the runner-ups of :func:`runner_ups`."""
    options = runner_ups(text, rivals)
    confidences = tuple(a[0][1] for a in options)
    return Recognised(text, float(np.mean(confidences)), confidences, options)


def restored_frame_reader(
    monkeypatch: pytest.MonkeyPatch, taken: list[Recognised]
) -> tuple[ZoneReader, BGRImage]:
    """A zone reader started on a restored frame whose photo as taken reads ``taken`` row by row,
    and that frame."""
    reader = ZoneReader(None)  # type: ignore[arg-type]
    monkeypatch.setattr(reader, "_rows", lambda *_: RowsReading([], 0.0, None, 0.0, taken))
    restored = np.zeros((20, 20, 3), np.uint8)
    reader._start_image(restored, np.zeros((20, 20, 3), np.uint8))
    return reader, restored
