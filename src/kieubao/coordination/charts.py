"""Indicator progress as a small inline SVG line chart, drawn on the server."""

from markupsafe import Markup, escape

from kieubao.coordination.models import Indicator

WIDTH, HEIGHT, PAD = 320, 140, 28


def progress_svg(indicator: Indicator) -> Markup:
    """Baseline, reported values over time and the target line; no script needed."""
    points = [(v.period_end.year + v.period_end.timetuple().tm_yday / 366, v.value)
              for v in indicator.values]  # fmt: skip
    years = [p[0] for p in points] + [float(indicator.target_year)]
    values = [p[1] for p in points] + [indicator.baseline, indicator.target]
    x0, x1 = min(years) - 0.5, max(years) + 0.5
    y0, y1 = min(0.0, min(values)), max(values) * 1.1 or 1.0

    def x(year: float) -> float:
        return PAD + (year - x0) / (x1 - x0) * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - y0) / (y1 - y0) * (HEIGHT - 2 * PAD)

    label = escape(f"{indicator.name} ({indicator.unit})")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="indicator-chart"><title>{label}</title>',
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(indicator.target):.1f}" '
        f'y2="{y(indicator.target):.1f}" stroke="#2e7d32" stroke-dasharray="4 3"/>',
        f'<text x="{WIDTH - PAD}" y="{y(indicator.target) - 4:.1f}" font-size="10" '
        f'text-anchor="end" fill="#2e7d32">{indicator.target:g} ({indicator.target_year})</text>',
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(indicator.baseline):.1f}" '
        f'y2="{y(indicator.baseline):.1f}" stroke="#999" stroke-dasharray="2 3"/>',
    ]
    if points:
        path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#c62828" stroke-width="2"/>')
        for a, b in points:
            parts.append(
                f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="#c62828">'
                f"<title>{int(a)}: {b:g}</title></circle>"
            )
    parts.append(
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="10">{int(x0 + 0.5)}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="10" text-anchor="end">'
        f"{int(x1 - 0.5)}</text></svg>"
    )
    # Numbers formatted here and the one escaped label: nothing else enters the markup.
    return Markup("".join(parts))  # noqa: S704
