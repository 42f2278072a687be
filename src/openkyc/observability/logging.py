"""Structured JSON logs. Callers pass ids and codes only; personal data never reaches a log.

As a second line of defence the formatter drops any extra field whose name suggests personal
data or secrets, and masks e-mail addresses and long digit runs inside messages. Identifiers
(UUIDs, 32-64 hex digit ids such as request ids, event ids ``evt_<ms>_<hex>``) are left whole:
an operator must be able to match a log line to a delivery or a session, and an id carries no
personal data (a UUID's digits used to be cut out as if they were a phone number).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("openkyc_request_id", default=None)

_FORBIDDEN_KEYS = re.compile(
    r"email|phone|name|document|secret|password|token|signature|birth|selfie|image|body",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGITS = re.compile(r"\+?\d[\d ()-]{6,}\d")
_HEX = "[0-9a-fA-F]"
_IDENTIFIER = re.compile(
    rf"(?<![0-9A-Za-z_-])(?:"
    rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"  # UUID
    rf"|{_HEX}{{32,64}}"  # request ids, hashes
    rf"|evt_\d{{10,16}}_{_HEX}{{6,32}}"  # webhook event ids
    rf")(?![0-9A-Za-z_-])"
)
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


def _mask(text: str) -> str:
    return _DIGITS.sub("[redacted]", _EMAIL.sub("[redacted]", text))


def scrub(text: str) -> str:
    """Mask personal-looking data everywhere except inside identifiers."""
    kept: list[str] = []
    start = 0
    for found in _IDENTIFIER.finditer(text):
        kept.append(_mask(text[start : found.start()]))
        kept.append(found.group())
        start = found.end()
    kept.append(_mask(text[start:]))
    return "".join(kept)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["requestId"] = request_id
        for key, value in vars(record).items():
            if key in _STANDARD_ATTRS or key.startswith("_"):
                continue
            if _FORBIDDEN_KEYS.search(key):
                continue
            entry[key] = (
                value if isinstance(value, int | float | bool | None) else scrub(str(value))
            )
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        # Our middleware logs requests itself, without query strings or client details.
        logging.getLogger(noisy).disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
