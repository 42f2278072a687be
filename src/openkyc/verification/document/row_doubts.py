"""Doubts about the checked rows that the check digits cannot settle: look-alikes whose values
differ by a multiple of ten (G/6), two look-alike errors that cancel in a mod-10 check digit, and
repairs no second reading witnessed."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator

from .checkdigits import char_value
from .correction import LOOKALIKES, digit_spans, name_letter, normalise
from .mrz_format import Charset, format_named
from .mrz_parse import MrzError, parse
from .name_doubts import NAME_FILLER_RIVAL, Options, Settled, same_names
from .ocr import Recognised
from .results import MrzData
from .ru_internal import is_ru_internal

# Characters of document numbers and optional data must be read at least this surely against
# look-alikes whose value differs by a multiple of ten: the one confusion their check digit cannot
# see.
UNSEEN_SURE = 0.85
# Look-alike swaps (Z/2, G/6, O/0...) given at least this probability by a reading are plausible
# readings too; if one or two of them also pass every check digit, the zone is ambiguous.
_PLAUSIBLE = 0.005
# Two swaps that cancel in a check digit are two errors at once: together they are plausible
# when the product of their probabilities is at least this (two swaps at 1% each). The
# recogniser leaves a faint O at 0.5-0.8% behind many printed 0s, and with enough 0s in one
# field two of them sit at weights 7 and 3, where two O-for-0 swaps cancel (24 x 10): a
# Belarusian specimen passport (a real scan, optional data 4010160B000PB3) was refused for O at
# 0.0054 and 0.0079 behind two of its 0s. The cancelling errors this test was made for stay
# well above it: Z at 0.01 and 0.04 behind a visa's 22 (4e-4), Z at 0.007 and 0.04 behind a
# shaken number's 2s (2.8e-4, hard seed 7 #52).
_PAIR_PLAUSIBLE = 1e-4
# Blur takes strokes and corners away, so the recogniser reads a letter as its digit look-alike
# (Z as 2, G as 6, D as 0, S as 5, B as 8, I as 1) and hardly ever the reverse. Measured with
# `eval/lookalikes.py --seed 11` and `--seed 12` (350 blurred, shaken, mixed, small and dark
# photos; checked rows of the plain and the deconvolved zone): of 1,056 reads of those letters,
# 87 came out as the digit; of 7,236 reads of those digits, none came out as the letter, and
# four drew it as a runner-up at 0.005 or more (never above 0.011). So a digit behind an
# accepted letter of these pairs is weighed at this fraction of its probability where one error
# would pass unseen (G/6), and not at all in the cancelling-pair test (see _plausible_swaps); a
# letter behind an accepted digit keeps its full weight. Two agreeing readings of a sharp D/D,
# with 0 at 0.01-0.02 behind each, no longer reject a zone as two cancelling errors (held-out
# seed 97 #220 and #262, seed 7 #54 and #276). Only these pairs: O and 0 keep their full weight
# (a 0 was read as O twice in 1,824, their shapes differ by no corner), and so does Q/0 (never
# measured).
REVERSE_WEIGHT = 0.1
_BLURRED_TO = {"Z": "2", "G": "6", "D": "0", "S": "5", "B": "8", "I": "1"}
# A repaired character of a checked row counts as seen by a reading that ranked it at least this
# likely relative to its own choice there (a blurred Z read as 2 with Z at odds 0.2-1.0).
WITNESS_ODDS = 0.1
# ... or, for a letter repaired from the digit blur makes of it (S from 5), at least this likely:
# printed digits never drew their letter above 0.011 (see ``REVERSE_WEIGHT``), so a letter twice
# that far behind its digit is a blurred letter, not a printed digit's shadow. A Japanese
# specimen passport's XS1234567 (a real scan) was read X5 by every reading, S at odds 0.011,
# 0.030 and 0.027 behind the 5; the check digit's S repair was never witnessed at 0.1 and the
# right zone was refused. Not for D from 0: on the Spanish specimen card (a real scan) printed 0s
# drew D at odds 0.03-0.10, which rendered specimens never showed, so a D repaired from a 0
# keeps the usual bar.
BLURRED_WITNESS_ODDS = 0.02
_BLURRED_WITNESSES = frozenset(_BLURRED_TO) - {"D"}


def keyed(read: Recognised) -> tuple[str, list[Options]]:
    """A reading's characters as zone characters (those that map to one), with each one's
    alternatives (none for a reading without them: the detector's lines)."""
    keys: list[str] = []
    options: list[Options] = []
    given = read.alternatives or ((),) * len(read.text)
    for char, alternatives in zip(read.text, given, strict=True):
        key = normalise(char)
        if len(key) == 1:
            keys.append(key)
            options.append(alternatives)
    return "".join(keys), options


def lines_up(text: str, line: str) -> bool:
    """Whether a reading's text is a reading of ``line``: most of it in order."""
    return difflib.SequenceMatcher(None, text, line, autojunk=False).ratio() >= 0.7


def _weights(options: Options) -> dict[str, float]:
    """A character's alternatives as zone characters, with their summed probability."""
    weights: dict[str, float] = {}
    for char, p in options:
        weights[normalise(char)] = weights.get(normalise(char), 0.0) + p
    return weights


def _checked(mrz: MrzData) -> Iterator[tuple[int, str]]:
    """(index, line) of the rows the check digits cover: all but the name row."""
    return ((row, line) for row, line in enumerate(mrz.lines) if row != mrz.name_row)


def _free_columns(mrz: MrzData, row: int) -> set[int]:
    """The columns of a checked row where letters and digits are both legal and the issuer's
    format does not settle which (spans its known format makes digits only are coerced)."""
    fmt = format_named(mrz.format)
    forced = {
        i
        for r, s0, s1 in digit_spans(list(mrz.lines), fmt, is_ru_internal(mrz))
        if r == row
        for i in range(s0, s1)
    }
    return {
        j
        for j in range(len(mrz.lines[row]))
        if fmt.charset_at(row, j) is Charset.ALNUM and j not in forced
    }


def one_to_one(text: str, line: str) -> Iterator[tuple[int, int]]:
    """(index in ``text``, column of ``line``) where the two align one to one: equal stretches,
    and replaced stretches of the same length."""
    matcher = difflib.SequenceMatcher(None, text, line, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag in ("equal", "replace") and a1 - a0 == b1 - b0:
            yield from ((a0 + k, b0 + k) for k in range(a1 - a0))


def _ambiguous_columns(
    read: Recognised, mrz: MrzData, row: int
) -> Iterator[tuple[int, str, Options]]:
    """The columns of a checked row where letters and digits are both legal and the issuer's
    format does not settle which, with the accepted character and this reading's alternatives
    (aligned on the accepted line: the reading may have dropped or added characters)."""
    if not read.alternatives:
        return
    line = mrz.lines[row]
    free = _free_columns(mrz, row)
    keys, options = keyed(read)
    matcher = difflib.SequenceMatcher(None, keys, line, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            j = block.b + k
            if j in free and line[j] != "<":
                yield j, line[j], options[block.a + k]


def _unseen(accepted: str, rival: str) -> bool:
    """Whether ``rival`` in place of ``accepted`` leaves every check digit as it was: their
    values differ by a multiple of ten (G and 6, S and 8, Z and 5...)."""
    return (
        len(rival) == 1
        and rival.isalnum()
        and rival != accepted
        and char_value(rival) % 10 == char_value(accepted) % 10
    )


def unseen_rivals(reads: list[Recognised], mrz: MrzData) -> set[tuple[int, int, str]]:
    """(row, column, rival) where a reading of a checked row gave a plausible probability to a
    character that no check digit can tell from the accepted one (G for 6, S for 8...). Not only
    the look-alikes the correction swaps: a shaken visa number's S was read as 8 at every scale
    of the photo, with S 4-11% behind (hard seed 7, motion blur filter, #95)."""
    found: set[tuple[int, int, str]] = set()
    for row, line in _checked(mrz):
        for read in reads:
            if not lines_up(normalise(read.text), line):
                continue
            for j, accepted, alternatives in _ambiguous_columns(read, mrz, row):
                for char, p in alternatives:
                    rival = normalise(char)
                    if _unseen(accepted, rival) and p >= _PLAUSIBLE:
                        found.add((row, j, rival))
    return found


def _aligned_columns(
    reads: list[Recognised], mrz: MrzData, columns: set[tuple[int, int]]
) -> Iterator[tuple[tuple[int, int], str, Options]]:
    """What each reading that lines up with an accepted row put at these (row, column) places
    of it (aligned on the accepted line, substitutions included), with its alternatives."""
    for row, line in enumerate(mrz.lines):
        wanted = {j for r, j in columns if r == row}
        if not wanted:
            continue
        for read in reads:
            text, options = keyed(read)
            if not lines_up(text, line):
                continue
            for a, column in one_to_one(text, line):
                if column in wanted:
                    yield (row, column), text[a], options[a]


def _columns_read(
    reads: list[Recognised], mrz: MrzData, columns: set[tuple[int, int]]
) -> dict[tuple[int, int], set[str]]:
    """What the readings put at these (row, column) places of the accepted lines."""
    seen: dict[tuple[int, int], set[str]] = {}
    for place, char, _ in _aligned_columns(reads, mrz, columns):
        seen.setdefault(place, set()).add(char)
    return seen


def prefers_rival(reads: list[Recognised], mrz: MrzData, rivals: set[tuple[int, int, str]]) -> bool:
    """Whether another view's reading saw one of ``rivals`` where the accepted line has its
    look-alike."""
    seen = _columns_read(reads, mrz, {(row, j) for row, j, _ in rivals})
    return any(rival in seen.get((row, j), ()) for row, j, rival in rivals)


def confirms_accepted(
    reads: list[Recognised], mrz: MrzData, rivals: set[tuple[int, int, str]]
) -> bool:
    """Whether another view read the accepted character, and never its rival, at every place
    where a G/6 rival was seen. Not reading the rival is not enough: on held-out seed 97 a
    shaken visa number's G was read as 6 (G at 0.07 behind it), the deconvolved view read an 8
    there, and the 6 passed every check digit."""
    seen = _columns_read(reads, mrz, {(row, j) for row, j, _ in rivals})
    return all(seen.get((row, j), set()) == {mrz.lines[row][j]} for row, j, _ in rivals)


def unseen_confidence(read: Recognised, mrz: MrzData, row: int) -> float:
    """How sure a reading of a checked row was of its document-number and optional-data
    characters against the look-alikes no check digit can see: the lowest, over those
    characters, of one minus the probability given to characters whose value differs from the
    accepted one by a multiple of ten (G and 6, I and 8...). A shaken visa number's G was read
    as 6 by two readings that agreed, each time with the G close behind."""
    lowest = 1.0
    for _, accepted, alternatives in _ambiguous_columns(read, mrz, row):
        unseen = sum(
            p * _direction_weight(accepted, other)
            for char, p in alternatives
            if _unseen(accepted, other := normalise(char))
        )
        lowest = min(lowest, 1.0 - unseen)
    return lowest


def _blurred_letter(accepted: str, rival: str) -> bool:
    """Whether ``rival`` is the digit that blur makes of the accepted letter (2 behind a Z): the
    reading it stands for would need the reverse error, a printed digit read as the letter."""
    return _BLURRED_TO.get(accepted) == rival


def _direction_weight(accepted: str, rival: str) -> float:
    """How much a rival's probability counts against an accepted character of a checked row:
    ``REVERSE_WEIGHT`` for a digit behind a letter (the error blur does not make), its inverse
    for the letter behind the digit blur makes of it, else 1. Printed digits never drew their
    letter above 0.011 (see ``REVERSE_WEIGHT``): a G at 0.07 behind a 6 is a blurred G, and the
    6 passes every check digit in its place (a TD2 number AL4KL6GCN, 7 px per character, was
    reported verified as AL4KL66CN)."""
    if _blurred_letter(accepted, rival):
        return REVERSE_WEIGHT
    if _blurred_letter(rival, accepted):
        return 1 / REVERSE_WEIGHT
    return 1.0


def _plausible_swaps(read: Recognised, mrz: MrzData, row: int) -> dict[int, dict[str, float]]:
    """Per column of a checked row, the look-alikes of the accepted character (other than
    itself) that this reading found plausible, with their probability, in the positions where
    letters and digits are both legal and the issuer's format does not settle which.

    The digit that blur makes of an accepted letter (2 behind a Z) is left out, however close:
    the other zone would need two printed digits both read as letters, an error the recogniser
    never made in 7,236 reads (``REVERSE_WEIGHT``). A sharp, turned passport number ZU2YZ00V7
    read the same by four readings, with 2 at 0.1 and 0.45 behind its two Zs, was rejected for
    the 2U2Y200V7 that also passes (held-out seed 53 #228)."""
    out: dict[int, dict[str, float]] = {}
    for j, accepted, alternatives in _ambiguous_columns(read, mrz, row):
        for c, p in alternatives:
            swap = normalise(c)
            if (
                len(swap) == 1
                and swap in LOOKALIKES.get(accepted, "")
                and not _blurred_letter(accepted, swap)
                and p >= _PLAUSIBLE
            ):
                found = out.setdefault(j, {})
                found[swap] = max(found.get(swap, 0.0), p)
    return out


def _own_choices(read: Recognised, mrz: MrzData, row: int) -> dict[int, str]:
    """Per column of a checked row where letters and digits are both legal and the accepted
    character is not what this reading chose (a look-alike repair or a runner-up put it
    there), the reading's own choice."""
    if not read.alternatives:
        return {}
    line = mrz.lines[row]
    free = _free_columns(mrz, row)
    keys, _ = keyed(read)
    return {
        j: keys[a]
        for a, j in one_to_one(keys, line)
        if j in free and keys[a] != line[j] and keys[a].isalnum()
    }


def another_zone_passes(readings: list[list[Recognised]], mrz: MrzData) -> bool:
    """Whether two plausible look-alike swaps (see above) give another zone that also passes
    every check digit, alone or with a repaired character put back as read. Two errors can
    cancel in a mod-10 check digit: a visa number's ZZ was read 22 by two agreeing readings,
    with Z a few percent behind each time."""
    swaps: dict[tuple[int, int], dict[str, float]] = {}
    owned: dict[int, dict[int, str]] = {}
    for row, line in _checked(mrz):
        for reads in readings:
            for read in reads:
                if not lines_up(normalise(read.text), line):
                    continue
                for j, chars in _plausible_swaps(read, mrz, row).items():
                    found = swaps.setdefault((row, j), {})
                    for c, p in chars.items():
                        found[c] = max(found.get(c, 0.0), p)
                owned.setdefault(row, {}).update(_own_choices(read, mrz, row))

    def passes(combo: tuple[tuple[tuple[int, int], str], ...]) -> bool:
        lines = [list(line) for line in mrz.lines]
        for (r, j), c in combo:
            lines[r][j] = c
        try:
            return parse(["".join(line) for line in lines]).valid
        except MrzError:
            return False

    # One swap alone passes only for look-alikes a multiple of ten apart, which
    # unseen_confidence already weighs; here the pairs whose errors cancel.
    single = [
        (pos, c) for pos, chars in swaps.items() for c in sorted(chars) if not passes(((pos, c),))
    ]
    # Pairs of two errors as likely together as two at 1% each (``_PAIR_PLAUSIBLE``).
    pairs = [
        (a, b)
        for a, b in itertools.combinations(single, 2)
        if a[0] != b[0] and swaps[a[0]][a[1]] * swaps[b[0]][b[1]] >= _PAIR_PLAUSIBLE
    ]
    if any(passes((a, b)) for a, b in pairs):
        return True
    # A character a repair or runner-up changed, put back as read, with one or two swaps: the
    # zone as read may be right and the repair one of two or three cancelling errors. A shaken
    # number Z3JJNYSMZ read 23JJNYSM2 (Z at 0.007 and 0.04 behind the 2s) took the runner-up 3
    # for its second J (J 0.57, 3 0.29), and 233JNYSM2 passed every check digit (hard seed 7
    # #52). A shaken KS9ZY read KS92Y (Z at 0.07 behind the 2) was repaired to KS92V, which
    # passes as KS9ZY does: Z for 2 and V for Y cancel (hard seed 7, motion filter, n 24, #12).
    reverted = [((row, j), c) for row, own in sorted(owned.items()) for j, c in sorted(own.items())]
    return any(r[0] != a[0] and passes((r, a)) for r in reverted for a in single) or any(
        len({r[0], a[0], b[0]}) == 3 and passes((r, a, b)) for r in reverted for a, b in pairs
    )


def runner_up_witness(reads: list[Recognised], mrz: MrzData, row: int, column: int) -> bool:
    """Whether a reading ranked the accepted character of a checked row at least
    ``WITNESS_ODDS`` as likely as the character it chose there (its runner-up, in effect), or
    ``BLURRED_WITNESS_ODDS`` where it chose the digit that blur makes of the accepted letter."""
    accepted = mrz.lines[row][column]
    for _, char, options in _aligned_columns(reads, mrz, {(row, column)}):
        weights = _weights(options)
        blurred = accepted in _BLURRED_WITNESSES and _blurred_letter(accepted, char)
        odds = BLURRED_WITNESS_ODDS if blurred else WITNESS_ODDS
        if options and weights.get(accepted, 0.0) >= odds * max(weights.values()):
            return True
    return False


def blurred_letter_witnessed(
    reads: list[Recognised], mrz: MrzData, rival: tuple[int, int, str]
) -> bool:
    """Whether ``rival`` is the digit blur makes of the accepted letter (a 6 behind a G) and
    these readings ranked the letter as :func:`runner_up_witness` asks. A view that reads such
    a digit there is then no witness against the letter: blur makes the letter the digit, and
    no printed digit was read as its letter, or drew it above 0.011 (``REVERSE_WEIGHT``)."""
    row, column, char = rival
    return _blurred_letter(mrz.lines[row][column], char) and runner_up_witness(
        reads, mrz, row, column
    )


def checked_rows_sure(readings: list[list[Recognised]], mrz: MrzData) -> bool:
    """Whether, for every checked row, some reading of it is sure of it (see above)."""
    for row, line in _checked(mrz):
        best = 0.0
        seen = False
        for reads in readings:
            for read in reads:
                if not lines_up(normalise(read.text), line):
                    continue
                seen = True
                best = max(best, unseen_confidence(read, mrz, row))
        if seen and best < UNSEEN_SURE:
            return False
    return not another_zone_passes(readings, mrz)


def same_zone(
    lines: tuple[str, ...], accepted: tuple[str, ...], name_row: int, settled: Settled
) -> bool:
    """The same zone, up to the settled columns' letters of the name row."""
    return checked_rows(lines, name_row) == checked_rows(accepted, name_row) and same_names(
        lines[name_row], accepted[name_row], settled
    )


def checked_rows(lines: tuple[str, ...], name_row: int) -> tuple[str, ...]:
    return lines[:name_row] + lines[name_row + 1 :]


def document_code_doubted(reads: list[Recognised], mrz: MrzData) -> bool:
    """Whether the readings leave the document code's second character in doubt. ICAO 9303
    leaves it to the issuer (``P<``, ``PC``, ``PK``, ``ID``...) and no check digit covers it,
    while the chevron there is often read as C, K or E: so a letter there must be seen by a
    reading of the first row, and every such reading must have read it with the filler less
    than ``NAME_FILLER_RIVAL`` behind it (a digit read there counts as its look-alike letter).
    An accepted filler is doubted only by a reading that
    read a letter there: a blurred chevron keeps C a few percent behind it at every scale
    (``P<`` of an out-of-focus passport), and taking it for a letter is the error this guards
    against, not the other way round. Another letter behind a letter is no doubt here (``ID``
    with 0 behind its D, upside down): the state code beside it is no better protected.
    Readings of other rows say nothing here."""
    accepted = mrz.lines[0][1]
    known = [r for r in reads if r.alternatives]
    # Without per-character readings (the detector's lines) only the chevron's look-alikes need
    # a reading that saw them.
    seen = accepted == "<" or (accepted not in "CEK" and not known)
    for _, char, options in _aligned_columns(known, mrz, {(0, 1)}):
        rival = _weights(options).get("<", 0.0) if accepted != "<" else 0.0
        # A digit there is its look-alike letter, as the correction reads it (a German
        # official passport's PO read P0): only a filler against a letter is in doubt.
        if name_letter(char, False) != accepted or rival >= NAME_FILLER_RIVAL:
            return True
        seen = True
    return not seen


# Digits that blur made of a letter whose value differs from theirs by a multiple of ten, so
# that no check digit tells them apart: G read as 6 and S as 8 on shaken photos. Not 5 for Z
# (blur makes a Z a 2): the shaken card of hard seed 7 #54 read its number's 5 at 0.65 in the
# photo as taken (S behind, which the check digit sees) and was read right in the unshaken
# frame. The reverse (a printed digit read as the letter) was never measured (REVERSE_WEIGHT).
_BLIND_DIGITS = frozenset("68")
# A reading of the photo as taken vouches for such a digit at this probability or more. The
# shaken G of hard seed 8 (motion filter) #12 was read 6 at 0.80 and 0.91 by the photo as taken.
BLIND_CLEAR = 0.97


def blind_columns(mrz: MrzData) -> set[tuple[int, int]]:
    """(row, column) of the checked rows' document-number and optional-data digits that blur may
    have made of a letter no check digit can tell from them (:data:`_BLIND_DIGITS`)."""
    return {
        (row, j)
        for row, line in _checked(mrz)
        for j in _free_columns(mrz, row)
        if line[j] in _BLIND_DIGITS
    }


def read_clearly(reads: list[Recognised], mrz: MrzData, columns: set[tuple[int, int]]) -> bool:
    """Whether, at each of ``columns``, some reading gave the accepted character at least
    ``BLIND_CLEAR`` (aligned on the accepted line)."""
    return all(p >= BLIND_CLEAR for p in clearest(reads, mrz, columns).values())


def clearest(
    reads: list[Recognised], mrz: MrzData, columns: set[tuple[int, int]]
) -> dict[tuple[int, int], float]:
    """At each of ``columns``, the most any reading gave the accepted character (aligned on the
    accepted line; 0 where no reading lines up with it). In the name row a digit counts as the
    letter the correction makes of it: a shaken visa's SOFIA was read S0FIA by the photo as
    taken (O 0.28 behind the 0), which witnesses the O (hard seed 7, motion filter, n 24, #15)."""
    best = dict.fromkeys(columns, 0.0)
    ru = is_ru_internal(mrz)
    for (row, j), _, options in _aligned_columns(reads, mrz, columns):
        key = (lambda c: name_letter(c, ru)) if row == mrz.name_row else normalise
        p = sum(q for c, q in options if key(c) == mrz.lines[row][j])
        best[(row, j)] = max(best[(row, j)], p)
    return best
