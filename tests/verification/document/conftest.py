from __future__ import annotations

import pytest

from openkyc.verification.document import DocumentReader


@pytest.fixture(scope="module")
def reader() -> DocumentReader:
    """One reader (one set of loaded models) per module, as in a worker process; without the
    printed fields, which need tesseract."""
    return DocumentReader(visual_zone=False)
