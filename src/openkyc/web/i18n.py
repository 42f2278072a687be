"""Translations of the hosted page: gettext catalogs (``locale/*/LC_MESSAGES/messages.po``).

The ``.po`` files are the source of truth and are committed; they are compiled in memory on
first use, so a fresh checkout needs no build step. Every reason code the pipeline registers
(:mod:`openkyc.verification.reasons`) has a catalog entry under the ``reason`` context.

Maintainers refresh the catalogs with ``python -m openkyc.web.i18n``: it extracts every
string from the templates and the hosted-page code, adds every registered reason code with
its registry text, keeps existing translations and reports what is still untranslated.
"""

from __future__ import annotations

import gettext
import importlib
import io
import sys
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
REASON_CONTEXT = "reason"
WEB_DIR = Path(__file__).resolve().parent
LOCALE_DIR = WEB_DIR / "locale"
_VERIFICATION_DIR = WEB_DIR.parent / "verification"


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


def negotiate(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate and candidate.lower()[:2] in LANGUAGES:
            return candidate.lower()[:2]
    return DEFAULT_LANGUAGE


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def load_catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, load_catalog(language), use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load_reason_modules() -> None:
    """Import every ``reasons`` module of the pipeline so the registry is complete."""
    for path in sorted(_VERIFICATION_DIR.rglob("reasons.py")):
        relative = path.relative_to(WEB_DIR.parent.parent).with_suffix("")
        importlib.import_module(".".join(relative.parts))
    for name in ("openkyc.verification.decision",):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue


class Translator:
    """One language's gettext functions, handed to templates as ``_``/``ngettext``."""

    def __init__(self, language: str) -> None:
        self.language = negotiate(language)
        self._t = translations(self.language)

    def gettext(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def reason(self, code: str) -> str:
        """The customer's text for a reason code; a code without an entry gets a generic text
        rather than leaking the code itself."""
        text = self._t.pgettext(REASON_CONTEXT, code)
        if text != code:
            return text
        try:
            from openkyc.verification.reasons import message

            return message(code, self.language)
        except KeyError:
            return self.gettext(N_("Something in the photos could not be verified."))


def extract_messages() -> Catalog:
    # A fixed creation date: a timestamp in every catalog's header made each refresh a conflict
    # between branches that changed no message.
    template = Catalog(
        project="OpenKYC hosted page",
        charset="utf-8",
        creation_date=datetime(2026, 1, 1, tzinfo=UTC),
    )
    method_map = [
        ("templates/**.html", "jinja2"),
        ("hosted/**.py", "python"),
        ("dashboard/**.py", "python"),
        ("*.py", "python"),
    ]
    options_map = {"templates/**.html": {"trimmed": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB_DIR), method_map, options_map, keywords=keywords
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    from openkyc.verification.reasons import all_reasons

    load_reason_modules()
    for code in sorted(all_reasons()):
        template.add(code, None, [("reasons", 0)], context=REASON_CONTEXT)
    return template


def refresh_catalogs() -> dict[str, list[str]]:
    """Merge extracted strings into every catalog; return what is untranslated per language."""
    from openkyc.verification.reasons import all_reasons

    template = extract_messages()
    registry = all_reasons()
    missing: dict[str, list[str]] = {}
    for language in LANGUAGES:
        path = catalog_path(language)
        if path.exists():
            catalog = load_catalog(language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="OpenKYC hosted page", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        for message in catalog:
            if message.context == REASON_CONTEXT and isinstance(message.id, str):
                text = registry.get(message.id)
                if text is not None:
                    # The registry is the reasons' source of truth: its text always wins.
                    message.string = getattr(text, language)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "OpenKYC hosted page", "1"
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
        missing[language] = [
            str(message.id)
            for message in catalog
            if message.id and not message.string and (language != "en" or message.context)
        ]
    translations.cache_clear()
    return missing


if __name__ == "__main__":
    untranslated = refresh_catalogs()
    for lang, ids in untranslated.items():
        print(f"{lang}: {len(ids)} untranslated")
        for item in ids:
            print(f"  {item}")
    sys.exit(1 if any(untranslated.values()) else 0)
