from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tenant:
    """What a caller may see: one merchant's data in one mode (live or test), never both."""

    merchant_id: uuid.UUID
    mode: str
