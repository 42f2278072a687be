"""Reading the machine-readable zone of one image: locate, crop upright, OCR, correct, then
confirm (:mod:`.zone_confirmation`).

Cost control: rows are split by projection and only recognised (no text detector) on the first
try; restored views (shake undone, refocused), other scales, and the whole frame's detected
rows (:mod:`.frame_rows`) are fallbacks for hard images.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from .correction import Correction, correct, normalise
from .deblur import Shake, deblurred_zone, focus_sigmas, refocused_zone, zone_shake
from .frame_rows import FrameRow, detected_lines, read_line, stacked_zones, zone_of
from .images import to_grey
from .locate import ZoneCandidate, angle_gap, beside, find_zones, upright_crop
from .ocr import MrzOcr, Recognised
from .readings import OTHER_WIDTHS, WIDTH, FocusedView, RowsReading
from .results import MrzData
from .rows import Row, character_marks, split_rows, straightened, zone_rows
from .runner_ups import correct_by_runner_ups
from .visual_zone import PrintedWords
from .zone_confirmation import ZoneConfirmation

BGRImage = npt.NDArray[np.uint8]

# Below this many pixels per character the name row (no check digit) is misread too often.
MIN_PITCH = 6.5
# Fillers re-read past the last name letter: three make the rest of the field filler.
_NAME_TAIL = 4


@dataclass(frozen=True, slots=True)
class ZoneReading:
    correction: Correction | None
    raw_lines: tuple[str, ...]
    # Rotation (degrees, OpenCV convention) that makes the zone's text upright, if known.
    angle: float | None
    zone: ZoneCandidate | None
    name_confirmed: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def _score(tries: dict[bool, RowsReading], flip: bool) -> float:
    attempt = tries.get(flip)
    return attempt.score if attempt is not None else 0.0


def _same_place(a: ZoneCandidate, b: ZoneCandidate) -> bool:
    """Whether two candidates are one zone, as near as a second try would read it."""
    return (
        math.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1]) < 0.3 * b.size[1]
        and abs(a.size[0] - b.size[0]) < 0.1 * b.size[0]
        and angle_gap(a.angle, b.angle) < 3
    )


def _zone_like(texts: list[str]) -> bool:
    return any(len(normalise(t)) >= 24 and normalise(t).count("<") >= 2 for t in texts)


class ZoneReader(ZoneConfirmation):
    """Locates and reads the zone of one image at a time; see the module's docstring."""

    def __init__(
        self, ocr: MrzOcr, printed: PrintedWords | Literal["shared"] | None = "shared"
    ) -> None:
        """``printed`` reads the printed names (see :mod:`.printed_rivals`); by default the
        process-wide tesseract reader, loaded on first need; None turns that off."""
        super().__init__(printed)
        self._ocr = ocr
        # The photo's zones with the shake their cepstrum shows undone, by zone centre.
        self._unshaken_zones: dict[tuple[float, float], tuple[BGRImage, Shake] | None] = {}
        # The shake each zone's cepstrum shows, by zone centre (measured before it is undone).
        self._shakes: dict[tuple[float, float], Shake | None] = {}
        # Their readings at the usual width, by (zone centre, flip).
        self._unshaken_tries: dict[tuple[tuple[float, float], bool], RowsReading] = {}
        # The current image's stage timings and likeliest zone text.
        self._timings: dict[str, float] = {}
        self._best_texts: list[str] = []
        # Zones (by centre, and way up) whose rows read only straightened, and those whose
        # straightened reading passed its check digits but was not confirmed.
        self._bent: set[tuple[tuple[float, float], bool]] = set()
        self._not_bent: set[tuple[tuple[float, float], bool]] = set()
        # The current image's crops (with the view they were cut from) and each crop's character
        # marks and rows (with the crop), cut once: the readings, the faded-name test and the
        # name-row re-readings ask for the same ones (the faded-name test cost 9-20 ms a read).
        self._crops: dict[tuple[ZoneCandidate, bool, int, bool], tuple[BGRImage, BGRImage]] = {}
        self._cuts: dict[int, tuple[BGRImage, npt.NDArray[np.uint8], list[Row]]] = {}

    def _crop(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> BGRImage:
        key = (zone, flip, width, (zone.centre, flip) in self._bent)
        cached = self._crops.get(key)
        if cached is not None and cached[0] is image:
            return cached[1]
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        crop = straightened(crop) if key[3] else crop
        self._crops[key] = (image, crop)
        return crop

    def _cut(self, crop: BGRImage) -> tuple[npt.NDArray[np.uint8], list[Row]]:
        """The crop's character marks and rows (:func:`.rows.split_rows`), once per crop."""
        cached = self._cuts.get(id(crop))
        if cached is not None and cached[0] is crop:
            return cached[1], cached[2]
        marks = character_marks(crop)
        rows = split_rows(crop, marks)
        self._cuts[id(crop)] = (crop, marks, rows)
        return marks, rows

    def _rows(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> RowsReading:
        """The rows of the zone's crop read one by one; a crop that fails its check digits
        and whose rows bend (a page bowed under the camera) is read again straightened, and
        the zone is then cut straightened for every later reading of it, unless that reading
        is refused (:meth:`_done`)."""
        crop = self._crop(image, zone, flip, width)
        reading = self._read_rows(crop)
        reading.width = width
        key = (zone.centre, flip)
        if reading.correction is None and key not in self._bent and key not in self._not_bent:
            bent = straightened(crop)
            if bent is not crop:
                again = self._read_rows(bent)
                if again.correction is not None:
                    self._bent.add(key)
                    self._crops[(zone, flip, width, True)] = (image, bent)
                    again.width = width
                    return again
        return reading

    def _read_rows(self, crop: BGRImage) -> RowsReading:
        split = self._cut(crop)[1]
        if not 2 <= len(split) <= 4:
            return RowsReading([], 0.0, None)
        reads: list[Recognised] = []
        for i, r in enumerate(split):
            reads.append(
                self._ocr.recognise_chars(
                    np.ascontiguousarray(crop[r.top : r.bottom, r.left : r.right])
                )
            )
            first = normalise(reads[0].text)
            if i == 0 and (len(first) < 20 or "<" not in first):
                # Every zone's first row has a filler; upside down, "<" reads as ">" or worse.
                return RowsReading([reads[0].text], reads[0].score * 0.5, None)
        texts = [r.text for r in reads]
        score = sum(r.score for r in reads) / len(reads)
        correction = correct(texts)
        if correction is None and _zone_like(texts) and all(r.alternatives for r in reads):
            # Only a zone that failed its check digits pays for this search.
            correction = correct_by_runner_ups(texts, [r.alternatives for r in reads])
        return RowsReading(texts, score, correction, min(r.score for r in reads), reads)

    def _name_row(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int, accepted: MrzData
    ) -> Recognised | None:
        """The name row read again from a crop at another scale. Only the row's start up to a
        few fillers past the last name is recognised: the recogniser's cost grows with the
        width it reads, and after three fillers the names hold nothing but fillers anyway."""
        rows = len(accepted.lines)
        crop = self._crop(image, zone, flip, width)
        split = zone_rows(self._cut(crop)[1], rows, crop.shape[0])
        if len(split) >= rows:
            # TD1 carries the names on its third row, the others on their first.
            r = split[-1] if rows == 3 else split[-2]
            line = accepted.lines[2 if rows == 3 else 0]
            used = len(line.rstrip("<")) + _NAME_TAIL
            if used >= len(line):
                return self._ocr.recognise_chars(
                    np.ascontiguousarray(crop[r.top : r.bottom, r.left : r.right])
                )
            right = min(r.right, r.left + round((r.right - r.left) * used / len(line)))
            read = self._ocr.recognise_chars(
                np.ascontiguousarray(crop[r.top : r.bottom, r.left : right])
            )
            # The fillers not re-read are taken as fillers (the row's length is then restored
            # by the same filler-run fitting as any reading).
            tail = len(line) - used
            return Recognised(
                read.text + "<" * tail,
                read.score,
                read.confidences + (1.0,) * tail,
                read.alternatives + ((("<", 1.0),),) * tail,
            )
        return None

    def _shake(self, zone: ZoneCandidate) -> Shake | None:
        """:func:`.deblur.zone_shake` of the photo, once per zone: every confirmation asks
        whether the zone shows a shake, and most zones show none worth undoing."""
        if zone.centre not in self._shakes:
            assert self._photo is not None
            stage = time.perf_counter()
            self._shakes[zone.centre] = zone_shake(self._photo, zone)
            self._add_time("deblur", stage)
        return self._shakes[zone.centre]

    def _unshaken(self, zone: ZoneCandidate) -> tuple[BGRImage, Shake] | None:
        """:func:`.deblur.deblurred_zone` of the photo, once per zone: the reading, the
        doubt tests and the printed names all ask for it."""
        if zone.centre not in self._unshaken_zones:
            assert self._photo is not None
            shake = self._shake(zone)
            stage = time.perf_counter()
            restored = None if shake is None else deblurred_zone(self._photo, zone, shake)
            self._unshaken_zones[zone.centre] = restored
            self._add_time("deblur", stage)
        return self._unshaken_zones[zone.centre]

    def _unshaken_attempt(self, zone: ZoneCandidate, flip: bool, view: BGRImage) -> RowsReading:
        """The reading of ``view``, the photo's zone unshaken (:meth:`_unshaken`), once per zone
        and way up: the reading itself, the restored-view filler test and the G/6 test each ask
        for it, the filler test once per reading of the photo it confirms."""
        key = (zone.centre, flip)
        if key not in self._unshaken_tries:
            self._unshaken_tries[key] = self._rows(view, zone, flip, WIDTH)
        return self._unshaken_tries[key]

    def _refocused(self, zone: ZoneCandidate, flip: bool, plain: RowsReading) -> FocusedView | None:
        """The photo's zone deconvolved by the focus blur it reads best at, with that reading,
        when that reads more surely than ``plain``, the photo's own reading (once per zone and
        way up).

        Measured on the rejected ``blur`` photos of seeds 97 and 131 (true sigma 1.4-2.1 px):
        the best-read sigma lay within 0.5 px of the truth; a sigma too small or too large left
        errors in the names (a filler read C, internal-passport G for Q, B for 8), which the
        name doubts reject like those of any other reading.

        Not on a zone whose cepstrum shows a shake (``Shake.evident``): a Gaussian does not
        undo a line, and the artefacts repeat in every re-reading of the same view. Held-out
        seed 53 #156 (a 9 px shake) read ``MEHNET`` for ``MEHMET`` refocused at 1.74 px,
        confirmed by both other scales of that view at a name confidence of 0.86."""
        key = (zone.centre, flip)
        if key in self._focus:
            return self._focus[key]
        self._focus[key] = None
        if self._photo is None or not _zone_like(plain.texts):
            return None
        shake = self._shake(zone)
        if shake is not None and shake.evident:
            return None
        characters = max(len(normalise(t)) for t in plain.texts)
        best: FocusedView | None = None
        for sigma in focus_sigmas(zone, characters):
            restored = refocused_zone(self._photo, zone, sigma)
            if restored is None:
                return None
            attempt = self._rows(restored, zone, flip, WIDTH)
            if best is None or attempt.score > best.attempt.score:
                best = FocusedView(restored, attempt, sigma)
        if best is not None and best.attempt.score > plain.score:
            self._focus[key] = best
        return self._focus[key]

    def read(
        self, image: BGRImage, *, full_frame: bool = True, taken: BGRImage | None = None
    ) -> ZoneReading:
        """``full_frame=False`` skips the slow fallback, the whole frame's detected rows (for a
        side unlikely to carry the zone). ``taken``: the photo as taken, where ``image`` is the
        whole frame restored."""
        self._timings = {}
        self._best_texts = []
        self._start_image(image, taken)
        self._unshaken_zones = {}
        self._shakes = {}
        self._unshaken_tries = {}
        self._bent = set()
        self._not_bent = set()
        self._crops = {}
        self._cuts = {}
        start = time.perf_counter()
        zones = find_zones(to_grey(image))
        self._timings["locate"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        for zone in zones:
            reading = self._read_zone(image, zone, first=zone is zones[0])
            if reading is not None:
                self._timings["ocr"] = (time.perf_counter() - start) * 1000
                return reading
        self._timings["ocr"] = (time.perf_counter() - start) * 1000
        if not full_frame:
            return self._refused()
        start = time.perf_counter()
        reading = self._whole_frame(image, list(zones))
        self._timings["whole_frame"] = (time.perf_counter() - start) * 1000
        return reading or self._refused()

    def _whole_frame(self, image: BGRImage, tried: list[ZoneCandidate]) -> ZoneReading | None:
        """The zone read from the text detector's lines (:mod:`.frame_rows`): first the rows
        as recognised along their own boxes, then every way of reading a zone
        (:meth:`_read_zone`) on the zones they stack into, around rows that stack with none
        (the detector often misses a faint row of fillers) and on lines that read as no row
        (rows boxed together), less those already tried."""
        lines = detected_lines(self._ocr, image)
        rows: list[FrameRow] = []
        unread: list[ZoneCandidate] = []
        for line in lines:
            row = read_line(self._ocr, image, line)
            if row is not None:
                rows.append(row)
            else:
                unread.append(line)
        groups = stacked_zones(rows)
        for group in groups:
            reads = [row.read for row in group]
            texts = [read.text for read in reads]
            attempt = RowsReading(
                texts,
                sum(r.score for r in reads) / len(reads),
                correct(texts),
                min(r.score for r in reads),
                reads,
            )
            reading = self._done(attempt, zone_of(group), False, image)
            if reading is not None:
                return reading
            if _zone_like(texts):
                self._best_texts = texts
        lone = [row for row in rows if not any(row in group for group in groups)]
        zones = [zone_of(group) for group in groups] + [beside(row.box) for row in lone]
        # A box that reads as no row may hold two rows boxed together (a bent page).
        zones += unread
        for zone in zones:
            if any(_same_place(zone, other) for other in tried):
                continue
            tried.append(zone)
            reading = self._read_zone(image, zone, first=False)
            if reading is not None:
                return reading
        return None

    def _refused(self) -> ZoneReading:
        return ZoneReading(None, tuple(self._best_texts), None, None, False, self._timings)

    def _done(
        self, first: RowsReading, zone: ZoneCandidate, flip: bool, source: BGRImage
    ) -> ZoneReading | None:
        """The reading ``first`` as the zone's, if it passes every check digit and is
        confirmed (:meth:`_confirm`)."""
        result, texts = first.correction, first.texts
        if result is None:
            return None
        if zone.size[0] / len(result.mrz.lines[0]) < MIN_PITCH:
            return None
        # What the confirmation remembers of this image, to forget a warped cut's readings.
        doubtful, seen = set(self._doubtful), set(self._seen)
        confirmed = self._confirm(source, zone, flip, result, first)
        if confirmed is None:
            if (zone.centre, flip) in self._bent:
                # Straightening a flat zone can pull a printed line above into the zone's rows
                # (visas__USA2: that read passed its check digits and was refused): every later
                # reading of it would be cut the same way, so the plain cut is restored, and
                # what the warped cut read (there, an unprotected ``U83`` for ``085``) neither
                # doubts nor contradicts the plain cut's readings, which are confirmed on their own.
                self._bent.discard((zone.centre, flip))
                self._not_bent.add((zone.centre, flip))
                self._doubtful, self._seen = doubtful, seen
            return None
        if self._unshaken_names_differ(source, zone, flip, *confirmed):
            return None
        angle = zone.angle + (180.0 if flip else 0.0)
        return ZoneReading(confirmed[0], tuple(texts), angle, zone, True, self._timings)

    def _read_zone(
        self, image: BGRImage, zone: ZoneCandidate, *, first: bool
    ) -> ZoneReading | None:
        """Every way of reading one candidate zone, cheapest first: rows at the usual width both
        ways up, the zone with camera shake undone, refocused, then rows at other widths.
        ``first``: the best candidate, tried in full even when illegible."""
        tries: dict[bool, RowsReading] = {}
        for flip in (False, True):
            attempt = self._rows(image, zone, flip, WIDTH)
            tries[flip] = attempt
            self._photo_tries[(zone.centre, flip)] = attempt
            reading = self._done(attempt, zone, flip, image)
            if reading is not None:
                return reading
            if attempt.score > 0.85 and _zone_like(attempt.texts):
                break  # legible this way up: the other way up is pointless
        legible = [f for f, t in tries.items() if _zone_like(t.texts)]
        flips = sorted(legible or [False, True], key=lambda f: -tries[f].score)
        if not legible and not first:
            return None
        # Camera shake is the commonest reason a well-located zone does not read: undo it
        # before the costlier detector and other scales.
        restored = self._unshaken(zone)
        if restored is not None:
            for flip in sorted((False, True), key=lambda f: -_score(tries, f)):
                attempt = self._unshaken_attempt(zone, flip, restored[0])
                reading = self._done(attempt, zone, flip, restored[0])
                if reading is not None:
                    return reading
                if attempt.score > 0.85 and _zone_like(attempt.texts):
                    break
        flip = flips[0]
        stage = time.perf_counter()
        focus = self._refocused(zone, flip, tries[flip])
        self._add_time("refocus", stage)
        if focus is not None:
            reading = self._done(focus.attempt, zone, flip, focus.image)
            if reading is not None:
                return reading
        self._best_texts = self._best_texts or tries[flip].texts
        for width in OTHER_WIDTHS:
            attempt = self._rows(image, zone, flip, width)
            reading = self._done(attempt, zone, flip, image)
            if reading is not None:
                return reading
            if _zone_like(attempt.texts):
                self._best_texts = attempt.texts
        return None

    def _add_time(self, stage: str, since: float) -> None:
        self._timings[stage] = self._timings.get(stage, 0.0) + (time.perf_counter() - since) * 1000
