"""Builds the configured object storage."""

from __future__ import annotations

from openkyc.config import Settings
from openkyc.storage.interface import ObjectStorage
from openkyc.storage.local import LocalFileStorage
from openkyc.storage.location import parse_storage_url


def build_storage(settings: Settings) -> ObjectStorage:
    if not settings.storage_url:
        return LocalFileStorage(settings.storage_dir or settings.data_dir / "objects")
    # Imported only here: boto3 takes a while to import and local mode never needs it.
    from openkyc.storage.s3 import S3Storage

    key_id, secret = settings.storage_s3_access_key_id, settings.storage_s3_secret_access_key
    return S3Storage(
        parse_storage_url(settings.storage_url),
        endpoint_url=settings.storage_s3_endpoint_url,
        region=settings.storage_s3_region,
        access_key_id=key_id.get_secret_value() if key_id else None,
        secret_access_key=secret.get_secret_value() if secret else None,
        addressing_style=settings.storage_s3_addressing_style,
        timeout_s=settings.storage_timeout_s,
        max_attempts=settings.storage_max_attempts,
        max_connections=settings.storage_max_connections,
    )
