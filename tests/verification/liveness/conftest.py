"""The real liveness checker (MediaPipe face mesh), built once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openkyc.verification.liveness.checker import LivenessChecker


@pytest.fixture(scope="session")
def checker() -> Iterator[LivenessChecker]:
    built = LivenessChecker()
    yield built
    built.mesher.close()
