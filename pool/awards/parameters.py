"""The city administrator's dated values for a programme's parameters, and the programme
as they make it.

Every amount, rate, cap, tier table and reading marked [R] ships as a dated,
clause-citing parameter (:mod:`pool.awards.programme`).  The administrator may
give any of them a new value from a day on — a tier table the document does not
print, a reading the city decides otherwise — citing where it comes from; the
value is checked against the kind of the shipped one (a tier table, an amount, a
whole number, yes/no, a reading).  Values are appended, never changed: for one
day the latest entered holds.  :func:`programme` is the programme every
computation of the settlement uses (the engine itself stays pure).
"""
from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from models import AwardParameter
from pool.awards import formulas, programme as programmes
from pool.awards.programme import Programme
from pool.kernel.wording import phrase

TIERS, AMOUNT, WHOLE, YES_NO, READING, TABLE = "tiers", "amount", "whole", "yes_no", "reading", "table"
KIND_LABELS = {TIERS: phrase("分档表"), AMOUNT: phrase("金额或比例"), WHOLE: phrase("整数"), YES_NO: phrase("是/否"),
               READING: phrase("读法"), TABLE: phrase("对照表")}
_UNKNOWN = phrase("「参数」：{code} 没有参数 {key}")
_FIXED = phrase("「参数」：{label} 是对照表，只能随政策数据文件修改")
_FUTURE = phrase("「起始日期」：{day} 晚于今天")
_NO_SOURCE = phrase("「依据」：请写明新取值所依据的文件和条款")
_BAD = {
    TIERS: phrase("「取值」：分档表须为 JSON 列表，每档写明 amount（万元）和 from/to（可省略一端）及 from_inclusive/to_inclusive，各档不得重叠"),
    AMOUNT: phrase("「取值」：须为不小于 0 的数，例如 0.5 或 10"),
    WHOLE: phrase("「取值」：须为整数，例如 1"),
    YES_NO: phrase("「取值」：须为 true 或 false"),
    READING: phrase("「取值」：须为非空文本"),
}
_NOT_SET = phrase("未录入")


class ParameterRefused(ValueError):
    """Nothing was written; the message names the field, in Chinese."""


def kind_of(prog: Programme, key: str) -> str:
    """The kind of value parameter ``key`` takes, from the rules that read it and its shipped value."""
    for raw in prog.raw_rules:
        if raw["formula"].get("tiers") == {"param": key}:
            return TIERS
    value = prog.raw_parameters[key]["values"][-1]["value"]
    if isinstance(value, bool):
        return YES_NO
    if isinstance(value, int):
        return WHOLE
    if isinstance(value, (dict, list)) or value is None:
        return TABLE
    try:
        Decimal(value)
    except InvalidOperation:
        return READING
    return AMOUNT


def _tiers(value: Any) -> list | None:
    if not isinstance(value, list) or not value:
        return None
    tiers = []
    for tier in value:
        if not isinstance(tier, dict) or set(tier) - {"from", "to", "from_inclusive", "to_inclusive", "amount"}:
            return None
        try:
            clean = {name: str(Decimal(str(tier[name]))) for name in ("from", "to", "amount") if name in tier}
        except InvalidOperation:
            return None
        if "amount" not in clean or any(not Decimal(v).is_finite() or Decimal(v) < 0 for v in clean.values()):
            return None
        for edge in ("from_inclusive", "to_inclusive"):
            if edge in tier:
                if not isinstance(tier[edge], bool):
                    return None
                clean[edge] = tier[edge]
        tiers.append(clean)
    edges = sorted({Decimal(t[e]) for t in tiers for e in ("from", "to") if e in t})
    probes = edges + [(a + b) / 2 for a, b in zip(edges, edges[1:])] + [edges[0] - 1, edges[-1] + 1] if edges \
        else [Decimal(0)]
    if any(sum(formulas.in_band(p, t) for t in tiers) > 1 for p in probes):
        return None  # overlapping bands: the lookup would depend on their order
    return tiers


def parse(prog: Programme, key: str, text: str) -> Any:
    """The value ``text`` gives parameter ``key``, typed as its kind.

    :raise ParameterRefused: unknown or fixed parameter, or a value of the wrong kind.
    """
    if key not in prog.raw_parameters:
        raise ParameterRefused(_UNKNOWN.format(code=prog.code, key=key))
    kind, text = kind_of(prog, key), (text or "").strip()
    if kind == TABLE:
        raise ParameterRefused(_FIXED.format(label=prog.raw_parameters[key]["label"]))
    value: Any = None
    if kind == TIERS:
        try:
            value = _tiers(json.loads(text))
        except (json.JSONDecodeError, RecursionError):
            value = None
    elif kind == AMOUNT:
        try:
            number = Decimal(text)
            value = str(number) if number.is_finite() and number >= 0 else None
        except InvalidOperation:
            value = None
    elif kind == WHOLE:
        value = int(text) if text.lstrip("-").isdigit() and len(text) < 10 else None
    elif kind == YES_NO:
        value = {"true": True, "false": False, "是": True, "否": False}.get(text.lower())
    elif kind == READING:
        value = text or None
    if value is None:
        raise ParameterRefused(_BAD[kind])
    return value


def record(session, code: str, key: str, *, valid_from: date, text: str, source: str, actor, as_of: date,
           now: datetime) -> AwardParameter:
    """Give ``key`` of programme ``code`` the value ``text`` from ``valid_from`` on.

    :raise ParameterRefused: the value, the day (after today) or the source is not acceptable.
    """
    prog = programmes.load(code)
    value = parse(prog, key, text)
    if valid_from > as_of:
        raise ParameterRefused(_FUTURE.format(day=valid_from.isoformat()))
    if not (source or "").strip():
        raise ParameterRefused(_NO_SOURCE)
    row = AwardParameter(programme=code, key=key, valid_from=valid_from, value=value, source=source.strip(),
                         entered_by_id=actor.id if actor else None, entered_at=now)
    session.add(row)
    session.flush()
    return row


def rows(session, code: str) -> list[AwardParameter]:
    return list(session.scalars(select(AwardParameter).where(AwardParameter.programme == code)
                                .order_by(AwardParameter.id)))


def programme(session, code: str) -> Programme:
    """Programme ``code`` with the administrator's values added to the shipped ones.

    :raise pool.awards.programme.ProgrammeError: no such programme.
    """
    prog = programmes.load(code)
    entered = rows(session, code)
    if not entered:
        return prog
    parameters = {}
    for key, spec in prog.raw_parameters.items():
        by_day = {value["from"]: value for value in spec["values"]}
        for row in entered:
            if row.key == key:
                by_day[row.valid_from.isoformat()] = {"from": row.valid_from.isoformat(), "value": row.value,
                                                      "source": row.source}
        parameters[key] = {**spec, "values": [by_day[day] for day in sorted(by_day)]}
    return dataclasses.replace(prog, raw_parameters=parameters)


def show(value: Any) -> str:
    """A parameter's value as officers read it."""
    if value is None:
        return _NOT_SET
    if isinstance(value, list) and all(isinstance(t, dict) and "amount" in t for t in value):
        return "；".join(f"{formulas.band_text(t)}：{t['amount']}" for t in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).lower() if isinstance(value, bool) else str(value)
