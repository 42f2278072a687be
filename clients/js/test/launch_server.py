"""Start a real OpenKYC for the JavaScript client's tests: a fresh data directory, migrated,
a merchant with live, test and media-scoped test keys, one test session holding two stored
images; prints that as one JSON line, then serves (API, hosted pages, in-process worker)
until killed. Usage: python launch_server.py PORT DATA_DIR"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from pathlib import Path

import uvicorn
from PIL import Image

from openkyc.app import create_app
from openkyc.cli.runtime import command_state, prepare_schema
from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.merchants.service import MerchantService
from openkyc.merchants.tenant import Tenant
from openkyc.sessions.schemas import CreateSessionRequest
from openkyc.sessions.service import SessionService


def _jpeg(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, format="JPEG")
    return out.getvalue()


async def _seed(settings: Settings) -> dict[str, object]:
    async with command_state(settings) as state:
        async with unit_of_work(state.sessionmaker) as db:
            service = MerchantService(db, state.keyring)
            created = await service.create("JS client tests")
            media_key = await service.create_key(
                created.merchant.id, "test", scopes=("sessions", "media")
            )
            with_media = await SessionService(db, state.keyring, default_ttl_minutes=30).create(
                Tenant(created.merchant.id, "test"), CreateSessionRequest(customer_id="js-media")
            )
        async with unit_of_work(state.sessionmaker) as db:
            media = MediaService(db, state)
            await media.store(with_media.id, "document_front", _jpeg((20, 40, 60)), attempt=1)
            await media.store(
                with_media.id, "selfie_frame", _jpeg((200, 120, 90)), attempt=1, frame_time_ms=0
            )
    return {
        "merchantId": str(created.merchant.id),
        "test": {"apiKey": created.test.api_key, "secretKey": created.test.secret_key},
        "live": {"apiKey": created.live.api_key, "secretKey": created.live.secret_key},
        "media": {"apiKey": media_key.pair.api_key, "secretKey": media_key.pair.secret_key},
        "sessionWithMedia": str(with_media.id),
    }


def main() -> None:
    port, data_dir = int(sys.argv[1]), Path(sys.argv[2])
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        public_url=base_url,
        rate_limit="10000/minute",
        webhook_backoff_s="0.2",
        log_level="WARNING",
        # The sandbox needs no models: a preloaded real pipeline would cost seconds per run.
        pipeline="fake",
    )
    prepare_schema(settings)
    seeded = asyncio.run(_seed(settings))
    print(json.dumps({"baseUrl": base_url, **seeded}), flush=True)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_config=None)


if __name__ == "__main__":
    main()
