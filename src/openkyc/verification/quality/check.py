"""The capture gate: fast checks run on every photo before an upload is accepted."""

from __future__ import annotations

import math
import time

import numpy as np
import numpy.typing as npt

from openkyc.verification.document.images import ImageDecodeError, shrink, to_bgr, to_grey
from openkyc.verification.document.locate import ZoneCandidate, find_zones, upright_crop
from openkyc.verification.document.portrait import find_portrait
from openkyc.verification.document.results import Box
from openkyc.verification.types import Finding, Timing

from . import reasons
from .framing import locate_document
from .metrics import glare_share, luminance, sharpness
from .results import QualityReport

_WORK_SIDE = 640
# Thresholds, tuned on rendered specimens (docs/documents.md has the measurements).
# Edge steepness of the zone resampled to 600 px: sharp >= 0.20, Gaussian blur 1.2-2.2 px <= 0.16.
ZONE_MIN_SHARPNESS = 0.18
# The same on the whole document (no zone on this side): sharp >= 0.5, blurred <= 0.42.
PAGE_MIN_SHARPNESS = 0.45
DARK_MAX_LUMINANCE = 80.0
GLARE_MAX_SHARE = 0.012
SMALL_MIN_AREA = 0.1
# Below about 6 px per character the zone is too small to read reliably.
ZONE_MIN_PITCH = 6.0
ZONE_MIN_SCORE = 0.03
_MRV_B_MAX_ASPECT = 12.9

_ZONE_ON_BACK = ("kz_id_card", "td1_id_card")


def _zone_chars(kind: str | None, zone: ZoneCandidate) -> int:
    """Characters per row: 30 on TD1 cards, 36 on TD2, 44 on passports; a visa is MRV-A (44)
    or MRV-B (36). Without the kind 44 is the conservative guess (the smallest pitch)."""
    if kind in _ZONE_ON_BACK:
        return 30
    if kind == "td2_document":
        return 36
    if kind == "visa":
        # Measured on rendered visas: MRV-B zones are 11.3-12.4 times as long as high, MRV-A
        # 13.4-15.7; between them, the 44 of the conservative guess.
        return 36 if zone.size[0] < _MRV_B_MAX_ASPECT * zone.size[1] else 44
    return 44


def _zone_expected(side: str, kind: str | None) -> bool:
    if kind is None:
        # A card's front has no zone; without the kind only a back is sure to carry one.
        return side == "back"
    return (side == "back") == (kind in _ZONE_ON_BACK)


# Degrees: printed portraits with the head tilted this much defeat a frontal-face detector.
_FACE_TILTS = (-15.0, 15.0)


def _upright_angles(
    zone: ZoneCandidate, document: tuple[tuple[float, float], tuple[float, float], float] | None
) -> tuple[float, ...]:
    """The zone's reading angles worth trying: the document lies above its zone (every layout
    puts the zone at the bottom), so its centre tells which way up the page is."""
    if document is None:
        return (zone.angle, zone.angle + 180.0)
    (dx, dy), (zx, zy) = document[0], zone.centre
    theta = math.radians(zone.angle)
    # Below the text of a zone read at ``zone.angle`` is (-sin, cos); the document is not.
    below = (dx - zx) * -math.sin(theta) + (dy - zy) * math.cos(theta)
    return (zone.angle,) if below < 0 else (zone.angle + 180.0,)


