"""Chromium (Debian's, headless) driving the real server over loopback, with a fake camera
that plays frames of a synthetic document. The worker runs in the server's process with the
deterministic fake pipeline. Browser tests run on SQLite only: they test the page, the
database paths are covered by tests/web on both databases."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from openkyc.config import Settings
from openkyc.state import AppState
from tests.browser.y4m import to_frame, write_y4m
from tests.support import LiveServer
from tests.web.conftest import specimen

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"pipeline": "fake", "run_worker_in_process": True, "worker_threads": 1}
    )


@pytest.fixture
def server(settings: Settings, state: AppState) -> Iterator[LiveServer]:
    with LiveServer(settings) as live:
        yield live


@pytest.fixture(scope="session")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = to_frame(specimen("ru_internal_passport"), (1280, 960))
    return write_y4m(tmp_path_factory.mktemp("camera") / "document.y4m", [frame] * 4)


@pytest.fixture
async def browser(camera_video: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera_video}",
            ],
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def new_page(browser: Browser, viewport: dict[str, int], *, phone: bool = True) -> Page:
    context: BrowserContext = await browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        permissions=["camera"],
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return page


async def deny_camera(page: Page) -> None:
    """The customer refuses the camera: getUserMedia rejects as a browser does on "Block"."""
    await page.context.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('denied', 'NotAllowedError'));"
    )


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def english_sources() -> set[str]:
    from openkyc.web.i18n import load_catalog

    return {
        str(m.id)
        for m in load_catalog("en")
        if m.id and not m.context and isinstance(m.id, str) and len(str(m.id).split()) >= 2
    }


async def assert_translated(page: Page, language: str) -> None:
    """No English source string is visible on a ru/kk page."""
    if language == "en":
        return
    text = await page.inner_text("body")
    leaked = [source for source in english_sources() if source in text]
    assert leaked == [], leaked
    assert not re.search(r"\b(?:capture|selfie|document|face|liveness)_[a-z_]+\b", text)
