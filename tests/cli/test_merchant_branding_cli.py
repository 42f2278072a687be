"""``openkyc merchants update --display-name/--accent-colour/--logo/--remove-logo``: the brand
set and cleared from the CLI through MerchantService; a bad value names its field, exit 1."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from openkyc.config import Settings
from tests.cli.running import in_tmp_cwd, run_cli  # noqa: F401  (the fixture)
from tests.support import MerchantInfo

pytestmark = pytest.mark.usefixtures("in_tmp_cwd")


async def test_the_cli_sets_and_clears_the_brand_and_names_a_bad_field(
    settings: Settings, merchant: MerchantInfo, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.webp"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (10, 40, 120)).save(buffer, format="WEBP")
    logo.write_bytes(buffer.getvalue())
    shown = json.loads(
        await run_cli(
            settings,
            "merchants",
            "update",
            merchant.id,
            "--display-name",
            "Shop Brand",
            "--accent-colour",
            "#0b5d3b",
            "--logo",
            str(logo),
            "--json",
        )
    )
    assert (shown["displayName"], shown["accentColour"]) == ("Shop Brand", "#0b5d3b")
    assert len(shown["logo"]) == 64
    text = await run_cli(settings, "merchants", "show", merchant.id)
    assert "brand: display name Shop Brand, accent colour #0b5d3b, logo set" in text

    low = await run_cli(
        settings, "merchants", "update", merchant.id, "--accent-colour", "#ffcc00", code=1
    )
    assert "accentColour: contrast is too low" in low
    svg = tmp_path / "logo.png"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    bad = await run_cli(settings, "merchants", "update", merchant.id, "--logo", str(svg), code=1)
    assert "logo: must be a PNG, JPEG or WebP image" in bad
    missing = await run_cli(
        settings, "merchants", "update", merchant.id, "--logo", str(tmp_path / "none"), code=2
    )
    assert "--logo" in missing

    cleared = json.loads(
        await run_cli(
            settings,
            "merchants",
            "update",
            merchant.id,
            "--display-name",
            "",
            "--accent-colour",
            "",
            "--remove-logo",
            "--json",
        )
    )
    assert (cleared["displayName"], cleared["accentColour"], cleared["logo"]) == (None,) * 3
