"""Builds the configured object storage."""

from __future__ import annotations

from openkyc.config import Settings
from openkyc.storage.interface import ObjectStorage
from openkyc.storage.local import LocalFileStorage


def build_storage(settings: Settings) -> ObjectStorage:
    if settings.storage_backend == "local":
        return LocalFileStorage(settings.storage_dir or settings.data_dir / "objects")
    raise ValueError(f"unknown OPENKYC_STORAGE_BACKEND {settings.storage_backend!r}; use 'local'")
