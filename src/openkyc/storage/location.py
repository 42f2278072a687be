"""Where media live, parsed from ``OPENKYC_STORAGE_URL`` without importing any client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# S3's own rules for bucket names (lowercase, digits, dots, hyphens; 3-63 characters).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    prefix: str  # "" or "a/b", never with a leading or trailing slash

    def key_for(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def key_from(self, full_key: str) -> str:
        return full_key[len(self.prefix) + 1 :] if self.prefix else full_key

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")


def parse_storage_url(url: str) -> S3Location:
    """``s3://bucket`` or ``s3://bucket/prefix``; anything else is a precise ValueError."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ValueError("OPENKYC_STORAGE_URL must look like s3://bucket/prefix")
    if parts.query or parts.fragment or parts.username or parts.password or parts.port:
        raise ValueError("OPENKYC_STORAGE_URL takes no credentials, port or query")
    if not _BUCKET.fullmatch(parts.hostname or "") or ".." in (parts.hostname or ""):
        raise ValueError("OPENKYC_STORAGE_URL has an invalid bucket name")
    prefix = parts.path.strip("/")
    if prefix and (not _PREFIX.fullmatch(prefix) or ".." in prefix.split("/")):
        raise ValueError("OPENKYC_STORAGE_URL has an invalid prefix")
    return S3Location(bucket=parts.hostname or "", prefix=prefix)
