"""One settings object, read from ``OPENKYC_*`` environment variables and an optional ``.env``."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that appear in examples and must never protect real data.
_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "development", "example"}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OPENKYC_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("./var")
    database_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    # Base64 of 32 bytes. Generated into the data dir in development; required in production.
    master_key: SecretStr | None = None
    master_key_id: str = "k1"
    # Retired master keys, "id:base64,id:base64": still decrypt, never encrypt.
    old_master_keys: SecretStr | None = None
    redis_url: str | None = None
    # PostgreSQL connections per process: pool + overflow, times every API and worker process,
    # must stay under the server's max_connections (docs/operations.md, "Sizing"). A request
    # that waits longer than the timeout for one is answered 503 "try again".
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_max_overflow: int = Field(default=10, ge=0, le=200)
    database_pool_timeout_s: float = Field(default=10.0, gt=0, le=120)

    signature_tolerance_s: int = Field(default=300, ge=1)
    # Proxies whose X-Forwarded-For/-Proto are believed ("10.0.0.2,192.168.0.0/24"); empty:
    # none, so a client cannot choose the address or scheme the app sees (uvicorn would
    # otherwise trust any process on 127.0.0.1).
    trusted_proxies: str = ""
    rate_limit: str = "120/minute"
    session_ttl_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    max_body_bytes: int = 64 * 1024
    expiry_sweep_interval_s: float = Field(default=30.0, gt=0)
    run_worker_in_process: bool = True
    # SIGTERM: how long `serve` lets open requests finish (it stops accepting at once) and
    # `worker` lets a running job finish before handing it back (docs/operations.md).
    shutdown_timeout_s: float = Field(default=30.0, gt=0, le=600)
    log_level: str = "INFO"

    # --- hosted verification page (issue 5) ---
    upload_max_bytes: int = 12 * 1024 * 1024
    # Where media objects live: unset = files under ``storage_dir``; "s3://bucket/prefix" = an
    # S3-compatible bucket (AWS, MinIO, Ceph...). Either way they are encrypted before they leave.
    storage_url: str | None = None
    storage_dir: Path | None = None  # default: <data_dir>/objects
    # S3 endpoint for anything but AWS itself, e.g. http://minio:9000.
    storage_s3_endpoint_url: str | None = None
    storage_s3_region: str = "us-east-1"
    # Unset: boto3's own chain (AWS_* variables, an instance or pod role).
    storage_s3_access_key_id: SecretStr | None = None
    storage_s3_secret_access_key: SecretStr | None = None
    # "path" (http://host/bucket/key, what MinIO wants) or "virtual" (bucket.host); unset:
    # path style with a custom endpoint, virtual on AWS.
    storage_s3_addressing_style: Literal["path", "virtual"] | None = None
    # Per attempt: connecting, and each read; transient failures are retried (standard mode).
    storage_timeout_s: float = Field(default=5.0, gt=0, le=120)
    storage_max_attempts: int = Field(default=3, ge=1, le=10)
    storage_max_connections: int = Field(default=16, ge=1, le=256)
    # Decoded images larger than this are refused before their pixels are read.
    upload_max_pixels: int = Field(default=40_000_000, ge=1_000_000)
    # A selfie frame is drawn at most 720 px a side by the page; a few megapixels is plenty.
    selfie_frame_max_pixels: int = Field(default=4_000_000, ge=500_000)
    # Every image of one request together (a burst of frames), checked from the headers.
    upload_max_request_pixels: int = Field(default=48_000_000, ge=1_000_000)
    # Images decoded at once in this process: memory stays flat however many uploads arrive.
    upload_decode_concurrency: int = Field(default=2, ge=1, le=32)
    # Room for every retake: (selfie burst + document photos) x (retakes + 1), and redos.
    upload_max_per_session: int = Field(default=200, ge=4)
    selfie_max_frames: int = Field(default=24, ge=1, le=40)
    # Check a selfie burst's head movements at upload, and ask once, with a fresh challenge,
    # for a new recording when they were missed (docs/face-and-liveness.md, "Instant check").
    selfie_instant_check: bool = True
    hosted_rate_limit_session: str = "60/minute"
    hosted_rate_limit_ip: str = "300/minute"
    handoff_ttl_minutes: int = Field(default=15, ge=1)
    consent_version: str = "2026-11-01"

    # --- worker, decisions and webhooks (issue 6) ---
    webhook_timeout_s: float = Field(default=15.0, gt=0)
    # "default" runs the real models; "fake" is deterministic and model-free (tests, sandbox).
    pipeline: str = "default"
    # Worker threads inside `openkyc serve`, and worker processes of `openkyc worker`.
    worker_threads: int = Field(default=2, ge=1, le=32)
    worker_processes: int = Field(default=2, ge=1, le=64)
    # How long a claimed job may run before another worker may take it over (crash recovery).
    verification_lease_s: float = Field(default=120.0, gt=0)
    # The sweep re-enqueues work that is due but older than the grace (its job was lost).
    sweep_interval_s: float = Field(default=15.0, gt=0)
    sweep_grace_s: float = Field(default=30.0, ge=0)
    # Seconds between webhook retries, comma-separated; the last repeats. Tests shorten it.
    webhook_backoff_s: str = "5,300,1800,7200,18000,36000,43200"
    # A delivery is given up after this long; an endpoint failing this long is disabled.
    webhook_give_up_after_s: float = Field(default=3 * 24 * 3600 + 3600, gt=0)
    webhook_disable_after_s: float = Field(default=5 * 24 * 3600, gt=0)
    webhook_user_agent: str = "OpenKYC-Webhooks/0.1 (compatible; LovePay/1.0)"
    # Replay window a receiver should allow for webhook-timestamp (documented to merchants).
    webhook_tolerance_s: int = Field(default=300, ge=1)

    # --- retention (docs/privacy.md): days after a session is final (decided or expired) ---
    # Document photos and selfie frames: crypto-shredded (key row, then files).
    retention_media_days: int = Field(default=30, ge=0, le=36500)
    # Face embeddings kept for duplicate search (biometric templates).
    retention_biometrics_days: int = Field(default=90, ge=0, le=36500)
    # The extracted identity, the customer's e-mail and phone, webhook payloads: redacted.
    # Five years is the AML record-keeping period (AMLD4 Art. 40).
    retention_records_days: int = Field(default=5 * 365, ge=0, le=36500)
    # The sweep looks for due data at most this often (it scans session rows).
    retention_interval_s: float = Field(default=600.0, gt=0)

    # --- back office (issue 22): operator sign-in and sessions ---
    # A dashboard session ends after this long without a request, and this long after sign-in.
    dashboard_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    dashboard_absolute_hours: int = Field(default=12, ge=1, le=7 * 24)
    # Consecutive wrong passwords that lock an account, and for how long.
    dashboard_max_failed_logins: int = Field(default=5, ge=1, le=100)
    dashboard_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Failed sign-ins allowed from one client IP (moving window, ``limits`` syntax).
    dashboard_login_ip_limit: str = "30/15minutes"

    @field_validator("trusted_proxies")
    @classmethod
    def _networks_only(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                try:
                    ipaddress.ip_network(item.strip(), strict=False)
                except ValueError:
                    raise ValueError(
                        f"OPENKYC_TRUSTED_PROXIES: {item.strip()!r} is not an address or network"
                    ) from None
        return value

    @model_validator(mode="after")
    def _check_storage_url(self) -> Settings:
        if self.storage_url:
            from openkyc.storage.location import parse_storage_url

            parse_storage_url(self.storage_url)
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            key = self.master_key.get_secret_value() if self.master_key else ""
            if key.strip().lower() in _PLACEHOLDER_SECRETS:
                raise ValueError("OPENKYC_MASTER_KEY is required in production and has no default")
            if _decode_key(key) is None:
                raise ValueError("OPENKYC_MASTER_KEY must be base64 of exactly 32 bytes")
            if self.database_url is None:
                raise ValueError("OPENKYC_DATABASE_URL is required in production")
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'openkyc.db').resolve()}"

    def master_keys(self) -> tuple[str, dict[str, bytes]]:
        """The active key id and every key that may decrypt, creating a dev key on first use."""
        keys: dict[str, bytes] = {}
        if self.old_master_keys:
            for item in self.old_master_keys.get_secret_value().split(","):
                key_id, _, encoded = item.strip().partition(":")
                decoded = _decode_key(encoded)
                if not key_id or decoded is None:
                    raise ValueError("OPENKYC_OLD_MASTER_KEYS must be 'id:base64' pairs")
                keys[key_id] = decoded
        if self.master_key is not None:
            active = _decode_key(self.master_key.get_secret_value())
            if active is None:
                raise ValueError("OPENKYC_MASTER_KEY must be base64 of exactly 32 bytes")
        else:
            active = self._development_master_key()
        keys[self.master_key_id] = active
        return self.master_key_id, keys

    def _development_master_key(self) -> bytes:
        path = self.data_dir / "master.key"
        if path.exists():
            decoded = _decode_key(path.read_text().strip())
            if decoded is None:
                raise ValueError(f"{path} does not hold a base64 32-byte key")
            return decoded
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        # Written with owner-only permissions: it decrypts every secret in the database.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(key).decode())
        return key


def _decode_key(value: str) -> bytes | None:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None
