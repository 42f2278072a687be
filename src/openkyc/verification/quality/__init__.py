"""Capture quality checks a customer can act on (blur, darkness, glare, framing, size, face
photo, machine-readable zone), fast enough to run on every photo before upload."""

from .check import check_capture
from .results import QualityReport

__all__ = ["QualityReport", "check_capture"]
