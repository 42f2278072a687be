"""G and 6 differ by ten in value, so no check digit can tell them apart in a number whose
format allows both. A shaken G read as 6, with the G a fraction of a percent behind it, passed
every check (seed 31 #156 of eval/documents.py): when a reading gives the rival any plausible
weight, the zone with the camera shake removed must not read the rival instead."""

from __future__ import annotations

import numpy as np
import pytest
from tests.verification.document.readings import reading

from openkyc.verification.document import zone_reader
from openkyc.verification.document.correction import correct
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.results import MrzData
from openkyc.verification.document.row_doubts import _prefers_rival, _unseen_rivals
from openkyc.verification.document.zone_reader import ZoneReader

TRUTH = (
    "P<INDANDERSSON<<PIERRE<IGOR<<<<<<<<<<<<<<<<<",
    "NFG3KT07V4IND7609228M2306223<<<<<<<<<<<<<<<8",
)

MISREAD = (TRUTH[0], TRUTH[1].replace("NFG3", "NF63"))


def _misread_mrz() -> MrzData:
    return parse(list(MISREAD))


def test_the_check_digits_cannot_see_the_swap() -> None:
    assert parse(list(TRUTH)).valid
    assert parse(list(MISREAD)).valid


def test_a_plausible_rival_is_noticed_and_a_faint_one_is_not() -> None:
    mrz = _misread_mrz()
    plausible = [reading(MISREAD[0], {}), reading(MISREAD[1], {2: ("G", 0.0054)})]
    assert _unseen_rivals(plausible, mrz) == {(1, 2, "G")}
    faint = [reading(MISREAD[0], {}), reading(MISREAD[1], {2: ("G", 0.001)})]
    assert _unseen_rivals(faint, mrz) == set()


def test_another_view_that_reads_the_rival_is_a_contradiction() -> None:
    mrz = _misread_mrz()
    rivals = {(1, 2, "G")}
    # The deconvolved zone read G, and an odd symbol later in the row does not hide it.
    shaken_off = TRUTH[1].replace("IND76", "1NΦ76")
    assert _prefers_rival([reading(shaken_off, {})], mrz, rivals)
    assert not _prefers_rival([reading(MISREAD[1], {})], mrz, rivals)


def _confirm(monkeypatch: pytest.MonkeyPatch, view: str, first_rival: float) -> bool:
    """Confirm the misread zone; ``view`` is what the deconvolved zone reads as the number row."""
    image = np.zeros((20, 20, 3), np.uint8)
    monkeypatch.setattr(zone_reader, "deblurred_zone", lambda *_: (image, None))
    reader = ZoneReader(None)  # type: ignore[arg-type]
    reader._name_row = lambda *_: reading(MISREAD[0], {})  # type: ignore[method-assign]
    rows = [reading(MISREAD[0], {}), reading(view, {})]
    reader._rows = lambda *_: zone_reader._Try(  # type: ignore[method-assign]
        list(MISREAD), 0.99, None, 0.99, rows
    )
    zone = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)
    correction = correct(list(MISREAD))
    assert correction is not None
    reads = [reading(MISREAD[0], {}), reading(MISREAD[1], {2: ("G", first_rival)})]
    first = zone_reader._Try(list(MISREAD), 0.99, correction, 0.99, reads)
    return reader._confirm(image, zone, False, correction, first) is not None


def test_the_shaken_misreading_is_rejected_when_the_unshaken_view_reads_g(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not _confirm(monkeypatch, TRUTH[1], first_rival=0.0054)


def test_the_reading_stands_when_the_unshaken_view_agrees_or_no_rival_was_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _confirm(monkeypatch, MISREAD[1], first_rival=0.0054)
    # No rival seen: no extra view is paid for, whatever it would have read.
    assert _confirm(monkeypatch, TRUTH[1], first_rival=0.0)
