"""Reading the machine-readable zone of one image: locate, crop upright, OCR, correct, confirm.

Cost control: rows are split by projection and only recognised (no text detector) on the first
try; the detector, other scales and whole-frame OCR are fallbacks for hard images.

The name row has no check digit, so a valid zone is accepted only when an independent second
reading of the name row (another scale, so other resampling) agrees with it; if not, a third
reading votes character by character, and a position without a majority rejects the zone.

The doubts that reject a zone whatever the agreement are tested in ``name_doubts.py`` (the name
row) and ``row_doubts.py`` (the checked rows); internal-passport name-letter rivals may be settled
by the printed Cyrillic names (``printed_rivals.py``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from .correction import (
    Correction,
    correct,
    correct_by_runner_ups,
    name_row_variant,
    normalise,
    without_lone_chevron_name,
)
from .deblur import (
    FOCUS_SIGMAS,
    Shake,
    deblurred_zone,
    focus_sigmas,
    refocus,
    refocused_zone,
    wiener,
)
from .images import shrink, to_grey
from .locate import ZoneCandidate, find_zones, upright_crop, zones_from_lines
from .mrz_parse import MrzError, parse
from .name_doubts import (
    NAME_RIVAL,
    NAME_SURE,
    Settled,
    _aligned_names,
    _doubted_columns,
    _is_ru,
    _name_confidence,
    _names_confidence,
    _rival,
    _rival_letters,
    _same_names,
)
from .ocr import MrzOcr, Recognised, TextLine
from .printed_rivals import settle
from .results import MrzData
from .row_doubts import (
    _another_zone_passes,
    _checked_rows,
    _checked_rows_sure,
    _confirms_accepted,
    _prefers_rival,
    _runner_up_witness,
    _same_zone,
    _unseen_rivals,
    document_code_doubted,
)
from .rows import split_rows
from .visual_zone import PrintedWords, shared_visual_zone

BGRImage = npt.NDArray[np.uint8]

# Largest side of the frame the text detector locates zones in (see _detector_zones): zone rows
# stay 8 px tall or more on the photos we take; ~0.4 s on one core where 1280 took ~1.3 s.
_DETECT_SIDE = 960
_WIDTH = 1100
# Recogniser confidence below which a row counts as uncertain (clean rows score 0.98-1.0; a row
# half cut off by the crop scored 0.87-0.91).
_SURE = 0.95
# Below this many pixels per character the name row (no check digit) is misread too often.
MIN_PITCH = 6.5
_OTHER_WIDTHS = (880, 1320)
# A zone read without repairs, every row surely, whose names the first reading gave every letter
# at least this surely, is not re-read at another scale (one recogniser call less, ~40-60 ms).
# Traced over 695 confirmations on seeds 7 and 31: no re-read ever disagreed with, or found a
# rival in, a first reading at 0.9 or more (522 were at 0.99 or more). The doubt tests on the
# first reading, and the filler doubts that need both other scales, still apply; a zone whose
# internal-passport letters were settled by the printed names was in doubt, and is re-read.
SURE_WITHOUT_REREAD = 0.99
# Readings of the name row that must agree before a doubt between a filler and a letter is
# settled by their average (see ZoneReader._filler_doubts_lifted).
_FILLER_READINGS = 3
# Rounds of settling internal-passport name rivals with the printed names (each round may
# meet new rivals in the re-readings it pays for).
_SETTLE_ROUNDS = 3
# Fillers re-read past the last name letter: three make the rest of the field filler.
_NAME_TAIL = 4
# Views of the page restored from a blur, whose printed words are read only when needed.
_RESTORED_VIEWS = ("deblurred", "refocused")


@dataclass(frozen=True, slots=True)
class ZoneReading:
    correction: Correction | None
    raw_lines: tuple[str, ...]
    # Rotation (degrees, OpenCV convention) that makes the zone's text upright, if known.
    angle: float | None
    zone: ZoneCandidate | None
    attempts: int
    name_confirmed: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    # Lowest per-letter confidence of the name row, in the surest reading that agreed with it.
    name_confidence: float = 0.0


@dataclass(slots=True)
class _Try:
    texts: list[str]
    score: float
    correction: Correction | None
    min_score: float = 0.0
    # Row-by-row recognitions with per-character confidences (empty for detector readings).
    reads: list[Recognised] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Focus:
    image: BGRImage  # the photo with the zone's region deconvolved
    attempt: _Try
    sigma: float


def merge_rows(lines: list[TextLine]) -> list[str]:
    """Join detector boxes that sit on the same text row (a row is sometimes split in two)."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda t: t.centre_y):
        height = max(p[1] for p in line.box) - min(p[1] for p in line.box)
        if rows and abs(rows[-1][0].centre_y - line.centre_y) < 0.5 * max(height, 1.0):
            rows[-1].append(line)
        else:
            rows.append([line])
    return ["".join(t.text for t in sorted(row, key=lambda t: t.left_x)) for row in rows]


