"""Object storage for media: an interface and its implementations."""

from openkyc.storage.interface import ObjectNotFound, ObjectStorage

__all__ = ["ObjectNotFound", "ObjectStorage"]
