from __future__ import annotations

from typing import Any

import pytest

from openkyc.flows.documents import DOCUMENT_OPTIONS, allowed_options


def _kinds(policy: dict[str, Any]) -> list[str]:
    return [option.kind for option in allowed_options(policy)]


def test_without_a_policy_every_document_is_offered() -> None:
    assert _kinds({}) == [option.kind for option in DOCUMENT_OPTIONS]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"allowedCountries": ["KAZ"]}, ["kz_id_card", "kz_passport"]),
        ({"allowed_countries": ["rus"]}, ["ru_internal_passport", "ru_international_passport"]),
        ({"allowedCountries": ["DEU"]}, ["passport"]),
        ({"allowedDocumentTypes": ["id_card"]}, ["kz_id_card"]),
        ({"allowedCountries": ["KAZ"], "allowedDocumentTypes": ["passport"]}, ["kz_passport"]),
        ({"allowedDocumentKinds": ["ru_internal_passport"]}, ["ru_internal_passport"]),
        ({"allowedCountries": []}, []),
    ],
)
def test_the_policy_narrows_the_offer(policy: dict[str, Any], expected: list[str]) -> None:
    assert _kinds(policy) == expected
