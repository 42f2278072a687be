"""The hosted page, measured as a customer meets it.

    .venv/bin/python bench/hosted.py [--pipeline fake|default] [--runs 5]

Prints (with ``--throttled``, instead: per step up to the document camera, on a mid-range
phone profile, CPU x4 slower and DevTools' "Fast 3G" network, the bytes received and the time
from the navigation until its primary action is usable):
* page weight: bytes transferred (HTML, CSS, JS, images; headers included, no compression)
  from opening the link until the document camera is ready, on a 390x844 phone viewport in
  Chromium, for a first visit (empty cache) and for the capture page alone after a reload;
* submit -> result: seconds from the customer's "send" POST until the page's status endpoint
  reports the decision, with the worker embedded in the server (the page itself polls every
  1.5 s, so a customer waits up to that much longer), using rendered specimens: a document
  photo and a selfie burst that follows the session's own liveness challenge.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
from serving import Server, free_port, scratch_settings  # noqa: E402

from openkyc.api.signing import sign  # noqa: E402
from openkyc.config import Settings  # noqa: E402
from openkyc.db import migrate  # noqa: E402
from openkyc.db.session import unit_of_work  # noqa: E402
from openkyc.merchants.service import MerchantService  # noqa: E402
from openkyc.state import build_state  # noqa: E402

_CSRF = re.compile(r'data-csrf="([^"]+)"')
_STEPS = re.compile(r'data-steps="([^"]*)"')
KIND = "kz_passport"
# The phone's camera: Chromium's fake device, allowed without a prompt.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


async def _merchant(settings: Settings) -> tuple[str, str]:
    state = build_state(settings)
    try:
        async with unit_of_work(state.sessionmaker) as db:
            created = await MerchantService(db, state.keyring).create("Bench shop")
    finally:
        await state.close()
    return created.test.api_key, created.test.secret_key


async def _create_session(
    http: httpx.AsyncClient, key: tuple[str, str], language: str = "en"
) -> str:
    body = json.dumps(
        {"language": language, "callbackUrl": "https://shop.example.org/back"}
    ).encode()
    ts = str(int(time.time() * 1000))
    path = "/api/v2/kyc/sessions"
    headers = {
        "x-api-key": key[0],
        "x-timestamp": ts,
        "x-signature": sign(key[1], "POST", path, ts, body),
        "content-type": "application/json",
    }
    response = await http.post(path, content=body, headers=headers)
    response.raise_for_status()
    session_id: str = response.json()["session"]["id"]
    # The API commits after its response is sent; wait until the page can see the session.
    for _ in range(100):
        if (await http.get(f"/verify/{session_id}/status")).status_code != 404:
            break
        await asyncio.sleep(0.02)
    return session_id


def _specimens(index: int = 0) -> tuple[bytes, Any]:
    """A clean photo of a Kazakh passport and the face on it (as bench/flow.py renders them)."""
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import face_by_id

    face = face_by_id(("astronaut", "synth05", "synth01", "synth06")[index % 4])
    rng = random.Random(f"bench:{index}")
    document = render_document(
        KIND,
        random_identity(KIND, rng),
        face,
        random_distortion("clean", rng, kind=KIND),
        seed=index,
    )
    return document.front_jpeg, face


async def page_weight(base_url: str, key: tuple[str, str], language: str) -> tuple[int, int, int]:
    from playwright.async_api import async_playwright

    from openkyc.web.i18n import Translator

    async with httpx.AsyncClient(base_url=base_url) as http:
        session_id = await _create_session(http, key, language)
    t = Translator(language)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = await browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        page = await context.new_page()
        sizes: list[int] = []
        requests = []

        def finished(request: Any) -> None:
            requests.append(request)

        page.on("requestfinished", finished)

        async def total() -> int:
            for request in requests:
                size = await request.sizes()
                sizes.append(size["responseBodySize"] + size["responseHeadersSize"])
            requests.clear()
            value = sum(sizes)
            sizes.clear()
            return value

        await page.goto(f"{base_url}/verify/{session_id}")
        await page.check("#agree")
        await page.get_by_role("button", name=t.gettext("Start"), exact=True).click()
        await page.check("#doc-ru_internal_passport")
        await page.get_by_role("button", name=t.gettext("Continue"), exact=True).click()
        await page.wait_for_selector(".shutter:not([disabled])")
        first_visit = await total()
        count = len(sizes)
        await page.reload()
        await page.wait_for_selector(".shutter:not([disabled])")
        capture_only = await total()
        await browser.close()
    return first_visit, capture_only, count


async def submit_to_result(
    base_url: str, key: tuple[str, str], outcome: str | None, index: int
) -> float:
    from openkyc.specimens.selfies import render_selfie_frames
    from openkyc.verification.liveness.challenge import Challenge

    document, face = _specimens(index)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        session_id = await _create_session(http, key)
        url = f"/verify/{session_id}"
        page = (await http.get(url)).text
        csrf = _CSRF.search(page)
        assert csrf is not None
        token = csrf.group(1)
        await http.post(f"{url}/consent", data={"csrf": token, "agree": "yes"})
        await http.post(f"{url}/document", data={"csrf": token, "kind": KIND})
        for _ in range(3):
            answer = await http.post(
                f"{url}/capture/front",
                data={"csrf": token},
                files={"image": ("d.jpg", document, "image/jpeg")},
                headers={"accept": "application/json"},
            )
            if answer.json().get("accepted"):
                break
        page = (await http.get(url)).text
        steps = _STEPS.search(page)
        assert steps is not None, "the selfie page shows the challenge"
        challenge = Challenge(steps=tuple(steps.group(1).split(",")))
        frames, times = render_selfie_frames(face, challenge, seed=index)
        files = [("frames", (f"f{i}.jpg", frame, "image/jpeg")) for i, frame in enumerate(frames)]
        answer = await http.post(
            f"{url}/selfie",
            data={"csrf": token, "times": ",".join(map(str, times))},
            files=files,
            headers={"accept": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        data = {"csrf": token, "sandbox_outcome": outcome or ""}
        started = time.perf_counter()
        submitted = await http.post(f"{url}/submit", data=data)
        assert submitted.status_code == 303, submitted.text
        while True:
            status = (await http.get(f"{url}/status")).json()
            if status["final"]:
                elapsed = time.perf_counter() - started
                shown = ""
                if status["state"] != "approved":
                    result = (await http.get(url)).text
                    items = re.findall(r"<li>([^<]+)</li>", result.split('class="reasons"')[-1])
                    shown = " | ".join(items)
                print(f"    {status['state']:<9} {elapsed:6.2f} s  {shown}", flush=True)
                return elapsed
            if time.perf_counter() - started > 300:
                raise TimeoutError("no decision in 300 s")
            await asyncio.sleep(0.05)


# Chromium DevTools' "Fast 3G" preset and a mid-range phone's CPU (x4 slower than this one).
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.44 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 675 * 1024 / 8 * 0.9,
}
CPU_SLOWDOWN = 4


async def throttled_steps(
    base_url: str, key: tuple[str, str], language: str
) -> list[tuple[str, int, float]]:
    """Per step, on a throttled phone profile: bytes transferred for the step's page (empty
    cache on the first) and time from the navigation to its primary action usable (for the
    camera steps: the camera running and the shutter enabled)."""
    from playwright.async_api import async_playwright

    from openkyc.web.i18n import Translator

    async with httpx.AsyncClient(base_url=base_url) as http:
        session_id = await _create_session(http, key, language)
    t = Translator(language)
    results: list[tuple[str, int, float]] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = await browser.new_context(
            viewport={"width": 360, "height": 640},
            is_mobile=True,
            has_touch=True,
            permissions=["camera"],
        )
        page = await context.new_page()
        page.set_default_timeout(120_000)
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", FAST_3G)
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        received: list[int] = []
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))

        async def step(name: str, go: Any, ready: str) -> None:
            received.clear()
            started = time.perf_counter()
            await go()
            await page.wait_for_selector(ready)
            results.append((name, sum(received), time.perf_counter() - started))

        async def press(label: str) -> None:
            await page.get_by_role("button", name=t.gettext(label), exact=True).click()

        async def open_link() -> None:
            await page.goto(f"{base_url}/verify/{session_id}")

        async def start() -> None:
            await page.check("#agree")
            await press("Start")

        async def choose() -> None:
            await page.check("#doc-ru_internal_passport")
            await press("Continue")

        await step("consent (link opened)", open_link, "form button[type=submit]")
        await step("document", start, "body[data-page=document] form button[type=submit]")
        await step("capture, camera ready", choose, ".shutter:not([disabled])")
        await browser.close()
    return results


async def run(settings: Settings, args: argparse.Namespace) -> None:
    key = await _merchant(settings)
    with Server(settings) as server:
        if args.throttled:
            print(
                f"throttled phone (CPU x{CPU_SLOWDOWN}, Fast 3G, 360x640, "
                f"language={args.language}): bytes received and seconds to interactive"
            )
            rows = await throttled_steps(server.base_url, key, args.language)
            for name, size, seconds in rows:
                print(f"  {name:<24} {size:>8} B  {seconds:6.2f} s")
            total = sum(size for _, size, _ in rows)
            print(f"  link -> camera ready: {total} B, {sum(s for _, _, s in rows):.2f} s")
            return
        if not args.skip_weight:
            first, capture, _ = await page_weight(server.base_url, key, args.language)
            print(
                f"page weight to the first capture (phone, Chromium, uncompressed, "
                f"language={args.language}):"
            )
            print(f"  first visit, link -> consent -> document -> camera ready: {first} B")
            print(f"  capture page alone after a reload (CSS/JS cached):       {capture} B")
        print(f"submit -> result, pipeline={args.pipeline}, {args.runs} runs:")
        times = [
            await submit_to_result(server.base_url, key, None, index) for index in range(args.runs)
        ]
        print(
            f"  median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
            f"max {max(times):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipeline", default="fake", choices=["fake", "default"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-weight", action="store_true")
    parser.add_argument(
        "--throttled",
        action="store_true",
        help="only the per-step figures on a throttled phone (CPU x4, Fast 3G)",
    )
    parser.add_argument("--language", default="ru", choices=["ru", "kk", "en"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = scratch_settings(
            Path(tmp),
            public_url=f"http://127.0.0.1:{port}",
            pipeline=args.pipeline,
            run_worker_in_process=True,
            hosted_rate_limit_session="1000/minute",
            hosted_rate_limit_ip="10000/minute",
            selfie_max_frames=40,
        )
        # Alembic runs its own event loop: migrate before ours starts.
        migrate.upgrade(settings.resolved_database_url)
        asyncio.run(run(settings, args))


if __name__ == "__main__":
    main()