def check_capture(
    image: bytes | npt.NDArray[np.uint8], *, side: str = "front", kind: str | None = None
) -> QualityReport:
    """Blur, exposure, glare, framing, size, face photo and zone presence, in tens of ms."""
    started = time.perf_counter()
    try:
        bgr = to_bgr(image)
    except ImageDecodeError:
        return QualityReport(ok=False, findings=(Finding(reasons.CAPTURE_UNREADABLE),))
    scale = min(1.0, _WORK_SIDE / max(bgr.shape[:2]))
    small = shrink(bgr, scale)
    grey = to_grey(small)
    findings: list[Finding] = []
    metrics: dict[str, float] = {}

    framing = locate_document(small, scale)  # on the reduced copy: only its outline matters
    mask = framing.mask if framing is not None and framing.area_share > 0.05 else None
    document_box: Box | None = None
    if framing is not None:
        metrics["document_area"] = round(framing.area_share, 4)
        metrics["document_touches"] = framing.touches
        x, y, w, h = framing.box
        document_box = Box(int(x / scale), int(y / scale), int(w / scale), int(h / scale))
    full_grey = to_grey(bgr)
    # A coarser search than the reader's: enough to tell whether a zone is there.
    zones = find_zones(full_grey, work_side=800)
    expected = _zone_expected(side, kind)
    if expected and (not zones or zones[0].score < ZONE_MIN_SCORE):
        # A small zone (a passport spread shot whole) can vanish at the coarse scale: look
        # again at the reader's own before telling the customer it is not there.
        zones = find_zones(full_grey)
    zone_score = zones[0].score if zones else 0.0
    metrics["zone_score"] = round(zone_score, 4)
    # A zone-like block on a side that has none (a card's front) is printed text: ignore it.
    usable = expected or kind is None
    zone = zones[0] if zones and zone_score >= ZONE_MIN_SCORE and usable else None
    if zone is not None:
        metrics["zone_pitch"] = round(zone.size[0] / _zone_chars(kind, zone), 2)

    if framing is not None and framing.touches >= 1 and framing.area_share < 0.97:
        findings.append(Finding(reasons.CAPTURE_CUT_OFF, {"sides": framing.touches}))
    elif zone is not None and metrics["zone_pitch"] < ZONE_MIN_PITCH:
        findings.append(Finding(reasons.CAPTURE_TOO_SMALL, {"pitch": metrics["zone_pitch"]}))
    elif (
        framing is not None
        and framing.area_share < SMALL_MIN_AREA
        # The colour segmentation can miss a pale document on a pale table; a zone with large
        # characters proves the document is close enough.
        and (zone is None or metrics["zone_pitch"] < 1.5 * ZONE_MIN_PITCH)
    ):
        findings.append(Finding(reasons.CAPTURE_TOO_SMALL, {"area": round(framing.area_share, 3)}))

    metrics["luminance"] = round(luminance(grey, mask), 1)
    metrics["glare"] = round(glare_share(small, mask), 4)
    if zone is not None:
        strip = upright_crop(bgr, zone, flip=False, target_width=600, pad_across=0.1)
        metrics["sharpness"] = round(sharpness(to_grey(strip), None), 3)
        blurred = metrics["sharpness"] < ZONE_MIN_SHARPNESS
    else:
        metrics["sharpness"] = round(sharpness(grey, mask), 3)
        blurred = metrics["sharpness"] < PAGE_MIN_SHARPNESS
    if metrics["luminance"] < DARK_MAX_LUMINANCE:
        findings.append(Finding(reasons.CAPTURE_TOO_DARK, {"luminance": metrics["luminance"]}))
    elif blurred:
        # Darkness lowers edge contrast too: report the cause the customer can fix first.
        findings.append(Finding(reasons.CAPTURE_BLURRED, {"sharpness": metrics["sharpness"]}))
    if metrics["glare"] > GLARE_MAX_SHARE:
        findings.append(Finding(reasons.CAPTURE_GLARE, {"share": metrics["glare"]}))

    if expected and zone is None:
        findings.append(Finding(reasons.CAPTURE_MRZ_NOT_FOUND))
    if side == "front":
        layout = {"ru_internal_passport": "RU", "td2_document": "TD2"}.get(kind or "", "TD3")
        document = framing.rect if framing is not None and mask is not None else None
        face = find_portrait(full_grey, zone=zone, layout=layout, document=document)
        # The frontal-face detector misses a head tilted in its photo: on a miss, look again
        # through windows turned a little either way (the zone or the card's outline fixes the
        # page's orientation, so a few windows are enough; a good capture never pays for them).
        for tilt in _FACE_TILTS if face is None else ():
            if zone is not None:
                for upright in _upright_angles(zone, document):
                    face = face or find_portrait(
                        full_grey, zone=zone, angle=upright + tilt, layout=layout
                    )
            elif document is not None:
                centre, size, angle = document
                face = find_portrait(
                    full_grey, layout=layout, document=(centre, size, angle + tilt)
                )
            if face is not None:
                break
        metrics["face_found"] = 1.0 if face is not None else 0.0
        if face is None:
            findings.append(Finding(reasons.CAPTURE_FACE_NOT_FOUND))
    elapsed = (time.perf_counter() - started) * 1000
    return QualityReport(
        ok=not findings,
        findings=tuple(findings),
        metrics=metrics,
        document_box=document_box,
        timings=(Timing("quality", round(elapsed, 2)),),
    )
