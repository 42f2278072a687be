"""Object storage for media: an interface and its implementations (local files, S3)."""

from openkyc.storage.interface import ObjectNotFound, ObjectStorage, StorageUnavailable

__all__ = ["ObjectNotFound", "ObjectStorage", "StorageUnavailable"]
