"""Customer-facing messages for every stable reason code the pipeline can emit.

Each stage registers its codes here with an English source text and its Russian and Kazakh
translations; the hosted page turns them into gettext catalogs. A code that is emitted but
not registered is a bug, and :func:`message` raises on it so tests catch it.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("ru", "kk", "en")


@dataclass(frozen=True, slots=True)
class ReasonText:
    code: str
    en: str
    ru: str
    kk: str
    # True when a retake with better capture can fix it (too dark, blurred...).
    fixable: bool


_REGISTRY: dict[str, ReasonText] = {}


def register(*texts: ReasonText) -> None:
    for text in texts:
        existing = _REGISTRY.get(text.code)
        if existing is not None and existing != text:
            raise ValueError(f"reason code {text.code} registered twice with different texts")
        _REGISTRY[text.code] = text


def reason(code: str) -> ReasonText:
    return _REGISTRY[code]


def message(code: str, language: str) -> str:
    text = _REGISTRY[code]
    if language not in LANGUAGES:
        language = "en"
    result: str = getattr(text, language)
    return result


def all_reasons() -> dict[str, ReasonText]:
    return dict(_REGISTRY)
