"""Confirming a zone that passed its check digits: the name row has no check digit, so a
zone is accepted only when an independent second reading of the name row (another scale, so
other resampling) agrees with it; if not, a third reading votes character by character, and a
position without a majority rejects the zone. A zone whose checked rows needed repairs, or were
read unsurely, is read again in full and must agree.

The doubts that reject a zone whatever the agreement are tested in ``name_doubts.py`` (the name
row), ``row_doubts.py`` (the checked rows and the document code); internal-passport name-letter
rivals may be settled by the printed Cyrillic names (``printed_rivals.py``). The readings
themselves (rows at a scale, restored views) come from :class:`.zone_reader.ZoneReader`.
"""

from __future__ import annotations

import abc
import dataclasses
from collections import Counter
from typing import Literal

import numpy as np
import numpy.typing as npt

from .correction import Correction, correct, name_row_variant
from .deblur import refocus, wiener, zone_shake
from .images import to_grey
from .locate import ZoneCandidate
from .mrz_parse import MrzError, parse
from .name_doubts import (
    NAME_RIVAL,
    NAME_SURE,
    Settled,
    aligned_names,
    doubted_columns,
    letter_rival,
    name_confidence,
    names_confidence,
    rival_letters,
    same_names,
)
from .ocr import Recognised
from .printed_rivals import settle
from .readings import OTHER_WIDTHS, WIDTH, FocusedView, RowsReading, rereading_widths
from .results import MrzData
from .row_doubts import (
    another_zone_passes,
    checked_rows,
    checked_rows_sure,
    document_code_doubted,
    runner_up_witness,
    same_zone,
    unseen_rivals,
)
from .rows import Row, faint_cells
from .ru_internal import is_ru_internal
from .shaken_views import ShakenViews
from .visual_zone import PrintedWords, shared_visual_zone

BGRImage = npt.NDArray[np.uint8]

# Recogniser confidence below which a row counts as uncertain (clean rows score 0.98-1.0; a row
# half cut off by the crop scored 0.87-0.91).
ROW_SURE = 0.95
# A zone read without repairs, every row surely, whose names the first reading gave every letter
# at least this surely, is not re-read at another scale (the doubt tests on the first reading
# still apply, and names confirmed below shaken_views.SURE_WITHOUT_REREAD still have their
# shaken view compared). Traced over 695 confirmations on seeds 7 and 31 (threshold 0.99 then)
# and 158 more (classic seeds 31 and 53, hard seeds 8 and 11; 36 re-read with a first reading
# between 0.9 and 0.99, 33 of them from 0.97): no re-read changed the outcome. Saves one
# recogniser call (~50 ms) on about one document in five.
SURE_WITHOUT_NAME_REREAD = 0.97
# Readings of the name row that must agree before a doubt between a filler and a letter is
# settled by their average (see ZoneConfirmation._filler_doubts_lifted).
_FILLER_READINGS = 3
# Rounds of settling internal-passport name rivals with the printed names (each round may
# meet new rivals in the re-readings it pays for).
_SETTLE_ROUNDS = 3
# Views of the page restored from a blur, whose printed words are read only when needed.
_RESTORED_VIEWS = ("deblurred", "refocused")


