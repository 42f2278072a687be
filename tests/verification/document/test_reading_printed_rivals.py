"""Internal-passport name-letter rivals (G/Q, Z/2...) settled by the printed Cyrillic names: only
the single variant printed on the page word for word is accepted; anything else stays rejected."""

from __future__ import annotations

from typing import Any

import numpy as np
from tests.verification.document.readings import reading

from openkyc.verification.document import zone_reader
from openkyc.verification.document.correction import correct
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.printed_rivals import settle
from openkyc.verification.document.ru_internal import decode
from openkyc.verification.document.zone_reader import ZoneReader

# An internal passport whose surname ends in Q (Й), read as G (Г) with Q 0.02 behind.
RU_READ = (
    "PNRUSKONSTANTINOPOL9SKIG<<KIRILL<KUZ9MI3<<<<",
    "4028498117RUS7703078M<<<<<<<4240325545395<18",
)

TRUE_NAME_ROW = "PNRUSKONSTANTINOPOL9SKIQ<<KIRILL<KUZ9MI3<<<<"
PRINTED = ["КОНСТАНТИНОПОЛЬСКИЙ", "КИРИЛЛ", "КУЗЬМИЧ"]


class _Printed:
    """Printed words: the same for every view of the page, or one list per view in turn."""

    def __init__(self, words: list[str], *more: list[str]) -> None:
        self.views = [words, *more]
        self.calls = 0

    def name_words(self, *_: Any, **__: Any) -> list[str]:
        self.calls += 1
        return list(self.views[min(self.calls, len(self.views)) - 1])


def test_the_single_printed_variant_settles_the_rival() -> None:
    assert settle(RU_READ[0], {23: {"Q"}}, PRINTED) == TRUE_NAME_ROW
    # The first choice itself, when that is what is printed.
    printed_g = ["КОНСТАНТИНОПОЛЬСКИГ", "КИРИЛЛ"]
    assert settle(RU_READ[0], {23: {"Q"}}, printed_g) == RU_READ[0]


def test_nothing_printed_or_both_printed_settles_nothing() -> None:
    assert settle(RU_READ[0], {23: {"Q"}}, ["КОНСТАНТИНОПОЛЬСКИ", "КИРИЛЛ"]) is None
    both = [*PRINTED, "КОНСТАНТИНОПОЛЬСКИГ"]
    assert settle(RU_READ[0], {23: {"Q"}}, both) is None
    assert settle(RU_READ[0], {}, PRINTED) is None


def test_yo_and_ye_fold_alike_so_their_rivalry_is_never_settled() -> None:
    # Ё (2) against Е (E): tesseract and the comparison fold them, so both variants match.
    row = "PNRUSF2DOROV<<PETR<<<<<<<<<<<<<<<<<<<<<<<<<<"
    assert settle(row, {6: {"E"}}, ["ФЕДОРОВ", "ПЕТР"]) is None
    # З (Z) against Ё (2) differ in print: the printed word decides.
    assert settle(row, {6: {"Z"}}, ["ФЕДОРОВ", "ПЕТР"]) == row


def test_a_rival_filler_must_leave_the_printed_parts_whole() -> None:
    # A C (Ц) behind the first filler of "<<": the filler stays, and both names around it must
    # be printed whole.
    row = "PNRUSIVANOV<<PETR<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    assert settle(row, {11: {"C"}}, ["ИВАНОВ", "ПЕТР"]) == row
    assert settle(row, {11: {"C"}}, ["ИВАНОВЦ", "ПЕТР"]) is None
    assert settle(row, {11: {"C"}}, ["ИВАНОВ", "ПЕТ"]) is None


def _confirm(printed: _Printed | None) -> tuple[Any, float] | None:
    zone = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)
    image = np.zeros((20, 20, 3), np.uint8)
    correction = correct(list(RU_READ))
    assert correction is not None
    made = ZoneReader(None, printed)  # type: ignore[arg-type]
    # Every re-reading at other scales repeats the G, Q 0.02 behind it, as the recogniser did.
    made._name_row = lambda *_: reading(RU_READ[0], {23: ("Q", 0.02)})  # type: ignore[method-assign]
    doubtful = [reading(RU_READ[0], {23: ("Q", 0.02)}), reading(RU_READ[1], {})]
    first = zone_reader.RowsReading(list(RU_READ), 0.99, correction, 0.99, doubtful)
    return made._confirm(image, zone, False, correction, first)


def test_the_zone_reader_accepts_the_printed_variant_only() -> None:
    assert _confirm(None) is None
    printed = _Printed(PRINTED)
    confirmed = _confirm(printed)
    assert confirmed is not None
    assert confirmed[0].mrz.lines == (TRUE_NAME_ROW, RU_READ[1])
    assert confirmed[0].mrz.valid
    fields = decode(confirmed[0].mrz)
    assert fields is not None
    assert fields.surname == "КОНСТАНТИНОПОЛЬСКИЙ"
    # Tesseract read the band of the names and a taller band (the pooled words settled it).
    assert printed.calls == 2
    # Tesseract misread the surname: no variant is printed, the zone stays rejected.
    assert _confirm(_Printed(["КОНСТАНТИНОПОЛЬСКИИ", "КИРИЛЛ"])) is None


