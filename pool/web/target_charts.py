"""A target's series as a small chart drawn on the server: the geometry an inline SVG needs.

No script, no style attribute (the CSP forbids both): the template writes
``<svg>`` elements with presentation attributes from :func:`chart`.  The bars
are the yearly values (a cumulative target: the running sum), the dashed line
the target's threshold when it is on the same scale as the bars (not for growth
rates or benchmarks).  The chart is a picture of the table beside it, which
stays the text alternative.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from pool.targets.results import TargetResult

WIDTH, HEIGHT = 320, 150
_LEFT, _RIGHT, _TOP, _BOTTOM = 8, 8, 14, 22
_SAME_SCALE = ("level", "each_year", "cumulative")


@dataclass
class Bar:
    year: int
    x: float
    y: float
    width: float
    height: float
    missing: bool
    value: Fraction | None


@dataclass
class Chart:
    bars: list[Bar] = field(default_factory=list)
    line_y: float | None = None  # the target threshold, when drawn
    baseline: float = HEIGHT - _BOTTOM
    width: int = WIDTH
    height: int = HEIGHT
    cumulative: bool = False


def _values(result: TargetResult) -> list[tuple[int, Fraction | None]]:
    points = [(p.year, p.value) for p in result.series]
    if result.target.test != "cumulative":
        return points
    total, out = Fraction(0), []
    for year, value in points:
        if value is not None:
            total += value
        out.append((year, total if value is not None else None))
    return out


def chart(result: TargetResult) -> Chart | None:
    """The chart of ``result``'s series, or ``None`` when it has no series."""
    points = _values(result)
    if not points:
        return None
    comparator, test = result.target.comparator, result.target.test
    threshold = comparator.value if comparator is not None and test in _SAME_SCALE else None
    top = max([v for _, v in points if v is not None] + ([threshold] if threshold is not None else []) + [Fraction(1)])
    out = Chart(cumulative=test == "cumulative")
    inner_w, inner_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    step = inner_w / len(points)
    for i, (year, value) in enumerate(points):
        h = 0.0 if value is None else max(float(value / top), 0.0) * inner_h  # a fall below 0 draws no bar
        out.bars.append(Bar(year, round(_LEFT + i * step + step * 0.15, 1), round(out.baseline - h, 1),
                            round(step * 0.7, 1), round(h, 1), value is None, value))
    if threshold is not None:
        out.line_y = round(out.baseline - float(threshold / top) * inner_h, 1)
    return out
