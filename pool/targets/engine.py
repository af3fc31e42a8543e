"""Evaluate one programme's targets for one region on a date, from a parsed series document.

:func:`evaluate` is deterministic and writes nothing: the same series, target
set, region and date give the same result.  Each target of the region (with
the parameters in force on ``as_of``) gets its status from
:func:`pool.targets.checks.check`; tracked indicators get their series only.
"""
from __future__ import annotations

from datetime import date

from pool.kernel.wording import phrase
from pool.targets.checks import check
from pool.targets.series import Region
from pool.targets.targetset import TargetSet, TargetSetError, load
from pool.targets.results import Evaluation

_NO_REGION = phrase("输入中没有地区 {region}（有：{regions}）")


def evaluate(target_set: str | TargetSet, region: str, as_of: date, regions: dict[str, Region],
             targets_of: str | None = None) -> Evaluation:
    """Every target of ``target_set`` for ``region`` on ``as_of``, from ``regions`` (:func:`pool.targets.series.parse`).

    ``targets_of`` names the region whose targets are read when they are not ``region``'s own
    (a county's figures against its city's targets, for reference).

    :raise pool.targets.targetset.TargetSetError: unknown target set, no targets for ``region``, or
        ``region`` missing from the input (Chinese reason).
    """
    if isinstance(target_set, str):
        target_set = load(target_set)
    in_force = target_set.in_force(as_of, targets_of or region)
    if region not in regions:
        raise TargetSetError(_NO_REGION.format(region=region, regions="、".join(regions) or "—"))
    place = regions[region]
    return Evaluation(in_force, place, as_of, [check(t, place, as_of) for t in in_force.targets],
                      [check(t, place, as_of) for t in in_force.tracked])
