"""Repairing a zone with the recogniser's own runner-ups: when its first choices fail a check
digit, one or two characters replaced by their runner-ups may give the one zone that passes, and
the recogniser's doubts can choose where the look-alike search of :func:`.correction.correct`
cannot (two swaps that move a check digit alike)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from .correction import Correction, correct, normalise

# A runner-up (the recogniser's second choice for a character) is considered from this
# probability on; below it the recogniser all but ruled the character out.
_HINT_PLAUSIBLE = 0.005
# The chosen runner-ups must be at least this likely relative to the first choices they replace
# (product over the swapped characters)...
_HINT_SURE = 0.1
# ... and this many times likelier than any other set of runner-ups that also passes.
_HINT_MARGIN = 10.0
# Only the likeliest runner-ups are combined (pairs of them): the search runs on hard images only,
# yet must stay cheap.
_HINT_SINGLES = 12
_HINT_PAIRS = 6

Alternatives = Sequence[Sequence[tuple[str, float]]]


def _hints(
    texts: Sequence[str], alternatives: Sequence[Alternatives]
) -> list[tuple[int, int, str, float]]:
    """(row, raw index, character, odds against the first choice) of every plausible runner-up
    that would change the character, likeliest first."""
    out: list[tuple[int, int, str, float]] = []
    for row, (text, options) in enumerate(zip(texts, alternatives, strict=True)):
        for k, (char, choices) in enumerate(zip(text, options, strict=True)):
            top = normalise(char)
            if len(top) != 1:
                continue
            p_top = sum(p for c, p in choices if normalise(c) == top)
            seen: set[str] = set()
            for c, _ in choices:
                other = normalise(c)
                if len(other) != 1 or other in (top, "?") or other in seen:
                    continue
                seen.add(other)
                odds = sum(q for d, q in choices if normalise(d) == other) / max(p_top, 1e-6)
                if odds * p_top >= _HINT_PLAUSIBLE:
                    out.append((row, k, other, odds))
    return sorted(out, key=lambda h: -h[3])


def correct_by_runner_ups(
    texts: Sequence[str], alternatives: Sequence[Alternatives]
) -> Correction | None:
    """The zone when the recogniser's first choices fail a check digit but its runner-ups settle
    it: one or two characters replaced by their runner-ups give a zone that passes every check
    digit with no further repair, these runner-ups were likely (``_HINT_SURE``), and every other
    combination of plausible runner-ups that also passes is far less likely (``_HINT_MARGIN``).
    The look-alike search of :func:`correct` cannot choose between two swaps that move a check
    digit alike (Z/2 in two places of a number); the recogniser's own doubts can, and a
    character it was sure of is never touched. Runner-ups are taken only in rows whose length
    needs no filler fitting, so each maps to one column of the zone."""
    hints = _hints(texts, alternatives)[:_HINT_SINGLES]
    combos: list[tuple[tuple[int, int, str, float], ...]] = [(h,) for h in hints]
    combos += list(itertools.combinations(hints[:_HINT_PAIRS], 2))
    found: dict[tuple[str, ...], tuple[float, Correction]] = {}
    for combo in combos:
        rows = [list(t) for t in texts]
        odds = 1.0
        for row, k, char, p in combo:
            rows[row][k] = char
            odds *= p
        if len({(h[0], h[1]) for h in combo}) < len(combo):
            continue
        result = correct(["".join(r) for r in rows])
        if result is None or result.changed:
            continue
        hinted = _hinted_columns(texts, combo, result)
        if hinted is None:
            continue
        lines = result.mrz.lines
        if lines not in found or found[lines][0] < odds:
            found[lines] = (odds, Correction(result.mrz, len(hinted), result.before, hinted))
    ranked = sorted(found.values(), key=lambda f: -f[0])
    if not ranked or ranked[0][0] < _HINT_SURE:
        return None
    if len(ranked) > 1 and ranked[0][0] < _HINT_MARGIN * ranked[1][0]:
        return None
    return ranked[0][1]


def _hinted_columns(
    texts: Sequence[str], combo: Sequence[tuple[int, int, str, float]], result: Correction
) -> tuple[tuple[int, int], ...] | None:
    """Where in the accepted zone each runner-up landed; None when a row needed length fitting
    (its columns are then uncertain) or the rows used are not the zone's."""
    out: list[tuple[int, int]] = []
    for row, k, char, _ in combo:
        text = normalise(texts[row][:k]) + char + normalise(texts[row][k + 1 :])
        matches = [
            zone_row
            for zone_row, line in enumerate(result.before)
            if len(line) == len(text)
            and sum(a == b for a, b in zip(line, text, strict=True)) >= 0.8 * len(line)
        ]
        if len(matches) != 1:
            return None
        out.append((matches[0], len(normalise(texts[row][:k]))))
    return tuple(out)
