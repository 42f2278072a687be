"""The document code's second character: the issuer's choice (P<, PC, PK, ID...), covered by no
check digit, and where the recogniser often reads a chevron as C, K or E. The correction keeps
what was read; the readings' confidences decide whether that can be vouched for."""

from __future__ import annotations

from tests.verification.document.readings import reading

from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.row_doubts import document_code_doubted

PC_TD3 = (
    "PCUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
PLAIN_TD3 = ("P<" + PC_TD3[0][2:], PC_TD3[1])


def test_a_letter_read_surely_is_vouched_for() -> None:
    mrz = parse(list(PC_TD3))
    assert not document_code_doubted([reading(line, {}) for line in PC_TD3], mrz)


def test_a_letter_with_a_chevron_behind_it_is_doubted() -> None:
    mrz = parse(list(PC_TD3))
    reads = [reading(PC_TD3[0], {1: ("<", 0.08)}), reading(PC_TD3[1], {})]
    assert document_code_doubted(reads, mrz)


def test_another_letter_behind_it_is_no_doubt_here() -> None:
    # Only a chevron against a letter is this field's confusion; an upside-down ID read its D
    # with 0 close behind, and the state code beside it is no better protected anyway.
    mrz = parse(list(PC_TD3))
    reads = [reading(PC_TD3[0], {1: ("G", 0.3)}), reading(PC_TD3[1], {})]
    assert not document_code_doubted(reads, mrz)


def test_a_chevron_is_doubted_only_by_a_reading_that_saw_a_letter() -> None:
    mrz = parse(list(PLAIN_TD3))
    assert not document_code_doubted([reading(line, {}) for line in PLAIN_TD3], mrz)
    # Blurred chevrons keep C a few percent behind them: no doubt...
    reads = [reading(PLAIN_TD3[0], {1: ("C", 0.1)}), reading(PLAIN_TD3[1], {})]
    assert not document_code_doubted(reads, mrz)
    # ... but a reading that read a K there speaks against the accepted filler.
    reads = [reading(PC_TD3[0].replace("PC", "PK", 1), {}), reading(PLAIN_TD3[1], {})]
    assert document_code_doubted(reads, mrz)


def test_a_letter_no_reading_of_the_first_row_saw_is_not_vouched_for() -> None:
    mrz = parse(list(PC_TD3))
    assert document_code_doubted([reading(PC_TD3[1], {})], mrz)


def test_detector_lines_vouch_only_for_letters_no_chevron_looks_like() -> None:
    # The detector's lines carry no per-character alternatives: an ID's D stands as read, a C
    # (a chevron's look-alike) needs a reading that saw it.
    bare = [Recognised(line, 0.99, ()) for line in PC_TD3]
    assert document_code_doubted(bare, parse(list(PC_TD3)))
    id_lines = ("ID" + PC_TD3[0][2:], PC_TD3[1])
    bare = [Recognised(line, 0.99, ()) for line in id_lines]
    assert not document_code_doubted(bare, parse(list(id_lines)))


def test_a_letter_read_as_its_look_alike_digit_is_the_letter() -> None:
    # A German official passport's PO (real scan of the Erika Mustermann specimen) read P0: the
    # correction reads the letter there; a digit is no chevron, so no doubt.
    official = (
        "POD<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<",
        "C01YPTNHM1D<<6408125F2702283<<<<<<<<<<<<<<<8",
    )
    mrz = parse(list(official))
    reads = [reading("P0" + official[0][2:], {}), reading(official[1], {})]
    assert not document_code_doubted(reads, mrz)
    # A chevron behind the digit is still a doubt.
    reads = [reading("P0" + official[0][2:], {1: ("<", 0.08)}), reading(official[1], {})]
    assert document_code_doubted(reads, mrz)
