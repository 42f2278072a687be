"""Reading identity documents offline: the ICAO 9303 machine-readable zone (TD1, TD2, TD3,
visas, the Russian internal passport) located in a phone photo, OCR'd with RapidOCR's bundled
PP-OCR models, corrected with the check digits, and interpreted into document fields."""

from .reader import DocumentReader
from .results import Box, CheckDigitReport, DocumentResult, MrzData, VisualField

__all__ = [
    "Box",
    "CheckDigitReport",
    "DocumentReader",
    "DocumentResult",
    "MrzData",
    "VisualField",
]
