"""Cyrillic to MRZ Latin transliteration.

Two tables live here:

* ICAO 9303 Part 3 (section 6, "Transliteration of Cyrillic characters"), used by Russian
  international passports; Kazakh-only letters fall back to their base letter as Kazakh
  passports print them. It is not reversible (Е/Ё/Э all become E), so a Cyrillic name is never
  derived from it, only checked against it.
* The Russian internal passport table, which is one-to-one and therefore restores the exact
  Cyrillic name (Ё→2, Й→Q, Ч→3, Ш→4, Щ→W, Ъ→X, Ы→Y, Ь→9, Э→6, Ю→7, Я→8).
"""

from __future__ import annotations

ICAO_CYRILLIC: dict[str, str] = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH",
    "З": "Z", "И": "I", "Й": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O",
    "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS",
    "Ч": "CH", "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU",
    "Я": "IA",
    # Ukrainian and Belarusian letters from the same ICAO table.
    "Є": "IE", "І": "I", "Ї": "I", "Ґ": "G", "Ў": "U",
    # Kazakh letters: not in the ICAO table; Kazakh documents use the base Latin letter.
    "Ә": "A", "Ғ": "G", "Қ": "K", "Ң": "N", "Ө": "O", "Ұ": "U", "Ү": "U", "Һ": "H",
}  # fmt: skip

RU_INTERNAL: dict[str, str] = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "2", "Ж": "J",
    "З": "Z", "И": "I", "Й": "Q", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O",
    "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "H", "Ц": "C",
    "Ч": "3", "Ш": "4", "Щ": "W", "Ъ": "X", "Ы": "Y", "Ь": "9", "Э": "6", "Ю": "7",
    "Я": "8",
}  # fmt: skip

RU_INTERNAL_REVERSE: dict[str, str] = {v: k for k, v in RU_INTERNAL.items()}


def _separators_to_filler(text: str) -> str:
    return "".join("<" if c in " -'’." else c for c in text)


def to_icao_latin(text: str) -> str:
    """Transliterate a Cyrillic (or already Latin) name for an ICAO MRZ name field."""
    out: list[str] = []
    for char in text.upper():
        if char in ICAO_CYRILLIC:
            out.append(ICAO_CYRILLIC[char])
        elif "A" <= char <= "Z" or char == "<":
            out.append(char)
        elif char in " -'’.":
            out.append("<")
        else:
            raise ValueError(f"cannot transliterate {char!r}")
    return "".join(out)


def to_ru_internal(text: str) -> str:
    """Code a Russian name with the internal passport table."""
    out: list[str] = []
    for char in _separators_to_filler(text.upper()):
        if char == "<":
            out.append(char)
        elif char in RU_INTERNAL:
            out.append(RU_INTERNAL[char])
        else:
            raise ValueError(f"not in the internal passport table: {char!r}")
    return "".join(out)


def from_ru_internal(coded: str) -> str:
    """Restore the Cyrillic text of an internal passport name part (fillers become spaces)."""
    out: list[str] = []
    for char in coded:
        if char == "<":
            out.append(" ")
        elif char in RU_INTERNAL_REVERSE:
            out.append(RU_INTERNAL_REVERSE[char])
        else:
            raise ValueError(f"not an internal passport name character: {char!r}")
    return "".join(out).strip()


def fold_yo(text: str) -> str:
    """Fold Ё into Е: OCR and many printed documents do not distinguish them."""
    return text.replace("Ё", "Е").replace("ё", "е")
