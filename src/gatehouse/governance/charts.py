"""Small server-side SVG charts for the governors' report: the same markup goes in the page and
in the PDF (WeasyPrint draws SVG), needs no script, and uses presentation attributes only (no
style attributes), so the Content-Security-Policy is kept."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1d4f91", "#c9822b", "#2e7d4f", "#a23b3b", "#6b4c9a")
_FONT = 'font-family="DejaVu Sans, sans-serif" font-size="11"'


def _svg(title: str, width: int, height: int, body: list[str]) -> SafeString:
    """The chart with its title written above it (so it prints), shifted down to make room."""
    label = escape(title)
    height += 22
    return mark_safe(  # noqa: S308  (every text in it is escaped above and below)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{label}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{label}</title>'
        f'<text x="4" y="14" font-family="DejaVu Sans, sans-serif" font-size="13" '
        f'font-weight="bold">{label}</text>'
        f'<g transform="translate(0,22)">{"".join(body)}</g></svg>')


def _empty(title: str) -> SafeString:
    return _svg(title, 480, 24, [f'<text x="4" y="14" {_FONT} fill="#555">Nothing to show '
                                 'for this term.</text>'])


def bar_chart(title: str, rows: Sequence[tuple[str, float]], *, unit: str = "") -> SafeString:
    """Horizontal bars, one per row, each labelled with its value."""
    if not rows or not any(value for _, value in rows):
        return _empty(title)
    top = max(value for _, value in rows) or 1
    label_w, bar_w, row_h = 200, 240, 20
    body = []
    for n, (label, value) in enumerate(rows):
        y = n * row_h + 4
        length = round(bar_w * value / top, 1)
        body.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" {_FONT}>'
                    f'{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y + 2}" width="{length}" height="{row_h - 6}" '
                    f'fill="{PALETTE[0]}"/>'
                    f'<text x="{label_w + length + 4}" y="{y + 13}" {_FONT}>'
                    f'{_number(value)}{escape(unit)}</text>')
    return _svg(title, label_w + bar_w + 60, len(rows) * row_h + 8, body)


def column_chart(title: str, labels: Sequence[str],
                 series: Sequence[tuple[str, Sequence[float]]]) -> SafeString:
    """Grouped columns per label (e.g. per week), one colour per series, with a legend."""
    if not labels or not any(any(values) for _, values in series):
        return _empty(title)
    top = max(max(values, default=0) for _, values in series) or 1
    plot_h, group_w, left = 140, max(12, 8 * len(series) + 6), 34
    width = left + group_w * len(labels) + 10
    bar = (group_w - 4) / len(series)
    body = [f'<line x1="{left}" y1="{plot_h}" x2="{width}" y2="{plot_h}" stroke="#999"/>',
            f'<text x="{left - 4}" y="12" text-anchor="end" {_FONT}>{_number(top)}</text>',
            f'<text x="{left - 4}" y="{plot_h}" text-anchor="end" {_FONT}>0</text>']
    for i, label in enumerate(labels):
        x0 = left + i * group_w + 2
        for s, (_, values) in enumerate(series):
            h = round(plot_h * values[i] / top, 1)
            body.append(f'<rect x="{x0 + s * bar:.1f}" y="{plot_h - h}" width="{bar:.1f}" '
                        f'height="{h}" fill="{PALETTE[s % len(PALETTE)]}"/>')
        if i % max(1, len(labels) // 8) == 0:
            body.append(f'<text x="{x0}" y="{plot_h + 14}" {_FONT}>{escape(label)}</text>')
    for s, (name, _) in enumerate(series):
        x = left + s * 130
        body.append(f'<rect x="{x}" y="{plot_h + 24}" width="10" height="10" '
                    f'fill="{PALETTE[s % len(PALETTE)]}"/><text x="{x + 14}" y="{plot_h + 33}" '
                    f'{_FONT}>{escape(name)}</text>')
    return _svg(title, max(width, 420), plot_h + 42, body)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
