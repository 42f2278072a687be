"""Real models, loaded once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openkyc.verification.face.matcher import FaceMatcher


@pytest.fixture(scope="session")
def matcher() -> Iterator[FaceMatcher]:
    built = FaceMatcher()
    yield built
    built.close()
