"""Reading the machine-readable zone of one image: locate, crop upright, OCR, correct, confirm.

Cost control: rows are split by projection and only recognised (no text detector) on the first
try; the detector, other scales and whole-frame OCR are fallbacks for hard images.

The name row has no check digit, so a valid zone is accepted only when an independent second
reading of the name row (another scale, so other resampling) agrees with it; if not, a third
reading votes character by character, and a position without a majority rejects the zone.
"""

from __future__ import annotations

import difflib
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from .checkdigits import char_value
from .correction import (
    LOOKALIKES,
    Correction,
    correct,
    correct_by_runner_ups,
    digit_spans,
    name_letter,
    name_row_variant,
    normalise,
)
from .deblur import deblurred_zone
from .images import shrink, to_grey
from .locate import ZoneCandidate, find_zones, upright_crop
from .mrz_format import Charset, format_for
from .mrz_parse import MrzError, parse
from .ocr import MrzOcr, Recognised, TextLine
from .results import MrzData
from .rows import split_rows

BGRImage = npt.NDArray[np.uint8]

# Largest side of the frame handed to full-frame OCR when the locator fails.
_FULL_FRAME_SIDE = 1280
_WIDTH = 1100
# Recogniser confidence below which a row counts as uncertain (clean rows score 0.98-1.0; a row
# half cut off by the crop scored 0.87-0.91).
_SURE = 0.95
# Below this many pixels per character the name row (no check digit) is misread too often.
MIN_PITCH = 6.5
_OTHER_WIDTHS = (880, 1320)
# Every letter of the name row (no check digit) must be read at least this surely by one of the
# readings that agree on it (clean letters score 0.9-1.0; a blurred M read as N scored 0.4-0.6).
NAME_SURE = 0.85
# Likewise for characters of document numbers and optional data against look-alikes whose value
# differs by a multiple of ten: the one confusion their check digit cannot see.
UNSEEN_SURE = 0.85
# A name letter whose rival letter (or filler) gets this much probability is doubtful.
NAME_RIVAL = 0.015
NAME_FILLER_RIVAL = 0.05
# Look-alike swaps (Z/2, G/6, O/0...) given at least this probability by a reading are plausible
# readings too; if one or two of them also pass every check digit, the zone is ambiguous.
_PLAUSIBLE = 0.005
# A repaired character of a checked row counts as seen by a reading that ranked it at least this
# likely relative to its own choice there (a blurred Z read as 2 with Z at odds 0.2-1.0).
WITNESS_ODDS = 0.1
# Readings of the name row that must agree before a doubt between a filler and a letter is
# settled by their average (see ZoneReader._filler_doubts_lifted).
_FILLER_READINGS = 3
# Fillers re-read past the last name letter: three make the rest of the field filler.
_NAME_TAIL = 4


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


def _rival(options: tuple[tuple[str, float], ...], key: str, ru: bool) -> float:
    """How doubtful a name letter is, on the scale of :data:`NAME_RIVAL`: the probability of
    its likeliest rival that would change the names. In the internal passport that is any other
    letter of the code; elsewhere a letter/filler rival ("<<" read as "CC" moves the names),
    which counts only from ``NAME_FILLER_RIVAL`` (a rotated, blurred zone's true fillers carried
    C at 0.02-0.04 behind them)."""
    doubt = 0.0
    for c, p in options:
        other = name_letter(c, ru)
        if other in (key, "", "?"):
            continue
        if ru:
            doubt = max(doubt, p)
        elif "<" in (key, other):
            doubt = max(doubt, p * NAME_RIVAL / NAME_FILLER_RIVAL)
    return doubt


def _name_doubted(read: Recognised, mrz: MrzData, index: int) -> bool:
    """Whether a reading that agrees with the accepted name row saw a rival (see above) close
    enough behind one of its letters: the image itself is then ambiguous there, and a later,
    surer-looking reading of the same image must not overrule that."""
    return bool(_doubted_columns(read, mrz, index))


