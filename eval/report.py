"""Printing helpers shared by the evaluations: percentages, percentiles, grouped tables."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

Items = list[dict[str, Any]]


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "   - "


def percentiles(values: list[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank)."""
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


def table(
    title: str, header: str, rows: dict[str, Items], row: Callable[[str, Items], None]
) -> None:
    """One line per group (sorted by name), then one for all groups together."""
    print(f"\n{title}")
    print(header)
    print("-" * len(header))
    total: Items = []
    for name, items in sorted(rows.items()):
        total.extend(items)
        row(name, items)
    print("-" * len(header))
    row("ALL", total)
