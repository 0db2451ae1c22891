"""Charts drawn on the server as inline SVG: no script, no CDN, readable without JavaScript.

Each chart is decorative for screen readers (aria-hidden) because the page shows the same numbers in
a data table beside it; the SVG carries a <title> for people who hover it.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 170
PLOT_WIDTH = 330
VALUE_WIDTH = 50


def _fmt(n) -> str:
    return f"{n:,}"


def bar_chart(series, title: str) -> str:
    """Horizontal bars, one per row of the series, with the value printed at the end of each bar."""
    rows = series.rows
    peak = series.maximum or 1
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-hidden="true" focusable="false" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (_code, label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        bar = round(PLOT_WIDTH * value / peak, 1)
        mid = y + BAR_HEIGHT / 2
        parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{mid}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(label)}</text>')
        parts.append(f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" rx="3"/>')
        parts.append(f'<text class="chart-value" x="{LABEL_WIDTH + bar + 6}" y="{mid}" '
                     f'dominant-baseline="middle">{_fmt(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def column_chart(series, title: str) -> str:
    """Vertical columns, for a time series such as admissions per month."""
    rows = series.rows
    peak = series.maximum or 1
    n = max(len(rows), 1)
    col, gap, top, bottom, plot_h = 30, 10, 22, 44, 180
    width = n * (col + gap) + gap
    height = top + plot_h + bottom
    parts = [
        f'<svg class="chart" role="img" aria-hidden="true" focusable="false" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="chart-axis" x1="0" x2="{width}" y1="{top + plot_h}" y2="{top + plot_h}"/>',
    ]
    for i, (_code, label, value) in enumerate(rows):
        x = gap + i * (col + gap)
        h = round(plot_h * value / peak, 1)
        y = top + plot_h - h
        cx = x + col / 2
        parts.append(f'<rect class="chart-bar" x="{x}" y="{y}" width="{col}" height="{h}" rx="2"/>')
        parts.append(f'<text class="chart-value" x="{cx}" y="{y - 5}" text-anchor="middle">{_fmt(value)}</text>')
        parts.append(f'<text class="chart-label" x="{cx}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'transform="rotate(-35 {cx} {top + plot_h + 16})">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
