"""The photos of hard seed 7 (``eval/documents.py --material hard --seed 7 --n 128
--distortions motion_strong motion_blur glare_strong``) that were reported verified with a wrong
character, rebuilt from their specimens and read end to end with the real models. Each must
read exactly or be refused (the readings' traces are in ``test_reading_motion_safety.py``)."""

from __future__ import annotations

import pytest
from tests.verification.document.photos import exact_or_refused, rebuilt

from openkyc.verification.document import DocumentReader

pytestmark = pytest.mark.slow


def test_a_shaken_s_read_as_8_is_not_verified(reader: DocumentReader) -> None:
    """#95: every scale read the number's S as 8 (S 4-11% behind), which passes every check
    digit; the unshaken view reads the S."""
    doc = rebuilt(
        "visa",
        {
            "surname": "BJORKLUND", "given_names": "WEI SOFIA", "sex": "M",
            "birth_date": "1988-06-03", "nationality": "POL", "issuing_country": "CAN",
            "number": "KF1D3SVC", "issue_date": "2025-12-12", "expiry_date": "2026-03-12",
            "document_code": "VC",
        },
        "synth10",
        700095,
        name="motion_blur", rotation_deg=-2.4263124917903163, perspective=0.022016680700361817,
        fill=0.873365228945185, offset=(0.008081734805465389, -0.033655328110787426),
        motion_blur=9, noise=0.5645308406047368, jpeg_quality=90,
        brightness=1.007852147672324, background="wood", frame=(1280, 960),
    )  # fmt: skip
    exact_or_refused(reader, doc)


def test_names_run_together_are_not_verified(reader: DocumentReader) -> None:
    """#111: the ``<<`` between the names was read ``≤≤`` and dropped, giving the surname
    ``OCONNORLAURA``; the only reading that agreed was the same crop read again."""
    doc = rebuilt(
        "visa",
        {
            "surname": "OCONNOR", "given_names": "LAURA", "sex": "M",
            "birth_date": "1979-01-11", "nationality": "GBR", "issuing_country": "POL",
            "number": "TDD3BU738", "issue_date": "2025-01-01", "expiry_date": "2030-01-01",
            "document_code": "V<",
        },
        "synth02",
        700111,
        name="motion_blur", rotation_deg=-2.558675049889624, perspective=0.027671953824448047,
        fill=0.800990685021102, offset=(0.02405583868272599, -0.00014264153194095547),
        motion_blur=6, noise=2.514908846295367, jpeg_quality=89,
        brightness=1.0202893095586745, background="desk", frame=(960, 1280),
    )  # fmt: skip
    exact_or_refused(reader, doc)
