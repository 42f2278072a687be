from __future__ import annotations

import pytest

from openkyc.web.hosted.visit import callback_redirect


def test_session_id_and_status_are_appended_to_the_merchant_url() -> None:
    url = callback_redirect("https://shop.example/done?order=42#top", "abc", "APPROVED")
    assert url == "https://shop.example/done?order=42&sessionId=abc&status=APPROVED#top"


@pytest.mark.parametrize("bad", [None, "", "javascript:alert(1)", "data:text/html,x", "ftp://x/"])
def test_only_web_addresses_are_followed(bad: str | None) -> None:
    assert callback_redirect(bad, "abc", "DECLINED") is None
