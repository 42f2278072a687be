"""Printed Cyrillic/Kazakh names (the visual zone), read with tesseract ``kaz+rus`` and kept
only where the machine-readable zone confirms them.

Layout-free on purpose: the page region above the zone is read as sparse text and every
Cyrillic word is transliterated with the ICAO table; a word whose transliteration equals the
zone's Latin surname (or a given name) is the printed Cyrillic form of it. ICAO transliteration
folds some letters (Е/Ё/Э to E, И/Й to I, drops Ь), so a confirmed word is consistent with the
zone, not proven letter by letter; tesseract itself reads Ё as Е.

For the Russian internal passport the zone already yields the exact Cyrillic name; printed
words equal to it are reported as confirmations. A disagreement is not acted upon: measured on
specimens, tesseract's own letter errors made it a false alarm far more often than a catch.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from openkyc.verification.types import ModelInfo

from .interpret import Interpreted
from .locate import ZoneCandidate
from .portrait import upright_window
from .printed_fields import PrintedCheck, PrintedWord, ZoneFacts, check_printed
from .results import MrzData, VisualField
from .transliteration import fold_yo, to_icao_latin

GreyImage = npt.NDArray[np.uint8]

TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
)
# Kazakh first: with Russian first, Ә/Ұ/Қ come out as Э/У/К (measured).
LANGUAGES = "kaz+rus"
RUSSIAN = "rus"
# Regions (zone widths from the zone centre: left, right, top, bottom) holding the printed names:
# right of the photo above a TD3 zone; right of the photo on the internal passport's page. Only
# the band of the name lines (with margins) is read: tesseract's time grows with the area, and
# the band read half the page's area with one name in 44 fewer found, none wrong (measured).
_REGIONS = {
    "TD3": (-0.28, 0.6, -0.58, -0.33),
    "TD3_MIRRORED": (-0.6, 0.28, -0.58, -0.33),
    "RU": (-0.12, 0.6, -1.16, -0.78),
    # Taller, for settling the zone's name-letter rivals (rejected photos only): the layouts'
    # offsets put the patronymic at the foot of the band above (seed 23 #56's was not read).
    "RU_TALL": (-0.15, 0.62, -1.25, -0.68),
}
_WIDTH = 640
# The whole side above the zone, where the printed dates, number and sex are (issue 26), in
# the same zone widths, by zone format: a TD3 page is 1.14 zone widths wide and its zone's
# centre 0.66 below its top; a TD1 card 1.14 and 0.53; a TD2 card 1.17 and 0.67. A visa
# sticker is laid out like the page of its size.
_PAGES = {
    "TD3": (-0.56, 0.56, -0.68, -0.06),
    "MRV-A": (-0.56, 0.56, -0.68, -0.06),
    "TD1": (-0.58, 0.58, -0.56, -0.08),
    "TD2": (-0.59, 0.59, -0.7, -0.07),
    "MRV-B": (-0.59, 0.59, -0.7, -0.07),
}
# Printed dates are small beside the page: read it at a higher resolution than the name band
# (28 hard specimens: 960 px found 23 issue dates at 104 ms CPU p50, 800 px 25 at 92 ms; the
# Russian model alone on KZ pages at 720 px 21 at 79 ms). At 800 px the Russian model alone
# found the same issue dates as kaz+rus on the 20 KZ pages of 78 (classic seed 53 and hard
# seed 7, n 40 each), at 111 ms against 177 ms CPU on average: see check_printed.
_PAGE_WIDTH = 800
LATIN = "eng"
_WORD = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІ]{2,}")
# Issuers printing Russian (with Latin) only: the Kazakh model is not needed for their pages.
_RUSSIAN_ISSUERS = frozenset({"RUS", "BLR", "KGZ", "TJK", "UZB", "ARM", "AZE", "MDA", "UKR"})


class PrintedWords(Protocol):
    """What the zone reader needs of the visual zone: the printed words of the name lines."""

    def name_words(
        self,
        grey: GreyImage,
        zone: ZoneCandidate,
        angle: float,
        mrz: MrzData,
        *,
        ru_internal: bool,
        tall: bool = False,
    ) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class NameCheck:
    fields: tuple[VisualField, ...]


def _tessdata() -> Path | None:
    for folder in TESSDATA_DIRS:
        if all((folder / f"{lang}.traineddata").is_file() for lang in LANGUAGES.split("+")):
            return folder
    return None


class VisualZoneReader:
    def __init__(self, tessdata: Path) -> None:
        import tesserocr

        self._apis = {lang: _api(tessdata, lang) for lang in (LANGUAGES, RUSSIAN)}
        self._tessdata = tessdata
        self._lock = threading.Lock()
        version = str(tesserocr.tesseract_version()).split()[1]
        # Both language sets, since which one reads a document depends on its issuer.
        self.models = tuple(
            ModelInfo(name=f"tesseract/{lang}", version=version) for lang in self._apis
        )

    def _crop(
        self,
        grey: GreyImage,
        zone: ZoneCandidate,
        angle: float,
        region: tuple[float, float, float, float],
        side: int,
    ) -> GreyImage:
        left, right, top, bottom = region
        zw = zone.size[0]
        theta = math.radians(angle)
        ux, uy = math.cos(theta), math.sin(theta)
        vx, vy = -uy, ux
        along, down = (left + right) / 2 * zw, (top + bottom) / 2 * zw
        centre = (zone.centre[0] + along * ux + down * vx, zone.centre[1] + along * uy + down * vy)
        size = ((right - left) * zw, (bottom - top) * zw)
        crop, _ = upright_window(grey, centre, size, angle, side)
        return crop

    def page_words(
        self, grey: GreyImage, zone: ZoneCandidate, angle: float, mrz: MrzData, lang: str
    ) -> list[PrintedWord]:
        """Every word printed on the side above the zone, read with ``lang``, with tesseract's
        confidence; empty for a zone format without a known page (the internal passport's zone
        is a TD3 one, and its dates are not on the page above it)."""
        from PIL import Image

        region = _PAGES.get(mrz.format)
        if region is None:
            return []
        crop = self._crop(grey, zone, angle, region, _PAGE_WIDTH)
        with self._lock:
            api = self._api(lang)
            if api is None:
                return []
            api.SetImage(Image.fromarray(crop))
            api.Recognize()
            pairs = api.MapWordConfidences()
        return [PrintedWord(fold_yo(str(word)), float(conf)) for word, conf in pairs if word]

    def check_printed(
        self,
        grey: GreyImage,
        zone: ZoneCandidate,
        angle: float,
        mrz: MrzData,
        fields: Interpreted,
        today: dt.date,
    ) -> PrintedCheck:
        """The printed page checked against the verified zone (``printed_fields``)."""
        if fields.kind == "ru_internal_passport":
            # Its zone carries the issue date; its dates are on the page above the personal one.
            return PrintedCheck(None, (), ())
        facts = ZoneFacts(
            number=fields.number,
            birth_date=fields.birth_date,
            expiry_date=fields.expiry_date,
            issue_date=fields.issue_date,
            sex=fields.sex,
        )
        issuer = mrz.issuing_country
        if issuer == "KAZ":
            # Kazakh pages print their dates, number and sex in Russian and Latin too: the
            # Russian model alone reads them at 2/3 of the time of kaz+rus, which reads the
            # page again only when no issue date came out of the first reading.
            check = check_printed(self.page_words(grey, zone, angle, mrz, RUSSIAN), facts, today)
            if check.issue_date is not None or facts.issue_date is not None:
                return check
            return check_printed(self.page_words(grey, zone, angle, mrz, LANGUAGES), facts, today)
        lang = RUSSIAN if issuer in _RUSSIAN_ISSUERS else LATIN
        return check_printed(self.page_words(grey, zone, angle, mrz, lang), facts, today)

    def _api(self, lang: str) -> Any:
        """The tesseract instance for ``lang``, made on first use (the Latin one is needed only
        for documents of Latin-script issuers); None when its data is not installed."""
        if lang not in self._apis:
            if not (self._tessdata / f"{lang}.traineddata").is_file():
                return None
            self._apis[lang] = _api(self._tessdata, lang)
        return self._apis[lang]

    def _words(
        self, grey: GreyImage, zone: ZoneCandidate, angle: float, layout: str, lang: str
    ) -> list[str]:
        from PIL import Image

        crop = self._crop(grey, zone, angle, _REGIONS[layout], _WIDTH)
        with self._lock:
            api = self._apis[lang]
            api.SetImage(Image.fromarray(crop))
            text = api.GetUTF8Text()
        return _WORD.findall(fold_yo(text.upper()))

    def name_words(
        self,
        grey: GreyImage,
        zone: ZoneCandidate,
        angle: float,
        mrz: MrzData,
        *,
        ru_internal: bool,
        tall: bool = False,
    ) -> list[str]:
        """The Cyrillic words (upper case, Ё folded into Е) printed where the names are
        (``tall``: a taller band, for the internal passport only)."""
        # Russian documents print Russian only: the Kazakh model's second opinion on every
        # doubtful word only costs time there (a third of tesseract's time, measured).
        lang = RUSSIAN if mrz.issuing_country == "RUS" else LANGUAGES
        layout = ("RU_TALL" if tall else "RU") if ru_internal else "TD3"
        return self._words(grey, zone, angle, layout, lang)

    def confirm_names(
        self, grey: GreyImage, mrz: MrzData, zone: ZoneCandidate, angle: float, *, ru_internal: bool
    ) -> NameCheck:
        words = self.name_words(grey, zone, angle, mrz, ru_internal=ru_internal)
        if ru_internal:
            return _compare_internal(words, mrz)
        names = _matching_names(words, mrz)
        if not names:
            # The photo on the right, the names on the left: the same band, mirrored. (Read
            # from the whole page instead, a Ұ came out as У in 1 of 12 such pages; the band's
            # larger glyphs read all 12 right, measured on varied KZ passport specimens.)
            lang = RUSSIAN if mrz.issuing_country == "RUS" else LANGUAGES
            names = _matching_names(self._words(grey, zone, angle, "TD3_MIRRORED", lang), mrz)
        return NameCheck(names)


def _matching_names(words: list[str], mrz: MrzData) -> tuple[VisualField, ...]:
    """The printed Cyrillic words whose ICAO transliteration is the zone's surname, and the
    ones that are each of its given names (all of them, or none)."""
    fields: list[VisualField] = []
    surname = mrz.surname.replace(" ", "<")
    for word in words:
        if _latin(word) == surname:
            fields.append(VisualField("surname", word, confirmed_by_mrz=True))
            break
    given = [g for g in mrz.given_names.split(" ") if g]
    found: list[str] = []
    for part in given:
        match = next((w for w in words if _latin(w) == part), None)
        if match is None:
            break
        found.append(match)
    if given and len(found) == len(given):
        fields.append(VisualField("given_names", " ".join(found), confirmed_by_mrz=True))
    return tuple(fields)


def _api(tessdata: Path, lang: str) -> Any:
    import tesserocr

    api = tesserocr.PyTessBaseAPI(
        path=str(tessdata) + "/", lang=lang, psm=tesserocr.PSM.SPARSE_TEXT
    )
    # Tesseract 5 re-reads every doubtful line inverted (white on black), which printed pages
    # never are: a tenth of its time, no name lost on the seed-7 specimens.
    api.SetVariable("tessedit_do_invert", "0")
    return api


def _latin(word: str) -> str:
    try:
        return to_icao_latin(word)
    except ValueError:
        return ""


def _compare_internal(words: list[str], mrz: MrzData) -> NameCheck:
    """Printed words equal to the zone's exact Cyrillic (Ё and Е taken as equal)."""
    from .ru_internal import decode

    fields = decode(mrz)
    if fields is None:
        return NameCheck(())
    parts = (fields.surname, fields.given_name, fields.patronymic)
    confirmed = [
        VisualField(name, part, confirmed_by_mrz=True)
        for part, name in zip(parts, ("surname", "given_names", "patronymic"), strict=True)
        if part and fold_yo(part) in words
    ]
    return NameCheck(tuple(confirmed))


@cache
def shared_visual_zone() -> VisualZoneReader | None:
    """The process-wide tesseract reader, or None when tesserocr or the kaz/rus data is absent
    (everything else works without it)."""
    tessdata = _tessdata()
    if tessdata is None:
        return None
    try:
        return VisualZoneReader(tessdata)
    except (ImportError, RuntimeError):
        return None
