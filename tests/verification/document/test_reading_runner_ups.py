"""More evidence instead of a rejection, only where it clearly points one way: the recogniser's
runner-ups settle a check digit (a blurred Z read as 2 in a number whose look-alike search finds
two repairs that pass alike), and re-readings at other scales settle a filler that one reading
doubted against a letter."""

from __future__ import annotations

import numpy as np
from tests.verification.document.readings import reading, runner_ups

from openkyc.verification.document import zone_reader
from openkyc.verification.document.correction import correct
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.row_doubts import (
    BLURRED_WITNESS_ODDS,
    WITNESS_ODDS,
    runner_up_witness,
)
from openkyc.verification.document.runner_ups import correct_by_runner_ups
from openkyc.verification.document.zone_reader import ZoneReader

TRUTH = (
    "P<ESPYILMAZ<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<",
    "CVZZ2285L7ESP6602107F2703121<<<<<<<<<<<<<<<6",
)

# The number's second Z read as 2. Its check digit is fixed alike by that 2 as Z (column 3) and
# by the 8 as B (column 6): 2 to Z adds 33 at weight 7, 8 to B adds 3 at weight 7, the same
# modulo 10, so the search cannot choose.
READ = (TRUTH[0], "CVZ22285L7ESP6602107F2703121<<<<<<<<<<<<<<<6")


def test_the_look_alike_search_alone_cannot_choose() -> None:
    assert correct(list(READ)) is None
    assert parse(list(TRUTH)).valid


def test_a_likely_runner_up_that_alone_passes_repairs_the_number() -> None:
    alternatives = [runner_ups(READ[0], {}), runner_ups(READ[1], {3: ("Z", 0.17)})]
    result = correct_by_runner_ups(READ, alternatives)
    assert result is not None
    assert result.mrz.lines == TRUTH
    # The repair is declared, so the reader demands a second reading that witnesses it.
    assert result.hinted == ((1, 3),)
    assert (1, 3) in result.repaired()
    assert result.changed == 1


def test_without_runner_ups_nothing_is_guessed() -> None:
    alternatives = [runner_ups(READ[0], {}), runner_ups(READ[1], {})]
    assert correct_by_runner_ups(READ, alternatives) is None


def test_a_faint_runner_up_is_no_evidence() -> None:
    alternatives = [runner_ups(READ[0], {}), runner_ups(READ[1], {3: ("Z", 0.03)})]
    assert correct_by_runner_ups(READ, alternatives) is None


def test_two_runner_ups_that_pass_alike_leave_the_zone_rejected() -> None:
    # Column 6's 8 as B passes as well; with both likely, the margin is not there.
    assert correct([READ[0], READ[1][:6] + "B" + READ[1][7:]]) is not None
    rivals = {3: ("Z", 0.25), 6: ("B", 0.15)}
    alternatives = [runner_ups(READ[0], {}), runner_ups(READ[1], rivals)]
    assert correct_by_runner_ups(READ, alternatives) is None
    # Far behind, the other one does not stand in the way.
    rivals = {3: ("Z", 0.25), 6: ("B", 0.006)}
    alternatives = [runner_ups(READ[0], {}), runner_ups(READ[1], rivals)]
    result = correct_by_runner_ups(READ, alternatives)
    assert result is not None
    assert result.mrz.lines == TRUTH


def test_a_repair_is_witnessed_by_a_reading_that_ranked_it_close_behind() -> None:
    mrz = parse(list(TRUTH))
    close = [reading(READ[0], {}), reading(READ[1], {3: ("Z", 0.2)})]
    assert runner_up_witness(close, mrz, 1, 3)
    faint = [reading(READ[0], {}), reading(READ[1], {3: ("Z", BLURRED_WITNESS_ODDS / 2)})]
    assert not runner_up_witness(faint, mrz, 1, 3)
    # A reading of the character itself is a witness too, whatever its runner-up.
    direct = [reading(TRUTH[0], {}), reading(TRUTH[1], {3: ("2", 0.3)})]
    assert runner_up_witness(direct, mrz, 1, 3)


