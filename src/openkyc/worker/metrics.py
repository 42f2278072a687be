"""Prometheus metrics of the worker. In embedded mode they show on the API's /metrics; a
separate ``openkyc worker`` process keeps its own (no multi-process registry yet)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

VERIFICATIONS_DECIDED = Counter(
    "openkyc_verifications_decided_total", "Verification runs decided", ["outcome"]
)
WEBHOOK_ATTEMPTS = Counter(
    "openkyc_webhook_attempts_total", "Webhook delivery attempts", ["result"]
)
WEBHOOK_LATENCY = Histogram(
    "openkyc_webhook_attempt_seconds",
    "Merchant endpoint response time",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15),
)
JOBS_REQUEUED = Counter(
    "openkyc_jobs_requeued_total", "Jobs the sweep re-enqueued because theirs was lost", ["kind"]
)
