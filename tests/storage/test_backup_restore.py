"""The backup and restore drill of docs/operations.md, run for real: a PostgreSQL database
migrated with `openkyc db upgrade` and a bucket on the S3 test server hold a session's photos;
both are backed up (pg_dump -Fc, every object copied out as `aws s3 sync` / `mc mirror` do),
wiped (database dropped, bucket deleted), restored (pg_restore, objects copied back), and the
photos decrypt again. Without the master key the same backup is unreadable."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from openkyc.config import Settings
from openkyc.db.session import unit_of_work
from openkyc.encryption import DecryptionError
from openkyc.media.service import MediaService
from openkyc.merchants.service import MerchantService
from openkyc.state import build_state
from openkyc.storage.location import parse_storage_url
from tests.s3server import S3Server
from tests.verifications.factories import new_session

POSTGRES_URL = os.environ.get("OPENKYC_TEST_POSTGRES_URL")
OPENKYC = str(Path(sys.executable).parent / "openkyc")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs OPENKYC_TEST_POSTGRES_URL"),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="needs pg_dump and pg_restore",
    ),
]


async def _admin(statement: str) -> None:
    assert POSTGRES_URL is not None
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture
async def scratch_url() -> AsyncIterator[str]:
    assert POSTGRES_URL is not None
    name = f"openkyc_restore_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    await asyncio.to_thread(subprocess.run, argv, env=env, check=True, capture_output=True)


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def test_back_up_wipe_restore_and_the_photos_decrypt_again(
    scratch_url: str, s3_server: S3Server, tmp_path: Path
) -> None:
    master_key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = s3_server.apply(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=tmp_path / "var",
            database_url=scratch_url,
            master_key=master_key,
        ),
        s3_server.new_bucket(),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENKYC_")}
    env.update(OPENKYC_DATABASE_URL=scratch_url, OPENKYC_DATA_DIR=str(tmp_path / "var"))
    await _run([OPENKYC, "db", "upgrade"], env=env)

    photos = {"document_front": os.urandom(5000), "selfie_frame": os.urandom(3000)}
    state = build_state(settings)
    try:
        async with unit_of_work(state.sessionmaker) as db:
            merchant = (await MerchantService(db, state.keyring).create("Shop")).merchant
        session_id = await new_session(state, str(merchant.id))
        async with unit_of_work(state.sessionmaker) as db:
            media = MediaService(db, state)
            for kind, data in photos.items():
                await media.store(session_id, kind, data, attempt=1)
    finally:
        await state.close()

    # Back up: the database, then the bucket (objects are immutable once written).
    dump = tmp_path / "openkyc.dump"
    await _run(["pg_dump", "--format=custom", "--file", str(dump), _libpq(scratch_url)])
    location = parse_storage_url(settings.storage_url or "")
    s3 = s3_server.client()
    copied = tmp_path / "bucket"
    listed = s3.list_objects_v2(Bucket=location.bucket)["Contents"]
    for item in listed:
        target = copied / item["Key"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.get_object(Bucket=location.bucket, Key=item["Key"])["Body"].read())
    assert len(listed) == 2

    # Wipe both.
    name = scratch_url.rsplit("/", 1)[1]
    await _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    for item in listed:
        s3.delete_object(Bucket=location.bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=location.bucket)

    # Restore both.
    await _admin(f'CREATE DATABASE "{name}"')
    await _run(["pg_restore", "--no-owner", "--dbname", _libpq(scratch_url), str(dump)])
    s3.create_bucket(Bucket=location.bucket)
    for path in copied.rglob("*"):
        if path.is_file():
            s3.put_object(
                Bucket=location.bucket,
                Key=path.relative_to(copied).as_posix(),
                Body=path.read_bytes(),
            )

    restored = build_state(settings)
    try:
        async with unit_of_work(restored.sessionmaker) as db:
            media = MediaService(db, restored)
            objects = await media.list_for_session(session_id)
            assert {o.kind: await media.read(o, actor_type="system") for o in objects} == photos
    finally:
        await restored.close()

    # The master key is part of the backup: without it the same data stays sealed.
    other_key = base64.b64encode(secrets.token_bytes(32)).decode()
    stranger = build_state(settings.model_copy(update={"master_key": SecretStr(other_key)}))
    try:
        async with unit_of_work(stranger.sessionmaker) as db:
            media = MediaService(db, stranger)
            (first, *_) = await media.list_for_session(session_id)
            with pytest.raises(DecryptionError):
                await media.read(first, actor_type="system")
    finally:
        await stranger.close()
