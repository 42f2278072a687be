"""The name row has no check digit, so it is read again at another scale, unless the first
reading was sure of every letter (``SURE_WITHOUT_NAME_REREAD``): over 853 traced confirmations no
such re-read ever disagreed, and skipping it saves one recogniser call on most documents."""

from __future__ import annotations

import numpy as np
from tests.verification.document.readings import reading

from openkyc.verification.document import zone_reader
from openkyc.verification.document.correction import correct
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.zone_reader import ZoneReader

ZONE = (
    "P<INDANDERSSON<<PIERRE<IGOR<<<<<<<<<<<<<<<<<",
    "NFG3KT07V4IND7609228M2306223<<<<<<<<<<<<<<<8",
)


def _confirm(
    name_rivals: dict[int, tuple[str, float]], letter: float | None = None
) -> tuple[bool, int]:
    """Confirm ``ZONE`` from a first reading with these runner-ups on the name row; returns
    whether it was accepted and how often the name row was read again."""
    rereads: list[int] = []

    def name_row(*_: object) -> Recognised:
        rereads.append(1)
        return reading(ZONE[0], {})

    reader = ZoneReader(None)  # type: ignore[arg-type]
    reader._name_row = name_row  # type: ignore[method-assign,assignment]
    correction = correct(list(ZONE))
    assert correction is not None
    name = reading(ZONE[0], name_rivals)
    if letter is not None:
        # Each rival column's own letter read at ``letter``, less than what its rival leaves.
        options = tuple(
            ((o[0][0], letter), *o[1:]) if i in name_rivals else o
            for i, o in enumerate(name.alternatives)
        )
        confidences = tuple(o[0][1] for o in options)
        name = Recognised(name.text, float(np.mean(confidences)), confidences, options)
    reads = [name, reading(ZONE[1], {})]
    first = zone_reader.RowsReading(list(ZONE), 0.99, correction, 0.99, reads)
    zone = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)
    image = np.zeros((20, 20, 3), np.uint8)
    confirmed = reader._confirm(image, zone, False, correction, first)
    return confirmed is not None, len(rereads)


def test_a_sure_first_reading_is_not_read_again() -> None:
    assert _confirm({}) == (True, 0)


def test_a_letter_read_less_surely_sends_the_row_to_another_scale() -> None:
    # The first A of ANDERSSON at 0.95, an R behind it: below SURE_WITHOUT_NAME_REREAD, so the row
    # is read again and the agreeing re-read confirms it.
    assert _confirm({5: ("R", 0.05)}) == (True, 1)


def test_a_letter_read_at_098_is_not_read_again() -> None:
    # From SURE_WITHOUT_NAME_REREAD (0.97) on, no traced re-read changed the outcome: the first
    # A of ANDERSSON at 0.98 (an R at 0.01, under NAME_RIVAL; the rest spread thin) is accepted
    # as read.
    assert _confirm({5: ("R", 0.01)}, letter=0.98) == (True, 0)
