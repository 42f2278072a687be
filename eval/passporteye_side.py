"""PassportEye on the same images as our reader, for eval/documents.py.

PassportEye (MIT) is not a dependency of the service: it pulls ~260 MB (scipy, scikit-learn,
scikit-image, matplotlib) and calls the tesseract CLI with ``eng``. Install it into the venv
to get the side-by-side table: ``.venv/bin/uv pip install --python .venv/bin/python
passporteye==2.2.2``.

It is scored on its own terms: "found" = it returned a zone; "exact" = every field it parsed
equals its own parse of the true zone; "valid" = its own check-digit verdict; "false-valid" =
valid by its checks while a field a check digit covers differs from the truth. Wall time includes its tesseract
subprocess (so no CPU time of this process is reported).
"""

from __future__ import annotations

import importlib.util
import io
import time
import warnings
from collections.abc import Callable
from typing import Any

import report
from report import pct, percentiles

Protected = Callable[[tuple[str, ...]], tuple[str, ...]]


def available() -> bool:
    return importlib.util.find_spec("passporteye") is not None


def describe() -> str:
    from importlib.metadata import version

    return (
        f"PassportEye {version('passporteye')} (tesseract eng) on the same images: 'valid' = its "
        "own check digits passed, 'f-valid' = valid by them yet a field a check digit covers is "
        "wrong; 'exact' = every field it parsed is right; wall ms include its tesseract subprocess"
    )


def read(image: bytes, truth: tuple[str, ...], protected: Protected) -> dict[str, Any]:
    """One image through PassportEye, scored against the truth's lines."""
    from passporteye import read_mrz
    from passporteye.mrz.text import MRZ

    started = time.perf_counter()
    with warnings.catch_warnings():
        # scikit-image deprecations inside PassportEye, once per call.
        warnings.simplefilter("ignore")
        try:
            mrz = read_mrz(io.BytesIO(image))
        except Exception:  # a crash inside a third-party reader is a miss, not our failure
            mrz = None
    ms = 1000 * (time.perf_counter() - started)
    if mrz is None or mrz.mrz_type is None:
        return {"found": mrz is not None, "exact": False, "valid": False, "false_valid": False,
                "ms": ms}  # fmt: skip
    read_fields, true_fields = _fields(mrz), _fields(MRZ(list(truth)))
    valid = bool(mrz.valid)
    # A visa's optional data has no check digit.
    checked = [
        k for k in _CHECKED if k in true_fields and not (k == "optional1" and truth[0][0] == "V")
    ]
    return {
        "found": True,
        "exact": read_fields == true_fields,
        "valid": valid,
        "false_valid": valid and any(read_fields.get(k) != true_fields[k] for k in checked),
        "ms": ms,
    }


# PassportEye's own field names. It cleans the OCR text per field (letters in names, digits in
# dates) before checking, so it is compared field by field against its own parse of the truth.
_KEYS = (
    "type", "country", "number", "date_of_birth", "expiration_date", "nationality", "sex",
    "names", "surname", "optional1", "optional2", "personal_number",
)  # fmt: skip
# The fields a check digit covers in every format.
_CHECKED = ("number", "date_of_birth", "expiration_date", "personal_number", "optional1")


def _fields(mrz: Any) -> dict[str, Any]:
    found = mrz.to_dict()
    return {key: found[key] for key in _KEYS if key in found}


def table(title: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    header = f"{'':22} {'n':>4} {'found':>7} {'exact':>7} {'valid':>7} {'f-valid':>7} {'p50 ms':>7} {'p95 ms':>7}"
    report.table(title, header, rows, _row)


def _row(name: str, items: list[dict[str, Any]]) -> None:
    n = len(items)
    p50, p95 = percentiles([i["ms"] for i in items])
    counts = [sum(i[k] for i in items) for k in ("found", "exact", "valid")]
    false_valid = sum(i["false_valid"] for i in items)
    print(
        f"{name:22} {n:>4} " + " ".join(f"{pct(c, n):>7}" for c in counts)
        + f" {false_valid:>7} {p50:>7.0f} {p95:>7.0f}"
    )  # fmt: skip
