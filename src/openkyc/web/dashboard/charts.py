"""Charts drawn by OpenKYC itself: inline SVG built on the server (no script, no CDN, no
image request), with a title and a text table beside each for screen readers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from markupsafe import Markup, escape

STATUS_COLOURS = {
    "APPROVED": "#137a3a",
    "DECLINED": "#b3261e",
    "IN_PROGRESS": "#1f4fd1",
    "NOT_STARTED": "#9aa3b5",
    "EXPIRED": "#8a5a00",
}


def _nice_max(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value``."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if power * factor >= value:
                return power * factor
        power *= 10


def stacked_days(
    days: Sequence[date],
    per_day: Mapping[date, Mapping[str, int]],
    labels: Mapping[str, str],
    title: str,
) -> Markup:
    """Sessions per day, one bar per day stacked by status."""
    width, height, left, bottom, top = 760, 240, 40, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    totals = [sum(per_day[day].values()) for day in days]
    y_max = _nice_max(max(totals, default=0))
    step = plot_w / max(len(days), 1)
    bar = max(step * 0.75, 1.0)
    parts = [
        f'<svg viewBox="0 0 {width} {height + 24}" role="img" aria-labelledby="chart-days-title"'
        ' class="chart-days" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-days-title">{escape(title)}</title>',
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9e2"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end"'
            f' fill="#4a5160">{y_max * fraction:g}</text>'
        )
    for index, day in enumerate(days):
        x = left + index * step + (step - bar) / 2
        y = top + plot_h
        for status, colour in STATUS_COLOURS.items():
            count = per_day[day].get(status, 0)
            if not count:
                continue
            h = plot_h * count / y_max
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' fill="{colour}"><title>{day.isoformat()} {escape(labels.get(status, status))}:'
                f" {count}</title></rect>"
            )
        if len(days) <= 14 or index % max(1, len(days) // 10) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" font-size="10"'
                f' text-anchor="middle" fill="#4a5160">{day.strftime("%m-%d")}</text>'
            )
    legend_x = left
    for status, colour in STATUS_COLOURS.items():
        label = escape(labels.get(status, status))
        parts.append(
            f'<rect x="{legend_x}" y="{height + 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{height + 17}" font-size="11"'
            f' fill="#14171f">{label}</text>'
        )
        legend_x += 24 + 7 * len(str(label))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def horizontal_bars(items: Sequence[tuple[str, int]], title: str, colour: str) -> Markup:
    """One bar per item (decline reasons, by count), largest first."""
    row, label_w, width = 22, 210, 560
    height = max(row * len(items), row) + 8
    top_value = max((value for _, value in items), default=0) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
        ' class="chart-bars" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        y = 4 + index * row
        w = (width - label_w - 50) * value / top_value
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end"'
            f' fill="#14171f">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" font-size="11"'
            f' fill="#4a5160">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
