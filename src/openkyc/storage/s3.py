"""Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...), through boto3.

boto3 is synchronous; its calls run on this storage's own thread pool (as many threads as
pooled connections), so a slow bucket never starves the default executor that the database
driver and image decoding share. botocore's "standard" retry mode retries throttling, 5xx
answers, connection errors and timeouts with jittered backoff; whatever still fails becomes
:class:`StorageUnavailable`, which the hosted page answers with a 503 "try again" and the
worker answers by returning its job.

The seam's promises hold as on local disk: a single PutObject is atomic (readers see the
whole object or none), a missing key is :class:`ObjectNotFound` and not an error, and the
bucket only ever receives ciphertext (MediaService encrypts before ``put``). A PutObject
never leaves a partial object behind, so ``stale_keys`` only has to find objects whose
rows were rolled back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from openkyc.observability.metrics import STORAGE_ERRORS
from openkyc.storage.interface import ObjectNotFound, StorageUnavailable, check_key
from openkyc.storage.location import S3Location

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client

logger = logging.getLogger("openkyc.storage")

T = TypeVar("T")
_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}


@functools.cache
def _boto_session() -> boto3.session.Session:
    # Creating a boto3 session loads its data files; one per process is enough.
    return boto3.session.Session()


def _is_ours(key: str) -> bool:
    try:
        check_key(key)
    except ValueError:
        return False
    return True


class S3Storage:
    def __init__(
        self,
        location: S3Location,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: Literal["path", "virtual"] | None = None,
        timeout_s: float = 5.0,
        max_attempts: int = 3,
        max_connections: int = 16,
    ) -> None:
        self.location = location
        self._config = Config(
            region_name=region,
            connect_timeout=timeout_s,
            read_timeout=timeout_s,
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            max_pool_connections=max_connections,
            s3={"addressing_style": addressing_style or ("path" if endpoint_url else "virtual")},
        )
        self._endpoint_url = endpoint_url
        self._credentials = (access_key_id, secret_access_key)
        self._executor = ThreadPoolExecutor(max_connections, thread_name_prefix="openkyc-s3")
        self._client: S3Client | None = None
        self._client_lock = threading.Lock()

    def _s3(self) -> S3Client:
        # Built on first use, in a pool thread: commands that never touch media pay nothing.
        with self._client_lock:
            if self._client is None:
                access_key_id, secret_access_key = self._credentials
                self._client = _boto_session().client(
                    "s3",
                    endpoint_url=self._endpoint_url,
                    aws_access_key_id=access_key_id,
                    aws_secret_access_key=secret_access_key,
                    config=self._config,
                )
            return self._client

    async def _run(self, operation: str, call: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, call)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _NOT_FOUND:
                raise ObjectNotFound(operation) from None
            STORAGE_ERRORS.labels(operation).inc()
            logger.warning("object storage refused", extra={"operation": operation, "code": code})
            raise StorageUnavailable() from exc
        except BotoCoreError as exc:
            # Connection refused, timeouts after every retry, missing credentials.
            STORAGE_ERRORS.labels(operation).inc()
            logger.warning(
                "object storage unreachable",
                extra={"operation": operation, "error": type(exc).__name__},
            )
            raise StorageUnavailable() from exc

    async def put(self, key: str, data: bytes) -> None:
        full_key = self.location.key_for(check_key(key))

        def call() -> None:
            self._s3().put_object(
                Bucket=self.location.bucket,
                Key=full_key,
                Body=data,
                ContentType="application/octet-stream",
            )

        await self._run("put", call)

    async def get(self, key: str) -> bytes:
        full_key = self.location.key_for(check_key(key))

        def call() -> bytes:
            response = self._s3().get_object(Bucket=self.location.bucket, Key=full_key)
            body = response["Body"]
            try:
                return body.read()
            finally:
                body.close()

        return await self._run("get", call)

    async def delete(self, key: str) -> None:
        full_key = self.location.key_for(check_key(key))

        def call() -> None:
            # S3 answers 204 for a key that is not there: deleting twice is not an error.
            self._s3().delete_object(Bucket=self.location.bucket, Key=full_key)

        await self._run("delete", call)

    async def exists(self, key: str) -> bool:
        full_key = self.location.key_for(check_key(key))

        def call() -> None:
            self._s3().head_object(Bucket=self.location.bucket, Key=full_key)

        try:
            await self._run("exists", call)
        except ObjectNotFound:
            return False
        return True

    async def stale_keys(self, prefix: str, modified_before: float) -> list[str]:
        top = self.location.key_for(check_key(prefix)) + "/"

        def call() -> list[str]:
            keys = []
            paginator = self._s3().get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.location.bucket, Prefix=top):
                for item in page.get("Contents", []):
                    key = self.location.key_from(item["Key"])
                    # Only keys we could have written: a foreign object is never deleted.
                    if _is_ours(key) and item["LastModified"].timestamp() < modified_before:
                        keys.append(key)
            return keys

        return await self._run("list", call)

    async def check(self) -> None:
        def call() -> None:
            self._s3().head_bucket(Bucket=self.location.bucket)

        try:
            await self._run("check", call)
        except ObjectNotFound:
            raise StorageUnavailable(f"bucket {self.location.bucket} does not exist") from None

    async def close(self) -> None:
        # Threads still inside a call finish it on their own; nothing new is started.
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None
