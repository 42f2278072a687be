"""Prometheus metrics, defined once per process."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "openkyc_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "openkyc_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
AUTH_FAILURES = Counter("openkyc_auth_failures_total", "Rejected API requests", ["code"])
SESSIONS_CREATED = Counter("openkyc_sessions_created_total", "KYC sessions created", ["mode"])
SESSIONS_EXPIRED = Counter("openkyc_sessions_expired_total", "KYC sessions expired by the sweep")
STORAGE_ERRORS = Counter(
    "openkyc_storage_errors_total",
    "Object storage calls that failed after their retries",
    ["operation"],
)