class ZoneConfirmation(ShakenViews):
    """The confirmation of the zones of one image (state is per image: a doubt met in one
    reading of it holds for every other reading of it)."""

    def __init__(self, printed: PrintedWords | Literal["shared"] | None) -> None:
        self._printed = printed
        # Internal-passport name columns the printed names settled, while a zone is re-confirmed
        # with them, and the rival letters the readings of the current zone saw.
        self._settled: Settled = {}
        self._ru_rivals: dict[int, set[str]] = {}
        # The photo being read, and the photo as taken (another where the frame was restored).
        self._photo: BGRImage | None = None
        self._taken: BGRImage | None = None
        # Printed words read from it, by (zone centre, flip, view).
        self._words: dict[tuple[tuple[float, float], bool, str], list[str]] = {}
        # The photo's zones deconvolved by the focus blur they read best at, by (zone centre,
        # flip): the view, its reading and the sigma, or None when none read better.
        self._focus: dict[tuple[tuple[float, float], bool], FocusedView | None] = {}
        # Zones (their lines) that some reading of the current image found doubtful: another
        # reading of the same image, however sure it looks, must not accept them.
        self._doubtful: set[tuple[str, ...]] = set()
        # Every zone of the current image that passed its check digits and came to confirmation.
        self._seen: set[tuple[str, ...]] = set()
        # Readings of the name row met while confirming a zone, and the columns where one of
        # them doubted a filler against a letter.
        self._name_reads: list[Recognised] = []
        self._filler_doubts: set[int] = set()
        # The photo's own reading of each zone at the usual width, by (zone centre, flip).
        self._photo_tries: dict[tuple[tuple[float, float], bool], RowsReading] = {}
        self._taken_tries: dict[tuple[tuple[float, float], bool], RowsReading] = {}

    def _start_image(self, photo: BGRImage, taken: BGRImage | None = None) -> None:
        """Forget the previous image's doubts, zones and views. ``taken``: the photo as taken,
        where ``photo`` is a view of it restored whole (same geometry)."""
        self._photo = photo
        self._taken = photo if taken is None else taken
        self._doubtful = set()
        self._seen = set()
        self._words = {}
        self._focus = {}
        self._photo_tries = {}
        self._taken_tries = {}

    # The readings confirmation asks for, made by the reader.
    @abc.abstractmethod
    def _crop(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> BGRImage:
        """The zone cut out upright, ``width`` pixels wide, as its readings see it."""

    @abc.abstractmethod
    def _cut(self, crop: BGRImage) -> tuple[npt.NDArray[np.uint8], list[Row]]:
        """The crop's character marks and its rows."""

    @abc.abstractmethod
    def _name_row(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int, accepted: MrzData
    ) -> Recognised | None:
        """The name row read again from a crop at another scale."""

    @abc.abstractmethod
    def _refocused(self, zone: ZoneCandidate, flip: bool, plain: RowsReading) -> FocusedView | None:
        """The photo's zone deconvolved by the focus blur it reads best at."""

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
        index = mrz.name_row
        reads = list(reads)
        for width in OTHER_WIDTHS:
            read = self._name_row(image, zone, flip, width, mrz)
            if read is None or name_row_variant(read.text, mrz, index) != mrz.lines[index]:
                return False
            reads.append(read)
            self._filler_doubts |= doubted_columns(read, mrz, index)
        rivals: dict[int, list[float]] = {c: [] for c in self._filler_doubts}
        agreeing = 0
        for read in reads:
            seen = {c: letter_rival(o, k, False) for c, k, o in aligned_names(read, mrz, index)}
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

    def _confirm(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        correction: Correction,
        first: RowsReading,
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
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData, first: RowsReading
    ) -> bool:
        """Whether the zone with its blur undone settles the filler doubts that the photo's
        readings left. A chevron blurred out of focus or shaken keeps a C behind it at every
        scale of the photo (seed 97 #151, out of focus: 0.040, 0.014, 0.011 and 0.005, against
        a limit of 0.015 on average); the zone deconvolved by its focus blur, or by a shake its
        cepstrum shows (``Shake.evident``), is a sharper view. Its own three readings must agree
        with the names and settle every column doubted by any reading, its own included."""
        if image is not self._photo:
            return False  # already a restored view: its readings were the ones in doubt
        views: list[tuple[BGRImage, RowsReading]] = []
        focus = self._refocused(zone, flip, first)
        if focus is not None:
            views.append((focus.image, focus.attempt))
        shake = self._shake(zone)
        unshaken = self._unshaken(zone) if shake is not None and shake.evident else None
        if unshaken is not None:
            views.append((unshaken[0], self._unshaken_attempt(zone, flip, unshaken[0])))
        index = mrz.name_row
        doubts = set(self._filler_doubts)
        for view, attempt in views:
            if attempt.correction is None or attempt.correction.mrz.lines != mrz.lines:
                continue
            self._filler_doubts = set(doubts)
            for read in attempt.reads:
                self._filler_doubts |= doubted_columns(read, mrz, index)
            if self._filler_doubts_lifted(view, zone, flip, mrz, attempt.reads):
                return True
        return False

    def _settle_ru_rivals(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        correction: Correction,
        first: RowsReading,
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
        first: RowsReading,
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
        first: RowsReading,
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
                shake = self._shake(zone) if photo is self._photo else zone_shake(photo, zone)
                if shake is None:
                    return None
                grey = wiener(grey, shake)
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

    def _names_faded(self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData) -> bool:
        """Whether glare has faded some letter of the names out of the photo (see
        :func:`.rows.faint_cells`): no check digit covers them, and every reading of a faded
        letter is a guess. Seed 7 #124: three readings agreed on ``DLLA`` for ``DE<LA``."""
        crop = self._crop(image, zone, flip, WIDTH)
        marks, split = self._cut(crop)
        rows = len(mrz.lines)
        if len(split) < rows:
            return False
        index = 2 if rows == 3 else 0
        line = mrz.lines[index]
        # TD1 holds only names on its third row; the others start theirs after the issuer.
        start = 0 if rows == 3 else 5
        faint = faint_cells(crop, split[-1] if rows == 3 else split[-2], len(line), marks)
        # A letter faded out right behind the last one read (or behind one filler, the next
        # given name) reads as fillers: seed 7 (filtered by motion and glare) #90 vouched for
        # ``SAUL`` where glare had faded the E of ``SAULE``.
        return any(start <= c <= len(line.rstrip("<")) + 1 for c in faint)

    def _contradicts(self, correction: Correction) -> bool:
        """Whether another reading of this image gave other checked rows that also passed every
        check digit: the image is then ambiguous (a G read as 6, which no check digit sees,
        passed one way in one reading and the other way in the next)."""
        index = correction.mrz.name_row
        rows = checked_rows(correction.mrz.lines, index)
        return any(checked_rows(seen, index) != rows for seen in self._seen)

    def _name_doubts(self, reads: list[Recognised], mrz: MrzData) -> bool:
        """Whether these readings doubt the accepted names beyond what more readings could
        settle. Doubts between a filler and a letter (the only doubts outside the internal
        passport) are kept for :meth:`_filler_doubts_lifted`; in the internal passport a rival
        is another letter of the code (G/Q), which the recogniser repeats surely at every scale
        (``...SKIG`` for ``...SKIQ``), so it rejects at once."""
        index = mrz.name_row
        doubts = [rival_letters(r, mrz, index, self._settled) for r in reads]
        doubted = set().union(*doubts)
        if doubted and is_ru_internal(mrz):
            for found in doubts:
                for column, letters in found.items():
                    self._ru_rivals.setdefault(column, set()).update(letters)
            return True
        self._name_reads.extend(reads)
        self._filler_doubts |= doubted
        return False

    def _confirm_zone(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        correction: Correction,
        first: RowsReading,
    ) -> tuple[Correction, float] | None:
        """Accept a zone only when an independent reading agrees; returns it with the name
        row's confidence.

        A zone that needed look-alike repairs, or had a row the recogniser was unsure of, is read
        again in full at another scale and must correct to exactly the same lines, and each
        repaired character must have been read as such by that second reading: several errors
        plus a wrong repair can pass a mod-10 check digit by chance, and the same recogniser tends
        to repeat its errors, so agreement alone is not enough. The name row, which no check digit
        protects, is re-read unless the first reading was sure of every letter
        (``SURE_WITHOUT_NAME_REREAD``); without agreement a third reading votes per character.
        Agreement is not enough for the names either: on a shaken photo every reading made the
        same M-for-N error, each time with a low confidence on that letter. So some reading that
        agrees must also be sure of every letter of the names.
        """
        mrz = correction.mrz
        index = mrz.name_row
        accepted = mrz.lines[index]
        if mrz.lines in self._doubtful:
            return None
        if self._contradicts(correction):
            self._doubtful.add(mrz.lines)
            return None
        self._seen.add(mrz.lines)
        if (
            self._name_doubts(first.reads, mrz)
            or not checked_rows_sure([first.reads], mrz)
            or document_code_doubted(first.reads, mrz)
        ):
            self._doubtful.add(mrz.lines)
            return None
        # Glare fades the photo, not a reading of it: a restored view can lose a faded letter's
        # last trace and with it the sign that it faded. Hard seed 13 (motion and glare filter,
        # n 40) #18: the photo read SALTANAT, refused as faded; its unshaken zone read SALTA,
        # with no faint cell left behind the A, and was reported valid.
        if self._names_faded(self._taken if self._taken is not None else image, zone, flip, mrz):
            self._doubtful.add(mrz.lines)
            return None
        rivals = unseen_rivals(first.reads, mrz)
        if rivals and self._unshaken_view_disagrees(image, zone, flip, mrz, rivals):
            self._doubtful.add(mrz.lines)
            return None
        if self._restored_names_unwitnessed(image, zone, flip, mrz):
            return None
        if self._restored_blind(image, zone, flip, mrz) or self._shaken_blind(
            image, zone, flip, mrz
        ):
            self._doubtful.add(mrz.lines)
            return None
        sure = name_confidence(first.reads, mrz, index, self._settled)
        if correction.changed > 0 or first.min_score < ROW_SURE:
            repaired = correction.repaired()
            for width in rereading_widths(first):
                other = self._rows(image, zone, flip, width)
                if other.correction is None or not same_zone(
                    other.correction.mrz.lines, mrz.lines, index, self._settled
                ):
                    continue
                # A repair must be witnessed: the other reading saw the repaired character
                # itself, or ranked it close behind what it saw. Otherwise the repair was a
                # guess that happened to pass.
                if not all(
                    other.correction.before[r][c] == mrz.lines[r][c]
                    or runner_up_witness(other.reads, mrz, r, c)
                    for r, c in repaired
                ):
                    continue
                if self._name_doubts(other.reads, mrz) or another_zone_passes([other.reads], mrz):
                    self._doubtful.add(mrz.lines)
                    return None
                sure = max(sure, name_confidence(other.reads, mrz, index, self._settled))
                if sure >= NAME_SURE and checked_rows_sure([first.reads, other.reads], mrz):
                    return correction, sure
            return None
        if sure >= SURE_WITHOUT_NAME_REREAD and not self._settled:
            return correction, sure
        votes = [accepted]
        sure_votes = [sure]
        for width in rereading_widths(first):
            raw = self._name_row(image, zone, flip, width, mrz)
            variant = name_row_variant(raw.text, mrz, index) if raw is not None else None
            if raw is not None and self._name_doubts([raw], mrz):
                self._doubtful.add(mrz.lines)
                return None
            if same_names(variant, accepted, self._settled):
                variant = accepted  # the settled columns' letters count as one
            if raw is not None and variant is not None:
                votes.append(variant)
                sure_votes.append(names_confidence(raw, mrz, index, self._settled))
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
