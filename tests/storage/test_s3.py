"""What only the S3 backend has: its settings, retries on transient answers, timeouts, and
a bucket that only ever receives ciphertext."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import ValidationError

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.media.service import MediaService
from openkyc.state import AppState
from openkyc.storage.interface import StorageUnavailable
from openkyc.storage.location import S3Location, parse_storage_url
from openkyc.storage.s3 import S3Storage
from tests.s3server import S3Server
from tests.storage.test_contract import s3_storage
from tests.support import MerchantInfo
from tests.verifications.factories import new_session


def test_storage_url_names_bucket_and_prefix() -> None:
    assert parse_storage_url("s3://kyc-media") == S3Location("kyc-media", "")
    assert parse_storage_url("s3://kyc-media/prod/eu/") == S3Location("kyc-media", "prod/eu")
    assert S3Location("b", "p/q").key_for("media/x.bin") == "p/q/media/x.bin"


@pytest.mark.parametrize(
    "url",
    ["https://kyc-media/x", "s3://Bad_Bucket/x", "s3://kyc-media/../x", "s3://u:p@kyc-media/x"],
)
def test_a_bad_storage_url_is_refused_when_settings_load(url: str) -> None:
    with pytest.raises(ValidationError, match="OPENKYC_STORAGE_URL"):
        Settings(_env_file=None, storage_url=url)  # type: ignore[call-arg]


class FlakyS3(BaseHTTPRequestHandler):
    """Answers the first ``failures`` requests with 503 SlowDown, then accepts every PUT."""

    failures = 0
    seen: list[str]

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).seen.append(self.path)
        if len(type(self).seen) <= type(self).failures:
            body = b"<Error><Code>SlowDown</Code><Message>slow</Message></Error>"
            self.send_response(503)
        else:
            body = b""
            self.send_response(200)
            self.send_header("ETag", '"0"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def flaky() -> Iterator[tuple[str, type[FlakyS3]]]:
    handler = type("Handler", (FlakyS3,), {"seen": [], "failures": 2})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


async def test_transient_errors_are_retried(flaky: tuple[str, type[FlakyS3]]) -> None:
    url, handler = flaky
    storage = s3_storage(url, "bucket", max_attempts=3)
    await storage.put("media/a/b.bin", b"x")  # two 503s, then accepted
    assert handler.seen == ["/bucket/root/of-media/media/a/b.bin"] * 3
    await storage.close()


async def test_retries_end_in_unavailable(flaky: tuple[str, type[FlakyS3]]) -> None:
    url, handler = flaky
    storage = s3_storage(url, "bucket", max_attempts=2)
    with pytest.raises(StorageUnavailable) as raised:
        await storage.put("media/a/b.bin", b"x")
    assert raised.value.http_status == 503
    assert raised.value.headers["Retry-After"]
    assert len(handler.seen) == 2
    await storage.close()


async def test_a_server_that_never_answers_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts connections, never reads or answers
    try:
        storage = s3_storage(
            f"http://127.0.0.1:{listener.getsockname()[1]}", "b", timeout_s=0.3, max_attempts=2
        )
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            await storage.get("media/a/b.bin")
        assert time.monotonic() - started < 5
        await storage.close()
    finally:
        listener.close()


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server) -> Settings:
    return s3_server.apply(settings, s3_server.new_bucket())


async def test_the_bucket_only_ever_sees_ciphertext(
    state: AppState, settings: Settings, s3_server: S3Server, merchant: MerchantInfo
) -> None:
    assert isinstance(state.storage, S3Storage)
    session_id = await new_session(state, merchant.id)
    photo = b"\xff\xd8PLAINTEXT-DOCUMENT-PHOTO" * 100
    async with unit_of_work(state.sessionmaker) as db:
        stored = await MediaService(db, state).store(session_id, "document_front", photo, attempt=1)
    location = parse_storage_url(settings.storage_url or "")
    assert location.prefix == "media-root"
    response = s3_server.client().get_object(
        Bucket=location.bucket, Key=location.key_for(stored.storage_key)
    )
    raw = response["Body"].read()
    assert b"PLAINTEXT" not in raw
    assert len(raw) >= len(photo)
    async with unit_of_work(state.sessionmaker) as db:
        assert await MediaService(db, state).read(stored, actor_type="system") == photo