def _score(tries: dict[bool, _Try], flip: bool) -> float:
    attempt = tries.get(flip)
    return attempt.score if attempt is not None else 0.0


def _same_place(a: ZoneCandidate, b: ZoneCandidate) -> bool:
    """Whether two candidates are one zone, as near as a second try would read it."""
    return (
        math.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1]) < 0.3 * b.size[1]
        and abs(a.size[0] - b.size[0]) < 0.1 * b.size[0]
        and abs(((a.angle - b.angle) + 90) % 180 - 90) < 3
    )


def _zone_like(texts: list[str]) -> bool:
    return any(len(normalise(t)) >= 24 and normalise(t).count("<") >= 2 for t in texts)


class ZoneReader:
    def __init__(
        self, ocr: MrzOcr, printed: PrintedWords | Literal["shared"] | None = "shared"
    ) -> None:
        """``printed`` reads the printed names (see :mod:`.printed_rivals`); by default the
        process-wide tesseract reader, loaded on first need; None turns that off."""
        self._ocr = ocr
        self._printed = printed
        # Internal-passport name columns the printed names settled, while a zone is re-confirmed
        # with them, and the rival letters the readings of the current zone saw.
        self._settled: Settled = {}
        self._ru_rivals: dict[int, set[str]] = {}
        # The photo being read, as taken.
        self._photo: BGRImage | None = None
        # Printed words read from it, by (zone centre, flip, view).
        self._words: dict[tuple[tuple[float, float], bool, str], list[str]] = {}
        # The photo's zones deconvolved by the focus blur they read best at, by (zone centre,
        # flip): the view, its reading and the sigma, or None when none read better.
        self._focus: dict[tuple[tuple[float, float], bool], _Focus | None] = {}
        # The photo's zones with the shake their cepstrum shows undone, by zone centre.
        self._unshaken_zones: dict[tuple[float, float], tuple[BGRImage, Shake] | None] = {}
        # Their readings at the usual width, by (zone centre, flip).
        self._unshaken_tries: dict[tuple[tuple[float, float], bool], _Try] = {}
        # Zones (their lines) that some reading of the current image found doubtful: another
        # reading of the same image, however sure it looks, must not accept them.
        self._doubtful: set[tuple[str, ...]] = set()
        # Every zone of the current image that passed its check digits and came to confirmation.
        self._seen: set[tuple[str, ...]] = set()
        # Readings of the name row met while confirming a zone, and the columns where one of
        # them doubted a filler against a letter.
        self._name_reads: list[Recognised] = []
        self._filler_doubts: set[int] = set()
        # The current image's stage timings, attempts so far and likeliest zone text.
        self._timings: dict[str, float] = {}
        self._attempts = 0
        self._best_texts: list[str] = []

    def _rows(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> _Try:
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        split = split_rows(crop)
        if not 2 <= len(split) <= 4:
            return _Try([], 0.0, None)
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
                return _Try([reads[0].text], reads[0].score * 0.5, None)
        texts = [r.text for r in reads]
        score = sum(r.score for r in reads) / len(reads)
        correction = correct(texts)
        if correction is None and _zone_like(texts) and all(r.alternatives for r in reads):
            # Only a zone that failed its check digits pays for this search.
            correction = correct_by_runner_ups(texts, [r.alternatives for r in reads])
        return _Try(texts, score, correction, min(r.score for r in reads), reads)

    def _name_row(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int, accepted: MrzData
    ) -> Recognised | None:
        """The name row read again from a crop at another scale. Only the row's start up to a
        few fillers past the last name is recognised: the recogniser's cost grows with the
        width it reads, and after three fillers the names hold nothing but fillers anyway."""
        rows = len(accepted.lines)
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        split = split_rows(crop)
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
        lines = [t for t in self._ocr.read_lines(crop) if len(normalise(t.text)) >= 20]
        texts = merge_rows(lines)
        if len(texts) < rows:
            return None
        text = texts[-1] if rows == 3 else texts[-2]
        # The detector's lines carry one score, no per-character confidences.
        score = min((t.score for t in lines), default=0.0)
        return Recognised(text, score, tuple(score for _ in text))

    def _filler_doubts_lifted(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        reads: list[Recognised],
    ) -> bool:
        """Whether more readings settle the columns where a reading doubted a filler against a
        letter: the name row is read again at both other scales, both must agree with the
        accepted row, and over every agreeing reading of the name row (at least
        ``_FILLER_READINGS``) each doubted column must be read as accepted, with the rival's
        probability below ``NAME_RIVAL`` on average. A blurred chevron drew C or S at
        0.05-0.10 in one reading and under 0.01 at other scales. Costs two recognitions, only on
        zones that would otherwise be rejected. ``reads`` are the readings of ``image`` met
        so far."""
        index = 2 if mrz.format == "TD1" else 0
        reads = list(reads)
        for width in _OTHER_WIDTHS:
            read = self._name_row(image, zone, flip, width, mrz)
            if read is None or name_row_variant(read.text, mrz, index) != mrz.lines[index]:
                return False
            reads.append(read)
            self._filler_doubts |= _doubted_columns(read, mrz, index)
        rivals: dict[int, list[float]] = {c: [] for c in self._filler_doubts}
        agreeing = 0
        for read in reads:
            seen = {c: _rival(o, k, False) for c, k, o in _aligned_names(read, mrz, index)}
            if not seen:
                continue  # another row, or a reading that disagrees with the names
            agreeing += 1
            for column, values in rivals.items():
                if column not in seen:
                    return False
                values.append(seen[column])
        return agreeing >= _FILLER_READINGS and all(
            sum(v) / len(v) < NAME_RIVAL for v in rivals.values()
        )

    def _detected(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> _Try:
        crop = upright_crop(image, zone, flip=flip, target_width=width)
        lines = self._ocr.read_lines(crop)
        texts = merge_rows(lines)
        score = sum(t.score for t in lines) / len(lines) if lines else 0.0
        zone_scores = [t.score for t in lines if len(normalise(t.text)) >= 20]
        return _Try(texts, score, correct(texts), min(zone_scores, default=0.0))

    def _unshaken(self, zone: ZoneCandidate) -> tuple[BGRImage, Shake] | None:
        """:func:`.deblur.deblurred_zone` of the photo, once per zone: the reading, the
        doubt tests and the printed names all ask for it."""
        if zone.centre not in self._unshaken_zones:
            assert self._photo is not None
            self._unshaken_zones[zone.centre] = deblurred_zone(self._photo, zone)
        return self._unshaken_zones[zone.centre]

    def _unshaken_attempt(self, zone: ZoneCandidate, flip: bool, view: BGRImage) -> _Try:
        """The reading of ``view``, the photo's zone unshaken (:meth:`_unshaken`), once per zone
        and way up: the reading itself, the restored-view filler test and the G/6 test each ask
        for it, the filler test once per reading of the photo it confirms."""
        key = (zone.centre, flip)
        if key not in self._unshaken_tries:
            self._unshaken_tries[key] = self._rows(view, zone, flip, _WIDTH)
        return self._unshaken_tries[key]

    def _refocused(self, zone: ZoneCandidate, flip: bool, plain: _Try) -> _Focus | None:
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
        shaken = self._unshaken(zone)
        if shaken is not None and shaken[1].evident:
            return None
        characters = max(len(normalise(t)) for t in plain.texts)
        best: _Focus | None = None
        for sigma in focus_sigmas(zone, characters):
            restored = refocused_zone(self._photo, zone, sigma)
            if restored is None:
                return None
            attempt = self._rows(restored, zone, flip, _WIDTH)
            if best is None or attempt.score > best.attempt.score:
                best = _Focus(restored, attempt, sigma)
        if best is not None and best.attempt.score > plain.score:
            self._focus[key] = best
        return self._focus[key]

    def _confirm(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, correction: Correction, first: _Try
    ) -> tuple[Correction, float] | None:
        """:meth:`_confirm_zone`, then, outside the internal passport, the doubts between a
        filler and a letter it met are settled by more readings (:meth:`_filler_doubts_lifted`)
        or reject the zone for the rest of the image; in the internal passport, name-letter
        rivals may be settled by the printed names (:meth:`_settle_ru_rivals`)."""
        self._name_reads = []
        self._filler_doubts = set()
        self._ru_rivals = {}
        doubted_before = correction.mrz.lines in self._doubtful
        confirmed = self._confirm_zone(image, zone, flip, correction, first)
        if confirmed is None and self._ru_rivals and not doubted_before:
            return self._settle_ru_rivals(image, zone, flip, correction, first)
        if confirmed is None or not self._filler_doubts:
            return confirmed
        # The doubts were about the names as first accepted; a vote that changed them is
        # not what the readings doubted, and is not settled here.
        unchanged = confirmed[0].mrz.lines == correction.mrz.lines
        if unchanged and (
            self._filler_doubts_lifted(image, zone, flip, correction.mrz, self._name_reads)
            or self._lifted_in_restored_view(image, zone, flip, correction.mrz, first)
        ):
            return confirmed
        self._doubtful.add(correction.mrz.lines)
        return None

    def _lifted_in_restored_view(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData, first: _Try
    ) -> bool:
        """Whether the zone with its blur undone settles the filler doubts that the photo's
        readings left. A chevron blurred out of focus or shaken keeps a C behind it at every
        scale of the photo (seed 97 #151, out of focus: 0.040, 0.014, 0.011 and 0.005, against
        a limit of 0.015 on average); the zone deconvolved by its focus blur, or by a shake its
        cepstrum shows (``Shake.evident``), is a sharper view. Its own three readings must agree
        with the names and settle every column doubted by any reading, its own included."""
        if image is not self._photo:
            return False  # already a restored view: its readings were the ones in doubt
        views: list[tuple[BGRImage, _Try]] = []
        focus = self._refocused(zone, flip, first)
        if focus is not None:
            views.append((focus.image, focus.attempt))
        unshaken = self._unshaken(zone)
        if unshaken is not None and unshaken[1].evident:
            views.append((unshaken[0], self._unshaken_attempt(zone, flip, unshaken[0])))
        index = 2 if mrz.format == "TD1" else 0
        doubts = set(self._filler_doubts)
        for view, attempt in views:
            if attempt.correction is None or attempt.correction.mrz.lines != mrz.lines:
                continue
            self._filler_doubts = set(doubts)
            for read in attempt.reads:
                self._filler_doubts |= _doubted_columns(read, mrz, index)
            if self._filler_doubts_lifted(view, zone, flip, mrz, attempt.reads):
                return True
        return False

    def _settle_ru_rivals(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, correction: Correction, first: _Try
    ) -> tuple[Correction, float] | None:
        """An internal passport rejected for its name-letter rivals alone: when exactly one
        variant of the names is printed on the page (:func:`.printed_rivals.settle`), the zone is
        confirmed again with the doubted columns taking either letter of their pair, and, if it
        passes every other test, accepted with the printed variant. Re-readings at other scales
        can doubt more columns (they were not read before the first doubt rejected the zone):
        those are settled the same way, a few rounds at most. Tesseract (~80 ms) runs only on
        such photos."""
        mrz = correction.mrz
        rivals: dict[int, set[str]] = {}
        for _ in range(_SETTLE_ROUNDS):
            before = {c: set(v) for c, v in rivals.items()}
            for column, letters in self._ru_rivals.items():
                rivals.setdefault(column, set()).update(letters)
            if rivals == before:
                break  # nothing new to settle
            line = self._settled_line(image, zone, flip, mrz, first, rivals)
            if line is None:
                break
            self._doubtful.discard(mrz.lines)
            self._name_reads = []
            self._filler_doubts = set()
            self._ru_rivals = {}
            self._settled = {
                c: frozenset({mrz.lines[0][c], *letters}) for c, letters in rivals.items()
            }
            try:
                confirmed = self._confirm_zone(image, zone, flip, correction, first)
            finally:
                self._settled = {}
            if confirmed is not None and confirmed[0].mrz.lines == mrz.lines:
                try:
                    settled = parse([line, *mrz.lines[1:]])
                except MrzError:
                    break
                if not settled.valid:
                    break
                return dataclasses.replace(correction, mrz=settled), confirmed[1]
            if confirmed is not None:
                break  # a vote changed the names: not what the printed words settled
        self._doubtful.add(mrz.lines)
        return None

    def _settled_line(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        first: _Try,
        rivals: dict[int, set[str]],
    ) -> str | None:
        """The single variant of the name row printed on the page. Tesseract's words depend on
        the crop (the band of the names lost the foot of a patronymic on one layout; a taller band
        turned an exact ...СКИЙ into ...СКИИ on another), so the words of both bands are pooled:
        a misreading can then only add a second matching variant, which rejects. The restored
        views of a blurred page are read only when the photo's own did not settle."""
        words: list[str] = []
        for view in ("band", "tall", "deblurred", "refocused"):
            restored = view in _RESTORED_VIEWS
            if restored and words and settle(mrz.lines[0], rivals, words) is not None:
                break
            found = self._view_words(image, zone, flip, mrz, first, view)
            if found is not None:
                words += found
        return settle(mrz.lines[0], rivals, words)

    def _view_words(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        first: _Try,
        view: str,
    ) -> list[str] | None:
        """The printed words of one view of the page (cached per image), or None when the view
        does not exist (no shake to undo, no focus blur that reads better undone); ``first``
        is the reading of ``image`` being confirmed."""
        key = (zone.centre, flip, view)
        if key not in self._words:
            # The photo as taken: ``image`` may have the zone (only) deconvolved.
            photo = self._photo if self._photo is not None else image
            grey = to_grey(photo)
            if view == "deblurred":
                # A shaken page defeats tesseract as it does the recogniser: the shake measured
                # around the zone, undone on the whole page, gave back the printed names (seed 7
                # #48: ФИ ДОР, МИХ ЛОВИ before, ФЕДОР, МИХАЙЛОВИЧ after). ~120 ms, on such
                # photos only.
                restored = (
                    self._unshaken(zone) if photo is self._photo else deblurred_zone(photo, zone)
                )
                if restored is None:
                    return None
                grey = wiener(grey, restored[1])
            elif view == "refocused":
                # The same for a page out of focus, at the blur the zone read best at.
                if image is photo:
                    self._refocused(zone, flip, first)
                focus = self._focus.get((zone.centre, flip))
                if focus is None:
                    return None
                grey = refocus(grey, focus.sigma)
            self._words[key] = self._printed_words(grey, zone, flip, mrz, tall=view != "band")
        return self._words[key]

    def _printed_words(
        self,
        grey: npt.NDArray[np.uint8],
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        *,
        tall: bool,
    ) -> list[str]:
        if self._printed == "shared":
            self._printed = shared_visual_zone()
        if self._printed is None:
            return []
        angle = zone.angle + (180.0 if flip else 0.0)
        return self._printed.name_words(grey, zone, angle, mrz, ru_internal=True, tall=tall)

    def _unshaken_view_disagrees(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        rivals: set[tuple[int, int, str]],
    ) -> bool:
        """Whether the zone with the camera shake removed speaks against a G/6 reading that no
        check digit can see. Paid only when a reading gave the rival any plausible weight.

        * It reads the rival: readings at other scales repeated a shaken G read as 6, with the
          G 0.5% behind it each time (seed 31 #156); the deconvolved zone read the G at 0.93.
        * An accepted 6 with a G behind it must be confirmed as a 6: blur turns a G into a 6,
          and a deconvolved view that reads neither (an 8, held-out seed 97 #159, G at 0.07
          behind the 6) does not vouch for it. Measured on seeds 7, 31 and 97, both 6s accepted
          with a G rival were Gs, and the three Gs accepted with a 6 rival (at 0.017-0.071)
          were right although their deconvolved views read a 0 or nothing there; requiring
          confirmation of those too rejected all three.

        Only a zone that shows a real shake (``Shake.evident``) is asked: a sharp zone
        deconvolved by the cepstrum's noise floor rings, and a clean visa's G came back as a 6
        (held-out seed 131 #111, rejected)."""
        photo = image is self._photo
        restored = self._unshaken(zone) if photo else deblurred_zone(image, zone)
        if restored is None or not restored[1].evident:
            return False
        other = (
            self._unshaken_attempt(zone, flip, restored[0])
            if photo
            else self._rows(restored[0], zone, flip, _WIDTH)
        )
        if _prefers_rival(other.reads, mrz, rivals):
            return True
        blurred_g = {rival for rival in rivals if rival[2] == "G"}
        return bool(blurred_g) and not _confirms_accepted(other.reads, mrz, blurred_g)

    def _contradicts(self, correction: Correction) -> bool:
        """Whether another reading of this image gave other checked rows that also passed every
        check digit: the image is then ambiguous (a G read as 6, which no check digit sees,
        passed one way in one reading and the other way in the next)."""
        index = 2 if correction.mrz.format == "TD1" else 0
        rows = _checked_rows(correction.mrz.lines, index)
        return any(_checked_rows(seen, index) != rows for seen in self._seen)

    def _name_doubts(self, reads: list[Recognised], mrz: MrzData) -> bool:
        """Whether these readings doubt the accepted names beyond what more readings could
        settle. Doubts between a filler and a letter (the only doubts outside the internal
        passport) are kept for :meth:`_filler_doubts_lifted`; in the internal passport a rival
        is another letter of the code (G/Q), which the recogniser repeats surely at every scale
        (``...SKIG`` for ``...SKIQ``), so it rejects at once."""
        index = 2 if mrz.format == "TD1" else 0
        doubts = [_rival_letters(r, mrz, index, self._settled) for r in reads]
        doubted = set().union(*doubts)
        if doubted and _is_ru(mrz):
            for found in doubts:
                for column, letters in found.items():
                    self._ru_rivals.setdefault(column, set()).update(letters)
            return True
        self._name_reads.extend(reads)
        self._filler_doubts |= doubted
        return False

    def _confirm_zone(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, correction: Correction, first: _Try
    ) -> tuple[Correction, float] | None:
        """Accept a zone only when an independent reading agrees; returns it with the name
        row's confidence.

        A zone that needed look-alike repairs, or had a row the recogniser was unsure of, is read
        again in full at another scale and must correct to exactly the same lines, and each
        repaired character must have been read as such by that second reading: several errors
        plus a wrong repair can pass a mod-10 check digit by chance, and the same recogniser tends
        to repeat its errors, so agreement alone is not enough. The name row, which no check digit
        protects, is re-read unless the first reading was sure of every letter
        (``SURE_WITHOUT_REREAD``); without agreement a third reading votes per character.
        Agreement is not enough for the names either: on a shaken photo every reading made the
        same M-for-N error, each time with a low confidence on that letter. So some reading that
        agrees must also be sure of every letter of the names.
        """
        mrz = correction.mrz
        index = 2 if mrz.format == "TD1" else 0
        accepted = mrz.lines[index]
        if mrz.lines in self._doubtful:
            return None
        if self._contradicts(correction):
            self._doubtful.add(mrz.lines)
            return None
        self._seen.add(mrz.lines)
        if (
            self._name_doubts(first.reads, mrz)
            or not _checked_rows_sure([first.reads], mrz)
            or document_code_doubted(first.reads, mrz)
        ):
            self._doubtful.add(mrz.lines)
            return None
        rivals = _unseen_rivals(first.reads, mrz)
        if rivals and self._unshaken_view_disagrees(image, zone, flip, mrz, rivals):
            self._doubtful.add(mrz.lines)
            return None
        sure = _name_confidence(first.reads, mrz, index, self._settled)
        if correction.changed > 0 or first.min_score < _SURE:
            repaired = correction.repaired()
            for width in _OTHER_WIDTHS:
                other = self._rows(image, zone, flip, width)
                if other.correction is None or not _same_zone(
                    other.correction.mrz.lines, mrz.lines, index, self._settled
                ):
                    continue
                # A repair must be witnessed: the other reading saw the repaired character
                # itself, or ranked it close behind what it saw. Otherwise the repair was a
                # guess that happened to pass.
                if not all(
                    other.correction.before[r][c] == mrz.lines[r][c]
                    or _runner_up_witness(other.reads, mrz, r, c)
                    for r, c in repaired
                ):
                    continue
                if self._name_doubts(other.reads, mrz) or _another_zone_passes([other.reads], mrz):
                    self._doubtful.add(mrz.lines)
                    return None
                sure = max(sure, _name_confidence(other.reads, mrz, index, self._settled))
                if sure >= NAME_SURE and _checked_rows_sure([first.reads, other.reads], mrz):
                    return correction, sure
            return None
        if not _checked_rows_sure([first.reads], mrz):
            return None
        if sure >= SURE_WITHOUT_REREAD and not self._settled:
            return correction, sure
        votes = [accepted]
        sure_votes = [sure]
        for width in _OTHER_WIDTHS:
            raw = self._name_row(image, zone, flip, width, mrz)
            variant = name_row_variant(raw.text, mrz, index) if raw is not None else None
            if raw is not None and self._name_doubts([raw], mrz):
                self._doubtful.add(mrz.lines)
                return None
            if _same_names(variant, accepted, self._settled):
                variant = accepted  # the settled columns' letters count as one
            if raw is not None and variant is not None:
                votes.append(variant)
                sure_votes.append(_names_confidence(raw, mrz, index, self._settled))
            if len(votes) == 2 and votes[1] == accepted and max(sure_votes) >= NAME_SURE:
                return correction, max(sure_votes)
        if len(votes) < 3:
            return None
        voted: list[str] = []
        for chars in zip(*votes, strict=True):
            char, count = Counter(chars).most_common(1)[0]
            if count < 2:
                return None
            voted.append(char)
        line = "".join(voted)
        # Only readings that agree with the outcome vouch for it.
        sure = max((c for v, c in zip(votes, sure_votes, strict=True) if v == line), default=0.0)
        if sure < NAME_SURE:
            return None
        if line == accepted:
            return correction, sure
        lines = list(mrz.lines)
        lines[index] = line
        revoted = correct(lines)
        return (revoted, sure) if revoted is not None else None

    def read(self, image: BGRImage, *, full_frame: bool = True) -> ZoneReading:
        """``full_frame=False`` skips the slow fallback, the text detector as a locator (for a
        side unlikely to carry the zone)."""
        self._timings = {}
        self._attempts = 0
        self._best_texts = []
        self._doubtful = set()
        self._seen = set()
        self._photo = image
        self._words = {}
        self._focus = {}
        self._unshaken_zones = {}
        self._unshaken_tries = {}
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
        detected = self._detector_zones(image, zones)
        for zone in detected:
            reading = self._read_zone(image, zone, first=True)
            if reading is not None:
                self._timings["detector_zones"] = (time.perf_counter() - start) * 1000
                return reading
        self._timings["detector_zones"] = (time.perf_counter() - start) * 1000
        return self._refused()

    def _refused(self) -> ZoneReading:
        return ZoneReading(
            None, tuple(self._best_texts), None, None, self._attempts, False, self._timings
        )

    def _detector_zones(self, image: BGRImage, tried: list[ZoneCandidate]) -> list[ZoneCandidate]:
        """Zones the text detector finds (at any rotation: it boxes lines however they run),
        less those the locator already tried. A card turned 90 degrees and large in the frame,
        or a dark or busy photo, defeats the black-hat locator and not the detector."""
        scale = min(1.0, _DETECT_SIDE / max(image.shape[:2]))
        boxes = self._ocr.detect(np.ascontiguousarray(shrink(image, scale)))
        return [
            zone
            for zone in zones_from_lines(boxes, scale)
            if not any(_same_place(zone, other) for other in tried)
        ]

    def _done(
        self, first: _Try, zone: ZoneCandidate, flip: bool, source: BGRImage
    ) -> ZoneReading | None:
        """The reading ``first`` as the zone's, if it passes every check digit and is
        confirmed (:meth:`_confirm`)."""
        result, texts = first.correction, first.texts
        if result is None:
            return None
        if zone.size[0] / len(result.mrz.lines[0]) < MIN_PITCH:
            return None
        confirmed = self._confirm(source, zone, flip, result, first)
        lone = without_lone_chevron_name(result) if confirmed is None else None
        if lone is not None:
            confirmed = self._confirm(source, zone, flip, lone, first)
        if confirmed is None:
            return None
        angle = zone.angle + (180.0 if flip else 0.0)
        return ZoneReading(
            confirmed[0],
            tuple(texts),
            angle,
            zone,
            self._attempts,
            True,
            self._timings,
            confirmed[1],
        )

    def _read_zone(
        self, image: BGRImage, zone: ZoneCandidate, *, first: bool
    ) -> ZoneReading | None:
        """Every way of reading one candidate zone, cheapest first: rows at the usual width both
        ways up, the zone with camera shake undone, refocused, then the detector's lines and
        rows at other widths. ``first``: the best candidate, tried in full even when illegible."""
        tries: dict[bool, _Try] = {}
        for flip in (False, True):
            self._attempts += 1
            attempt = self._rows(image, zone, flip, _WIDTH)
            tries[flip] = attempt
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
        stage = time.perf_counter()
        restored = self._unshaken(zone)
        self._add_time("deblur", stage)
        if restored is not None:
            for flip in sorted((False, True), key=lambda f: -_score(tries, f)):
                self._attempts += 1
                attempt = self._unshaken_attempt(zone, flip, restored[0])
                reading = self._done(attempt, zone, flip, restored[0])
                if reading is not None:
                    return reading
                if attempt.score > 0.85 and _zone_like(attempt.texts):
                    break
        flip = flips[0]
        stage = time.perf_counter()
        fresh = (zone.centre, flip) not in self._focus
        focus = self._refocused(zone, flip, tries[flip])
        self._add_time("refocus", stage)
        if focus is not None:
            self._attempts += len(FOCUS_SIGMAS) if fresh else 0
            reading = self._done(focus.attempt, zone, flip, focus.image)
            if reading is not None:
                return reading
        self._best_texts = self._best_texts or tries[flip].texts
        for method, width in (
            (self._detected, _WIDTH),
            (self._rows, _OTHER_WIDTHS[0]),
            (self._rows, _OTHER_WIDTHS[1]),
        ):
            self._attempts += 1
            attempt = method(image, zone, flip, width)
            reading = self._done(attempt, zone, flip, image)
            if reading is not None:
                return reading
            if _zone_like(attempt.texts):
                self._best_texts = attempt.texts
        if not legible and len(flips) > 1:
            self._attempts += 1
            return self._done(self._detected(image, zone, flips[1], _WIDTH), zone, flips[1], image)
        return None

    def _add_time(self, stage: str, since: float) -> None:
        self._timings[stage] = self._timings.get(stage, 0.0) + (time.perf_counter() - since) * 1000
