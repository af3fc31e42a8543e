"""What an evaluation returns: per target its status, value series, figures and trace.

Statuses: **met** (the period is over and the comparison holds, or a cumulative
target of a growing sum already holds), **not met** (the period is over and it
fails, or the trend or a year already closed says it will fail), **on track**
(the period is running and the projection holds: see :mod:`pool.targets.checks`),
**no data** (a value needed is missing — a measure or an official statistic such
as 常住人口 for a year — named in the trace).  Tracked indicators carry a series
and no verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from pool.kernel.wording import phrase
from pool.targets.series import Region
from pool.targets.targetset import InForce, Target

MET, NOT_MET, ON_TRACK, NO_DATA, TRACKED = "met", "not_met", "on_track", "no_data", "tracked"
STATUS_LABELS = {MET: phrase("达到"), NOT_MET: phrase("未达到"), ON_TRACK: phrase("按趋势可达到"),
                 NO_DATA: phrase("缺少数据"), TRACKED: phrase("仅跟踪，不作判断")}
# Combining the parts of a target (one per field): the worst status wins.
SEVERITY = (NOT_MET, NO_DATA, ON_TRACK, MET)


@dataclass
class Point:
    """One year of the series behind a target: the indicator's value (``None``: missing)."""

    year: int
    value: Fraction | None
    growth: Fraction | None = None  # against the year before, for growth tests


@dataclass
class TargetResult:
    target: Target
    status: str
    final: bool  # the period is over
    series: list[Point] = field(default_factory=list)
    figure: Fraction | None = None  # what was compared: last value, sum, growth ratio, mean rate
    projected: Fraction | None = None  # the projection at the end of the period, when running
    trace: list[str] = field(default_factory=list)
    part: str | None = None  # the wildcard filter's value (a field), for a part
    parts: list["TargetResult"] = field(default_factory=list)


@dataclass
class Evaluation:
    in_force: InForce
    region: Region
    as_of: date
    results: list[TargetResult]
    tracked: list[TargetResult]
    notes: list[str] = field(default_factory=list)  # how the figures were obtained (database mode)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)
