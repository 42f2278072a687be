"""How the whole-frame fallback stacks the rows it read into zones (geometry only; the photos
that need the fallback are read end to end in ``test_reading_hard_photos.py``)."""

from __future__ import annotations

import math

from openkyc.verification.document.frame_rows import FrameRow, stacked_zones, zone_of
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.ocr import Recognised


def _row(text: str, centre: tuple[float, float], angle: float, length: float = 600) -> FrameRow:
    return FrameRow(ZoneCandidate(centre, (length, 30.0), angle, 1.0), Recognised(text, 0.99, ()))


def _below(centre: tuple[float, float], angle: float, distance: float) -> tuple[float, float]:
    """The point ``distance`` below ``centre`` for text upright at ``angle``."""
    theta = math.radians(angle)
    return centre[0] - distance * math.sin(theta), centre[1] + distance * math.cos(theta)


def test_rows_stack_top_first_whichever_way_the_card_is_turned() -> None:
    for angle in (0.0, 90.0, 180.0, 270.0, 27.0):
        top = _row("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", (500.0, 500.0), angle)
        bottom = _row(
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10", _below((500.0, 500.0), angle, 45), angle
        )
        assert stacked_zones([bottom, top]) == [[top, bottom]], angle


def test_a_row_read_the_other_way_up_is_not_stacked_with_its_neighbour() -> None:
    """Two rows whose readings are upright half a turn apart cannot be one zone: one of them
    was read upside down."""
    top = _row("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", (500.0, 500.0), 0.0)
    bottom = _row("L898902C36UTO7408122F1204159ZE184226B<<<<<10", (500.0, 545.0), 180.0)
    assert stacked_zones([top, bottom]) == []


def test_rows_far_apart_or_of_unlike_length_make_no_zone() -> None:
    top = _row("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", (500.0, 500.0), 0.0)
    far = _row("L898902C36UTO7408122F1204159ZE184226B<<<<<10", (500.0, 700.0), 0.0)
    short = _row("L898902C36UTO7408122F<<<<", (500.0, 545.0), 0.0, length=300)
    assert stacked_zones([top, far]) == []
    assert stacked_zones([top, short]) == []


def test_the_zone_around_stacked_rows_is_upright_as_they_read() -> None:
    for angle in (0.0, 90.0, 180.0, 270.0):
        top = _row("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", (500.0, 500.0), angle)
        bottom = _row(
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10", _below((500.0, 500.0), angle, 45), angle
        )
        zone = zone_of([top, bottom])
        gap = abs(zone.angle - angle) % 360.0
        assert min(gap, 360.0 - gap) < 1.0, (angle, zone.angle)
        assert zone.size[0] > zone.size[1]