def _confirm_with_new_rival(words: list[str]) -> tuple[Any, float] | None:
    zone = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)
    image = np.zeros((20, 20, 3), np.uint8)
    correction = correct(list(RU_READ))
    assert correction is not None
    made = ZoneReader(None, _Printed(words))  # type: ignore[arg-type]
    # The re-readings doubt another letter: K of KIRILL with 4 (Ш) behind it.
    made._name_row = lambda *_: reading(RU_READ[0], {26: ("4", 0.03)})  # type: ignore[method-assign]
    doubtful = [reading(RU_READ[0], {23: ("Q", 0.02)}), reading(RU_READ[1], {})]
    first = zone_reader.RowsReading(list(RU_READ), 0.99, correction, 0.99, doubtful)
    return made._confirm(image, zone, False, correction, first)


def test_a_rival_met_by_the_re_readings_must_be_printed_too() -> None:
    confirmed = _confirm_with_new_rival(PRINTED)
    assert confirmed is not None
    assert confirmed[0].mrz.lines[0] == TRUE_NAME_ROW
    # The given name is not among the printed words: the new doubt stays unsettled.
    assert _confirm_with_new_rival(["КОНСТАНТИНОПОЛЬСКИЙ", "КУЗЬМИЧ"]) is None


def test_the_bands_words_are_pooled_so_a_misreading_in_either_rejects() -> None:
    # Only the taller band has the surname: settled.
    assert _confirm(_Printed(["КИРИЛЛ"], PRINTED)) is not None
    # One band read the truth, the other the rival's variant: two variants are printed, rejected.
    wrong = ["КОНСТАНТИНОПОЛЬСКИГ", "КИРИЛЛ"]
    assert _confirm(_Printed(PRINTED, wrong)) is None
    assert _confirm(_Printed(wrong, PRINTED)) is None


def test_each_name_part_is_settled_on_its_own() -> None:
    # Seed 97 #48, a shaken spread: nine doubted columns over three words, 288 variants of the
    # row (more than MAX_VARIANTS) but at most 12 of one word, and every word printed exactly.
    line = "PNRUSMEWERSKOV<<8ROSLAV<MIHAQLOVIS<<<<<<<<<<"
    rivals = {
        7: {"N"}, 10: {"8", "B"}, 11: {"R"}, 14: {"C"}, 16: {"B", "S"},
        23: {"C"}, 24: {"N"}, 28: {"R"}, 33: {"3"},
    }  # fmt: skip
    printed = ["МЕЩЕРЯКОВ", "ЯРОСЛАВ", "МИХАЙЛОВИЧ", "МУЖ"]
    assert settle(line, rivals, printed) == "PNRUSMEWER8KOV<<8ROSLAV<MIHAQLOVI3<<<<<<<<<<"
    # One word printed twice over (both of its variants) leaves the whole row unsettled.
    assert settle(line, rivals, [*printed, "БРОСЛАВ"]) is None
    # As does one word not printed at all.
    assert settle(line, rivals, ["МЕЩЕРЯКОВ", "ЯРОСЛАВ"]) is None


def test_a_word_misread_in_one_other_letter_still_settles_its_part() -> None:
    # Seed 131 #152, a shaken spread: tesseract printed БЯЧЕСЛАВОВНА for ВЯЧЕСЛАВОВНА; the
    # doubted О (Q, Й, behind it) is printed as decoded, so the patronymic is settled.
    line = "PNRUSGON3AROVA<<ANNA<V83ESLAVOVNA<<<<<<<<<<<"
    rivals = {5: {"6"}, 11: {"Q"}, 29: {"Q"}}
    words = ["ПОЕРУАРОВА", "НЕБА", "ЗА", "ТЕ", "ГОНЧАРОВА", "АННА", "БЯЧЕСЛАВОВНА", "ЖЕН"]
    assert settle(line, rivals, words) == line
    # Two letters misread, or the misread letter the doubted one: not settled.
    assert settle(line, rivals, [*words[:6], "БЯЧЕСЛАВОВНЯ"]) is None
    assert settle(line, {29: {"Q"}}, ["ГОНЧАРОВА", "ВЯЧЕСЛАВЫВНА"]) is None


def test_a_near_word_for_another_variant_unsettles_an_exact_one() -> None:
    line = "PNRUSGON3AROVA<<ANNA<V83ESLAVOVNA<<<<<<<<<<<"
    # ...ВЙВНА (Q) printed with one other letter misread, beside the exact ...ВОВНА.
    words = ["ВЯЧЕСЛАВОВНА", "БЯЧЕСЛАВЙВНА"]
    assert settle(line, {29: {"Q"}}, words) is None
    assert settle(line, {29: {"Q"}}, words[:1]) == line


def test_a_short_part_needs_its_word_exactly() -> None:
    # АННА (4 letters) against АНЙА: a near word of a short part proves too little.
    line = "PNRUSGON3AROVA<<ANNA<V83ESLAVOVNA<<<<<<<<<<<"
    assert settle(line, {18: {"Q"}}, ["АННЯ"]) is None
    assert settle(line, {18: {"Q"}}, ["АННА"]) == line