def test_a_letter_behind_the_digit_blur_made_of_it_witnesses_from_closer_odds() -> None:
    # Blur reads Z as 2 and hardly ever the reverse: a Z at odds 0.05 behind a 2 witnesses a Z
    # repair, where any other repair needs a reading that ranked it at 0.1.
    mrz = parse(list(TRUTH))
    behind = [reading(READ[0], {}), reading(READ[1], {3: ("Z", 0.05)})]
    assert WITNESS_ODDS > 0.05 / 0.95
    assert runner_up_witness(behind, mrz, 1, 3)
    # The other way round, a printed digit read as its letter, is the error blur does not make:
    # a 2 repaired from a Z read there keeps the usual bar (column 4 holds a 2).
    assert TRUTH[1][4] == "2"
    letter_read = TRUTH[1][:4] + "Z" + TRUTH[1][5:]
    reverse = [reading(TRUTH[0], {}), reading(letter_read, {4: ("2", 0.05)})]
    assert not runner_up_witness(reverse, mrz, 1, 4)


def test_a_d_behind_a_0_keeps_the_usual_witness_bar() -> None:
    # On a real scan (the Spanish specimen card) printed 0s drew D at odds 0.03-0.10: a D there
    # is no sign of a blurred D, so a D repaired from a 0 needs the usual odds.
    # Only the alignment of the reading with the accepted row matters here, not its checks.
    mrz = parse([TRUTH[0], "CVZZ2285D" + TRUTH[1][9:]])
    zero_read = TRUTH[1][:8] + "0" + TRUTH[1][9:]
    behind = [reading(TRUTH[0], {}), reading(zero_read, {8: ("D", 0.05)})]
    assert not runner_up_witness(behind, mrz, 1, 8)
    close = [reading(TRUTH[0], {}), reading(zero_read, {8: ("D", 0.2)})]
    assert runner_up_witness(close, mrz, 1, 8)


ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


def _reader(name_row: Recognised) -> ZoneReader:
    made = ZoneReader(None)  # type: ignore[arg-type]
    # The re-readings of the name row at the other scales.
    made._name_row = lambda *_: name_row  # type: ignore[method-assign]
    return made


def _confirm(reader: ZoneReader, first_rivals: dict[int, tuple[str, float]]) -> bool:
    zone = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)
    image = np.zeros((20, 20, 3), np.uint8)
    correction = correct(list(ICAO_TD3))
    assert correction is not None
    reads = [reading(ICAO_TD3[0], first_rivals), reading(ICAO_TD3[1], {})]
    first = zone_reader.RowsReading(list(ICAO_TD3), 0.99, correction, 0.99, reads)
    return reader._confirm(image, zone, False, correction, first) is not None


def test_a_filler_doubt_that_other_scales_do_not_share_is_settled() -> None:
    # The "<<" after ERIKSSON with C behind it in one reading only.
    assert _confirm(_reader(reading(ICAO_TD3[0], {})), {13: ("C", 0.08)})


def test_a_filler_doubt_that_other_scales_share_rejects_the_zone_for_the_image() -> None:
    reader = _reader(reading(ICAO_TD3[0], {13: ("C", 0.08)}))
    assert not _confirm(reader, {13: ("C", 0.08)})
    # The doubt lasts for the image: a sure reading afterwards does not overrule it.
    reader._name_row = lambda *_: reading(ICAO_TD3[0], {})  # type: ignore[method-assign]
    assert not _confirm(reader, {})


def test_a_re_reading_that_disagrees_with_the_names_settles_nothing() -> None:
    other = "P<UTOERIKSSON<CANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    assert not _confirm(_reader(reading(other, {})), {13: ("C", 0.08)})


def test_two_zones_of_one_image_that_differ_in_checked_rows_leave_it_ambiguous() -> None:
    reader = _reader(reading(ICAO_TD3[0], {}))
    reader._seen = {(ICAO_TD3[0], ICAO_TD3[1].replace("ZE184226B", "2E184226B"))}
    assert not _confirm(reader, {})
    # A zone seen before that differs only in the name row is no such contradiction.
    reader = _reader(reading(ICAO_TD3[0], {}))
    reader._seen = {(ICAO_TD3[0].replace("ANNA", "ANNE"), ICAO_TD3[1])}
    assert _confirm(reader, {})
