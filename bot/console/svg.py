"""Small server-side SVG charts (no JavaScript, no CDN): bars and a line."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#1f5fa8", "#c0392b", "#2e8b57", "#d68910", "#6c3483", "#117a65", "#5d6d7e")
FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif\""


def bars(data: Sequence[tuple[str, float]], title: str, unit: str = "", width: int = 460) -> Markup:
    """Horizontal bars, one row per (label, value), value printed at the bar's end."""
    row, label_w, pad = 28, 120, 8
    height = max(len(data), 1) * row + 2 * pad
    top = max((v for _, v in data), default=0) or 1
    span = width - label_w - 70
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" {FONT} font-size="14">',
        f"<title>{escape(title)}</title>",
    ]
    if not data:
        parts.append(f'<text x="{pad}" y="{pad + 18}" fill="#555">暂无数据</text>')
    for i, (label, value) in enumerate(data):
        y = pad + i * row
        w = max(2, int(span * value / top)) if value else 0
        colour = PALETTE[i % len(PALETTE)]
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 18}" text-anchor="end" fill="#222">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - 10}" fill="{colour}" rx="2"><title>{escape(label)}：{escape(shown)}</title></rect>'
        )
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 18}" fill="#222">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line(
    points: Sequence[tuple[str, float]], title: str, width: int = 460, height: int = 200
) -> Markup:
    """A line over labelled points (e.g. overdue tickets at the end of each week)."""
    left, right, top_pad, bottom = 36, 28, 14, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((v for _, v in points), default=0) or 1
    step = plot_w / max(len(points) - 1, 1)
    xy = [(left + i * step, top_pad + plot_h - plot_h * v / top) for i, (_, v) in enumerate(points)]
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" {FONT} font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" fill="#555">{top:g}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" fill="#555">0</text>',
    ]
    if xy:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[1]}" stroke-width="2.5"/>'
        )
    for (x, y), (label, value) in zip(xy, points, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[1]}"><title>{escape(label)}：{value:g}</title></circle>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