def _is_ru(mrz: MrzData) -> bool:
    return mrz.document_code == "PN" and mrz.issuing_country == "RUS"


def _aligned_names(
    read: Recognised, mrz: MrzData, index: int
) -> Iterator[tuple[int, str, tuple[tuple[str, float], ...]]]:
    """The columns of the names (up to their last letter) that a reading agreeing with the
    accepted name row saw, with its character's key and alternatives there. The code and state
    before the names are settled by the zone, and the fillers after them by the filler
    cleaning."""
    if not read.alternatives or name_row_variant(read.text, mrz, index) != mrz.lines[index]:
        return
    ru = _is_ru(mrz)
    line = mrz.lines[index]
    keys: list[str] = []
    options: list[tuple[tuple[str, float], ...]] = []
    for char, alternatives in zip(read.text, read.alternatives, strict=True):
        key = name_letter(char, ru)
        if key:
            keys.append(key)
            options.append(alternatives)
    start, end = (5 if index == 0 else 0), len(line.rstrip("<"))
    matcher = difflib.SequenceMatcher(None, "".join(keys), line, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            if start <= block.b + k < end:
                yield block.b + k, keys[block.a + k], options[block.a + k]


def _doubted_columns(read: Recognised, mrz: MrzData, index: int) -> set[int]:
    """The columns of the names where a reading agreeing with the accepted row saw a rival
    (see :func:`_rival`) at least ``NAME_RIVAL`` behind."""
    ru = _is_ru(mrz)
    return {
        column
        for column, key, options in _aligned_names(read, mrz, index)
        if _rival(options, key, ru) >= NAME_RIVAL
    }


def _names_confidence(read: Recognised, mrz: MrzData, index: int) -> float:
    """How sure a reading of the name row was of the accepted names: the lowest, over the
    letters of the names, of the probability the recogniser gave to that letter or to a
    look-alike that means the same there (a name's O read as 0 is still an O). Characters are
    matched to the accepted row by alignment; a letter the reading did not see scores 0."""
    ru = mrz.document_code == "PN" and mrz.issuing_country == "RUS"
    line = mrz.lines[index]
    start = 5 if index == 0 else 0
    end = len(line.rstrip("<"))
    keys: list[str] = []
    confidence: list[float] = []
    alternatives = read.alternatives or tuple(
        ((c, p),) for c, p in zip(read.text, read.confidences, strict=True)
    )
    for char, options in zip(read.text, alternatives, strict=True):
        key = name_letter(char, ru)
        if not key:
            continue
        keys.append(key)
        confidence.append(sum(p for c, p in options if name_letter(c, ru) == key))
        # A rival that is itself a real letter (or the filler) of the row's code, even far
        # behind, makes the letter doubtful: in the internal passport G and Q, Z and 2 are all
        # letters, and two readings agreed on G with Q at 0.02 behind it.
        if _rival(options, key, ru) >= NAME_RIVAL:
            confidence[-1] = 0.0
    seen = [0.0] * len(line)
    matcher = difflib.SequenceMatcher(None, "".join(keys), line, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            seen[block.b + k] = confidence[block.a + k]
    return min((seen[j] for j in range(start, end) if line[j] != "<"), default=0.0)


def _ambiguous_columns(
    read: Recognised, mrz: MrzData, row: int
) -> Iterator[tuple[int, str, tuple[tuple[str, float], ...]]]:
    """The columns of a checked row where letters and digits are both legal and the issuer's
    format does not settle which, with the accepted character and this reading's alternatives
    (aligned on the accepted line: the reading may have dropped or added characters)."""
    fmt = format_for(len(mrz.lines), len(mrz.lines[0]), mrz.document_code)
    if fmt is None or not read.alternatives:
        return
    ru = mrz.document_code == "PN" and mrz.issuing_country == "RUS"
    line = mrz.lines[row]
    # Spans the issuer's known format makes digits only: a letter there is coerced anyway.
    forced = {
        i for r, s0, s1 in digit_spans(list(mrz.lines), fmt, ru) if r == row for i in range(s0, s1)
    }
    keys: list[str] = []
    options: list[tuple[tuple[str, float], ...]] = []
    for char, alternatives in zip(read.text, read.alternatives, strict=True):
        key = normalise(char)
        if len(key) == 1:
            keys.append(key)
            options.append(alternatives)
    matcher = difflib.SequenceMatcher(None, "".join(keys), line, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            j = block.b + k
            accepted = line[j]
            if fmt.charset_at(row, j) is not Charset.ALNUM or accepted == "<" or j in forced:
                continue
            yield j, accepted, options[block.a + k]


# Look-alikes whose values differ by a multiple of ten (only G and 6 among ours): a check
# digit cannot tell them apart.
_UNSEEN_PAIRS = frozenset(
    c
    for c, others in LOOKALIKES.items()
    for d in others
    if d not in (c, "<") and char_value(d) % 10 == char_value(c) % 10
)


def _unseen_rivals(reads: list[Recognised], mrz: MrzData) -> set[tuple[int, int, str]]:
    """(row, column, rival) where a reading of a checked row gave a plausible probability to the
    look-alike of the accepted character that no check digit can see (G for 6, 6 for G)."""
    name_row = 2 if mrz.format == "TD1" else 0
    found: set[tuple[int, int, str]] = set()
    for row, line in enumerate(mrz.lines):
        if row == name_row:
            continue
        for read in reads:
            if difflib.SequenceMatcher(None, normalise(read.text), line).ratio() < 0.7:
                continue
            for j, accepted, alternatives in _ambiguous_columns(read, mrz, row):
                if accepted not in _UNSEEN_PAIRS:
                    continue
                for char, p in alternatives:
                    rival = normalise(char)
                    if rival != accepted and rival in _UNSEEN_PAIRS and p >= _PLAUSIBLE:
                        found.add((row, j, rival))
    return found


def _prefers_rival(
    reads: list[Recognised], mrz: MrzData, rivals: set[tuple[int, int, str]]
) -> bool:
    """Whether another view's reading saw one of ``rivals`` where the accepted line has its
    look-alike (aligned on the accepted line, substitutions included)."""
    for row, line in enumerate(mrz.lines):
        wanted = {(j, rival) for r, j, rival in rivals if r == row}
        if not wanted:
            continue
        for read in reads:
            keys = [key for key in (normalise(c) for c in read.text) if len(key) == 1]
            text = "".join(keys)
            if difflib.SequenceMatcher(None, text, line).ratio() < 0.7:
                continue
            matcher = difflib.SequenceMatcher(None, text, line, autojunk=False)
            for tag, a0, a1, b0, b1 in matcher.get_opcodes():
                if (
                    tag in ("equal", "replace")
                    and a1 - a0 == b1 - b0
                    and any((b0 + k, text[a0 + k]) in wanted for k in range(a1 - a0))
                ):
                    return True
    return False


def _unseen_confidence(read: Recognised, mrz: MrzData, row: int) -> float:
    """How sure a reading of a checked row was of its document-number and optional-data
    characters against the look-alikes no check digit can see: the lowest, over those
    characters, of one minus the probability given to characters whose value differs from the
    accepted one by a multiple of ten (G and 6, I and 8...). A shaken visa number's G was read
    as 6 by two readings that agreed, each time with the G close behind."""
    lowest = 1.0
    for _, accepted, alternatives in _ambiguous_columns(read, mrz, row):
        value = char_value(accepted) % 10
        unseen = 0.0
        for char, p in alternatives:
            other = normalise(char)
            if (
                len(other) == 1
                and other not in (accepted, "<", "?")
                and char_value(other) % 10 == value
            ):
                unseen += p
        lowest = min(lowest, 1.0 - unseen)
    return lowest


def _plausible_swaps(read: Recognised, mrz: MrzData, row: int) -> dict[int, set[str]]:
    """Per column of a checked row, the look-alikes of the accepted character (other than
    itself) that this reading found plausible, in the positions where letters and digits are
    both legal and the issuer's format does not settle which."""
    out: dict[int, set[str]] = {}
    for j, accepted, alternatives in _ambiguous_columns(read, mrz, row):
        swaps = {
            normalise(c)
            for c, p in alternatives
            if p >= _PLAUSIBLE
            and len(normalise(c)) == 1
            and normalise(c) in LOOKALIKES.get(accepted, "")
        }
        if swaps:
            out.setdefault(j, set()).update(swaps)
    return out


def _another_zone_passes(readings: list[list[Recognised]], mrz: MrzData) -> bool:
    """Whether two plausible look-alike swaps (see above) give another zone that also passes
    every check digit. Two errors can cancel in a mod-10 check digit: a visa number's
    ZZ was read 22 by two agreeing readings, with Z a few percent behind each time."""
    name_row = 2 if mrz.format == "TD1" else 0
    swaps: dict[tuple[int, int], set[str]] = {}
    for row in range(len(mrz.lines)):
        if row == name_row:
            continue
        for reads in readings:
            for read in reads:
                ratio = difflib.SequenceMatcher(None, normalise(read.text), mrz.lines[row]).ratio()
                if ratio < 0.7:
                    continue
                for j, chars in _plausible_swaps(read, mrz, row).items():
                    swaps.setdefault((row, j), set()).update(chars)

    def passes(combo: tuple[tuple[tuple[int, int], str], ...]) -> bool:
        lines = [list(line) for line in mrz.lines]
        for (r, j), c in combo:
            lines[r][j] = c
        try:
            return parse(["".join(line) for line in lines]).valid
        except MrzError:
            return False

    # One swap alone passes only for look-alikes a multiple of ten apart, which
    # _unseen_confidence already weighs; here the pairs whose errors cancel.
    single = [
        (pos, c) for pos, chars in swaps.items() for c in sorted(chars) if not passes(((pos, c),))
    ]
    return any(a[0] != b[0] and passes((a, b)) for a, b in itertools.combinations(single, 2))


def _runner_up_witness(reads: list[Recognised], mrz: MrzData, row: int, column: int) -> bool:
    """Whether a reading ranked the accepted character of a checked row at least
    ``WITNESS_ODDS`` as likely as the character it chose there (its runner-up, in effect)."""
    line = mrz.lines[row]
    for read in reads:
        keys: list[str] = []
        options: list[tuple[tuple[str, float], ...]] = []
        for char, alternatives in zip(read.text, read.alternatives, strict=True):
            if len(normalise(char)) == 1:
                keys.append(normalise(char))
                options.append(alternatives)
        matcher = difflib.SequenceMatcher(None, "".join(keys), line, autojunk=False)
        if matcher.ratio() < 0.7:
            continue
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            # Equal stretches, and replaced stretches of the same length, align one to one.
            if tag in ("equal", "replace") and a1 - a0 == b1 - b0 and b0 <= column < b1:
                weights: dict[str, float] = {}
                for char, p in options[a0 + column - b0]:
                    weights[normalise(char)] = weights.get(normalise(char), 0.0) + p
                if weights.get(line[column], 0.0) >= WITNESS_ODDS * max(weights.values()):
                    return True
    return False


def _checked_rows_sure(readings: list[list[Recognised]], mrz: MrzData) -> bool:
    """Whether, for every checked row, some reading of it is sure of it (see above)."""
    name_row = 2 if mrz.format == "TD1" else 0
    for row in range(len(mrz.lines)):
        if row == name_row:
            continue
        line = mrz.lines[row]
        best = 0.0
        seen = False
        for reads in readings:
            for read in reads:
                ratio = difflib.SequenceMatcher(None, normalise(read.text), line).ratio()
                if ratio < 0.7:
                    continue
                seen = True
                best = max(best, _unseen_confidence(read, mrz, row))
        if seen and best < UNSEEN_SURE:
            return False
    return not _another_zone_passes(readings, mrz)


def _name_confidence(reads: list[Recognised], mrz: MrzData, index: int) -> float:
    """How sure the recogniser was of the name row, from the row-by-row reading that gave it."""
    accepted = mrz.lines[index]
    return max(
        (
            _names_confidence(r, mrz, index)
            for r in reads
            if name_row_variant(r.text, mrz, index) == accepted
        ),
        default=0.0,
    )


def _checked_rows(lines: tuple[str, ...], name_row: int) -> tuple[str, ...]:
    return lines[:name_row] + lines[name_row + 1 :]


def _score(tries: dict[bool, _Try], flip: bool) -> float:
    attempt = tries.get(flip)
    return attempt.score if attempt is not None else 0.0


def _zone_like(texts: list[str]) -> bool:
    return any(len(normalise(t)) >= 24 and normalise(t).count("<") >= 2 for t in texts)


class ZoneReader:
    def __init__(self, ocr: MrzOcr) -> None:
        self._ocr = ocr
        # Zones (their lines) that some reading of the current image found doubtful: another
        # reading of the same image, however sure it looks, must not accept them.
        self._doubtful: set[tuple[str, ...]] = set()
        # Every zone of the current image that passed its check digits and came to confirmation.
        self._seen: set[tuple[str, ...]] = set()
        # Readings of the name row met while confirming a zone, and the columns where one of
        # them doubted a filler against a letter.
        self._name_reads: list[Recognised] = []
        self._filler_doubts: set[int] = set()

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
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData
    ) -> bool:
        """Whether more readings settle the columns where a reading doubted a filler against a
        letter: the name row is read again at both other scales, both must agree with the
        accepted row, and over every agreeing reading of the name row (at least
        ``_FILLER_READINGS``) each doubted column must be read as accepted, with the rival's
        probability below ``NAME_FILLER_RIVAL`` on average. A blurred chevron drew C or S at
        0.05-0.10 in one reading and under 0.01 at other scales. Costs two recognitions, only on
        zones that would otherwise be rejected."""
        index = 2 if mrz.format == "TD1" else 0
        reads = list(self._name_reads)
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

    def _confirm(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, correction: Correction, first: _Try
    ) -> tuple[Correction, float] | None:
        """:meth:`_confirm_zone`, then, outside the internal passport, the doubts between a
        filler and a letter it met are settled by more readings (:meth:`_filler_doubts_lifted`)
        or reject the zone for the rest of the image."""
        self._name_reads = []
        self._filler_doubts = set()
        confirmed = self._confirm_zone(image, zone, flip, correction, first)
        if confirmed is None or not self._filler_doubts:
            return confirmed
        # The doubts were about the names as first accepted; a vote that changed them is
        # not what the readings doubted, and is not settled here.
        unchanged = confirmed[0].mrz.lines == correction.mrz.lines
        if unchanged and self._filler_doubts_lifted(image, zone, flip, correction.mrz):
            return confirmed
        self._doubtful.add(correction.mrz.lines)
        return None

    def _unshaken_view_disagrees(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        rivals: set[tuple[int, int, str]],
    ) -> bool:
        """Whether the zone with the camera shake removed reads a G/6 look-alike the other way.
        Readings at other scales repeated a shaken G read as 6, with the G 0.5% behind it each
        time (seed 31 #156); the deconvolved zone read the G at 0.93. Paid only when such a
        rival was seen at all."""
        restored = deblurred_zone(image, zone)
        if restored is None:
            return False
        other = self._rows(restored[0], zone, flip, _WIDTH)
        return _prefers_rival(other.reads, mrz, rivals)

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
        doubted = set().union(*(_doubted_columns(r, mrz, index) for r in reads))
        if doubted and _is_ru(mrz):
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
        protects, is always re-read; without agreement a third reading votes per character.
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
        if self._name_doubts(first.reads, mrz) or not _checked_rows_sure([first.reads], mrz):
            self._doubtful.add(mrz.lines)
            return None
        rivals = _unseen_rivals(first.reads, mrz)
        if rivals and self._unshaken_view_disagrees(image, zone, flip, mrz, rivals):
            self._doubtful.add(mrz.lines)
            return None
        sure = _name_confidence(first.reads, mrz, index)
        if correction.changed > 0 or first.min_score < _SURE:
            repaired = correction.repaired()
            for width in _OTHER_WIDTHS:
                other = self._rows(image, zone, flip, width)
                if other.correction is None or other.correction.mrz.lines != mrz.lines:
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
                sure = max(sure, _name_confidence(other.reads, mrz, index))
                if sure >= NAME_SURE and _checked_rows_sure([first.reads, other.reads], mrz):
                    return correction, sure
            return None
        if not _checked_rows_sure([first.reads], mrz):
            return None
        votes = [accepted]
        sure_votes = [sure]
        for width in _OTHER_WIDTHS:
            raw = self._name_row(image, zone, flip, width, mrz)
            variant = name_row_variant(raw.text, mrz, index) if raw is not None else None
            if raw is not None and self._name_doubts([raw], mrz):
                self._doubtful.add(mrz.lines)
                return None
            if raw is not None and variant is not None:
                votes.append(variant)
                sure_votes.append(_names_confidence(raw, mrz, index))
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
        """``full_frame=False`` skips the slow whole-frame fallback (for a side unlikely to
        carry the zone)."""
        timings: dict[str, float] = {}
        self._doubtful = set()
        self._seen = set()
        start = time.perf_counter()
        grey = to_grey(image)
        zones = find_zones(grey)
        timings["locate"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        attempts = 0
        best_texts: list[str] = []

        def done(
            first: _Try, zone: ZoneCandidate, flip: bool, source: BGRImage = image
        ) -> ZoneReading | None:
            result, texts = first.correction, first.texts
            if result is None:
                return None
            if zone.size[0] / len(result.mrz.lines[0]) < MIN_PITCH:
                return None
            confirmed = self._confirm(source, zone, flip, result, first)
            if confirmed is None:
                return None
            timings["ocr"] = (time.perf_counter() - start) * 1000
            angle = zone.angle + (180.0 if flip else 0.0)
            return ZoneReading(
                confirmed[0], tuple(texts), angle, zone, attempts, True, timings, confirmed[1]
            )

        for zone in zones:
            tries: dict[bool, _Try] = {}
            for flip in (False, True):
                attempts += 1
                attempt = self._rows(image, zone, flip, _WIDTH)
                tries[flip] = attempt
                reading = done(attempt, zone, flip)
                if reading is not None:
                    return reading
                if attempt.score > 0.85 and _zone_like(attempt.texts):
                    break  # legible this way up: the other way up is pointless
            legible = [f for f, t in tries.items() if _zone_like(t.texts)]
            flips = sorted(legible or [False, True], key=lambda f: -tries[f].score)
            if not legible and zone is not zones[0]:
                continue
            # Camera shake is the commonest reason a well-located zone does not read: undo it
            # before the costlier detector and other scales.
            stage = time.perf_counter()
            restored = deblurred_zone(image, zone)
            timings["deblur"] = timings.get("deblur", 0.0) + (time.perf_counter() - stage) * 1000
            if restored is not None:
                for flip in sorted((False, True), key=lambda f: -_score(tries, f)):
                    attempts += 1
                    attempt = self._rows(restored[0], zone, flip, _WIDTH)
                    reading = done(attempt, zone, flip, restored[0])
                    if reading is not None:
                        return reading
                    if attempt.score > 0.85 and _zone_like(attempt.texts):
                        break
            flip = flips[0]
            best_texts = best_texts or tries[flip].texts
            for method, width in (
                (self._detected, _WIDTH),
                (self._rows, _OTHER_WIDTHS[0]),
                (self._rows, _OTHER_WIDTHS[1]),
            ):
                attempts += 1
                attempt = method(image, zone, flip, width)
                reading = done(attempt, zone, flip)
                if reading is not None:
                    return reading
                if _zone_like(attempt.texts):
                    best_texts = attempt.texts
            if not legible and len(flips) > 1:
                attempts += 1
                reading = done(self._detected(image, zone, flips[1], _WIDTH), zone, flips[1])
                if reading is not None:
                    return reading
        timings["ocr"] = (time.perf_counter() - start) * 1000
        if not full_frame:
            return ZoneReading(None, tuple(best_texts), None, None, attempts, False, timings)
        start = time.perf_counter()
        fallback = self._full_frame(image, zones)
        timings["full_frame_ocr"] = (time.perf_counter() - start) * 1000
        if fallback is not None:
            result, texts, angle = fallback
            # No zone geometry to re-read the names from: report the reading unconfirmed.
            return ZoneReading(result, tuple(texts), angle, None, attempts + 1, False, timings)
        return ZoneReading(None, tuple(best_texts), None, None, attempts, False, timings)

    def _full_frame(
        self, image: BGRImage, zones: list[ZoneCandidate]
    ) -> tuple[Correction, list[str], float] | None:
        """Whole-frame OCR at the right-angle rotations nearest the locator's guess (all four
        when it found nothing)."""
        scale = min(1.0, _FULL_FRAME_SIDE / max(image.shape[:2]))
        small = shrink(image, scale)
        guess = zones[0].angle if zones else 0.0
        order = sorted((0, 90, 180, 270), key=lambda a: abs(((a - guess) + 180) % 360 - 180))
        if zones:
            # The locator saw zone-like text: only its two text directions are worth a try.
            order = [order[0], (order[0] + 180) % 360]
        codes = {
            90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE,
        }
        for angle in order:
            rotated = small if angle == 0 else cv2.rotate(small, codes[angle])
            lines = self._ocr.read_lines(np.ascontiguousarray(rotated))
            texts = merge_rows(lines)
            result = correct(texts)
            if result is None or result.mrz.lines in self._doubtful or self._contradicts(result):
                continue
            # No zone geometry to re-read from: accept only a clean, confident first reading.
            zone_scores = [t.score for t in lines if len(normalise(t.text)) >= 20]
            if (
                result.changed == 0
                and min(zone_scores, default=0.0) >= _SURE
                and self._names_sure(np.asarray(rotated, np.uint8), lines, result.mrz)
            ):
                return result, texts, float(angle)
        return None

    def _names_sure(self, image: BGRImage, lines: list[TextLine], mrz: MrzData) -> bool:
        """Whether a detected line is the name row read with every letter sure (the whole-frame
        reading has no zone geometry for the re-reading that normally confirms the names)."""
        index = 2 if mrz.format == "TD1" else 0
        for line in lines:
            if len(normalise(line.text)) < 20:
                continue
            xs = [p[0] for p in line.box]
            ys = [p[1] for p in line.box]
            pad = 0.15 * (max(ys) - min(ys))
            top, bottom = max(0, round(min(ys) - pad)), round(max(ys) + pad)
            left, right = max(0, round(min(xs) - pad)), round(max(xs) + pad)
            crop = np.ascontiguousarray(image[top:bottom, left:right])
            if crop.size == 0:
                continue
            read = self._ocr.recognise_chars(crop)
            if name_row_variant(read.text, mrz, index) != mrz.lines[index]:
                continue
            if _names_confidence(read, mrz, index) >= NAME_SURE:
                return True
        return False
