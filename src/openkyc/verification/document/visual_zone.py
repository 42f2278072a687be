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

from .locate import ZoneCandidate
from .portrait import upright_window
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
    "RU": (-0.12, 0.6, -1.16, -0.78),
    # Taller, for settling the zone's name-letter rivals (rejected photos only): the layouts'
    # offsets put the patronymic at the foot of the band above (seed 23 #56's was not read).
    "RU_TALL": (-0.15, 0.62, -1.25, -0.68),
}
_WIDTH = 640
_WORD = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІ]{2,}")


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
        self._lock = threading.Lock()
        version = str(tesserocr.tesseract_version()).split()[1]
        # Both language sets, since which one reads a document depends on its issuer.
        self.models = tuple(
            ModelInfo(name=f"tesseract/{lang}", version=version) for lang in self._apis
        )

    def _words(
        self, grey: GreyImage, zone: ZoneCandidate, angle: float, layout: str, lang: str
    ) -> list[str]:
        from PIL import Image

        left, right, top, bottom = _REGIONS[layout]
        zw = zone.size[0]
        theta = math.radians(angle)
        ux, uy = math.cos(theta), math.sin(theta)
        vx, vy = -uy, ux
        along, down = (left + right) / 2 * zw, (top + bottom) / 2 * zw
        centre = (zone.centre[0] + along * ux + down * vx, zone.centre[1] + along * uy + down * vy)
        size = ((right - left) * zw, (bottom - top) * zw)
        crop, _ = upright_window(grey, centre, size, angle, _WIDTH)
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
        return NameCheck(tuple(fields))


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
