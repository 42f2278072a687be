"""Every string the customer can see exists in Russian, Kazakh and English."""

from __future__ import annotations

import html
import re

import pytest

from openkyc.verification.reasons import all_reasons
from openkyc.web.i18n import (
    LANGUAGES,
    REASON_CONTEXT,
    extract_messages,
    load_catalog,
    load_reason_modules,
    translations,
)
from tests.web.conftest import Customer


def _english_sources() -> set[str]:
    return {
        str(message.id)
        for message in load_catalog("en")
        if message.id and not message.context and isinstance(message.id, str)
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_code_has_a_translation(language: str) -> None:
    load_reason_modules()
    codes = sorted(all_reasons())
    assert len(codes) > 10
    compiled = translations(language)
    untranslated = [code for code in codes if compiled.pgettext(REASON_CONTEXT, code) == code]
    assert untranslated == [], f"run `python -m openkyc.web.i18n` ({language})"


def test_the_catalogs_hold_every_string_of_the_templates_and_code() -> None:
    extracted = {(m.context, str(m.id)) for m in extract_messages() if m.id}
    for language in LANGUAGES:
        catalog = load_catalog(language)
        present = {(m.context, str(m.id)) for m in catalog if m.id}
        assert extracted - present == set(), f"{language}: run `python -m openkyc.web.i18n`"
        if language != "en":
            empty = [m.id for m in catalog if m.id and not m.string]
            assert empty == [], language


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_no_english_source_text_leaks_into_a_translated_page(
    customer: Customer, language: str
) -> None:
    sources = {text for text in _english_sources() if len(text.split()) >= 2}
    pages = []
    await customer.open(f"?lang={language}")
    pages.append((await customer.open()).text)
    await customer.consent()
    pages.append((await customer.open()).text)
    await customer.choose()
    pages.append((await customer.open()).text)
    await customer.capture()
    pages.append((await customer.open()).text)
    await customer.upload_selfie()
    pages.append((await customer.open()).text)
    for page in pages:
        assert f'<html lang="{language}">' in page
        visible = html.unescape(re.sub(r"<[^>]+>", "\n", page.split("<body", 1)[1]))
        leaked = [text for text in sources if text in visible]
        assert leaked == []
