"""Recogniser readings made by hand: sure of every character but for chosen runner-ups."""

from __future__ import annotations

import numpy as np

from openkyc.verification.document.ocr import Recognised

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
