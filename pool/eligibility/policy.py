"""Dated policy parameters (modelled on OpenFisca's parameters).

Every threshold a rule uses is a :class:`Parameter`: a value that holds from a
date on, with the clause of the legal text it comes from.  An administrator
changes policy by adding a new dated value — the old one stays, so a verdict can
always be replayed with the values in force on its assessment date.

``Policy(parameters).in_force(as_of)`` gives a :class:`Snapshot`: for each key
the value with the latest ``valid_from`` on or before ``as_of``.  The rule code
reads ``snapshot["min_rd_ratio"]`` and never holds a threshold literal.

Where the seed text is vague, SPEC §3/§4 fixes a reading; those parameters cite
"SPEC §N 解释" beside the seed clause.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Iterator, Mapping

from pool.eligibility.contract import QUALIFICATION_TYPES
from pool.eligibility.sme import DEFAULT_TABLE, SizeTable

SEED_DATE = date(2024, 9, 30)  # date of the Huangshi draft (seed 004)


@dataclass(frozen=True)
class Parameter:
    """One dated value of a policy parameter."""

    key: str
    value: Any
    valid_from: date
    source: str  # seed clause, e.g. "黄石 附件2 第6条"
    note: str = ""
    recorded_by: str = "系统默认"


@dataclass(frozen=True)
class ParamSpec:
    """What a parameter is and how its value travels as JSON.

    ``from_json`` accepts the JSON form (and the Python form, so a value can be
    re-validated) and raises ``ValueError`` with a Chinese message on a bad
    value; ``to_json`` gives a JSON-compatible value (decimals as exact strings).
    """

    key: str
    label: str
    kind: str  # decimal | int | str | str_list | int_list | month_day | table
    description: str
    to_json: Callable[[Any], Any]
    from_json: Callable[[Any], Any]


# --- converters -------------------------------------------------------------

def _decimal(lo: Decimal, hi: Decimal | None = None) -> Callable[[Any], Decimal]:
    def convert(obj: Any) -> Decimal:
        if isinstance(obj, bool) or not isinstance(obj, (int, float, str, Decimal)):
            raise ValueError("须为数值")
        try:
            value = Decimal(str(obj)) if isinstance(obj, (float, str)) else Decimal(obj)
        except InvalidOperation:
            raise ValueError(f"{obj!r} 不是有效的数值") from None
        if not value.is_finite():
            raise ValueError("须为有限数值")
        if value < lo or (hi is not None and value > hi):
            raise ValueError(f"须在 {lo} 至 {hi} 之间" if hi is not None else f"须不小于 {lo}")
        return value
    return convert


def _int(lo: int) -> Callable[[Any], int]:
    def convert(obj: Any) -> int:
        if isinstance(obj, str) and obj.strip().isdigit():
            obj = int(obj)
        if isinstance(obj, bool) or not isinstance(obj, int):
            raise ValueError("须为整数")
        if obj < lo:
            raise ValueError(f"须不小于 {lo}")
        return obj
    return convert


def _region_prefix(obj: Any) -> str:
    if not isinstance(obj, str) or not re.fullmatch(r"[0-9]{2,6}", obj):
        raise ValueError("须为 2 至 6 位数字的行政区划代码前缀")
    return obj


def _qualification_list(obj: Any) -> tuple[str, ...]:
    if isinstance(obj, str) or not isinstance(obj, (list, tuple)):
        raise ValueError("须为资格类型列表")
    for item in obj:
        if item not in QUALIFICATION_TYPES:
            raise ValueError(f"资格类型 {item!r} 不在申报数据约定的类型中")
    if len(set(obj)) != len(obj):
        raise ValueError("资格类型不得重复")
    return tuple(obj)


def _positive_int_list(obj: Any) -> tuple[int, ...]:
    if isinstance(obj, str) or not isinstance(obj, (list, tuple)) or not obj:
        raise ValueError("须为非空整数列表")
    values = tuple(_int(1)(item) for item in obj)
    if len(set(values)) != len(values):
        raise ValueError("天数不得重复")
    return values


def _bool(obj: Any) -> bool:
    if not isinstance(obj, bool):
        raise ValueError("须为 true 或 false")
    return obj


def _month_day(obj: Any) -> str:
    if not isinstance(obj, str) or not re.fullmatch(r"[0-9]{2}-[0-9]{2}", obj):
        raise ValueError("须为 MM-DD 格式，如 05-31")
    month, day = int(obj[:2]), int(obj[3:])
    try:
        # 2023 is not a leap year: a deadline must exist in every year.
        date(2023, month, day)
    except ValueError:
        raise ValueError(f"{obj} 不是每年都存在的日期") from None
    return obj


def _spec(key: str, label: str, kind: str, description: str,
          from_json: Callable[[Any], Any], to_json: Callable[[Any], Any] | None = None) -> ParamSpec:
    if to_json is None:
        to_json = {"decimal": str, "str_list": list, "int_list": list}.get(kind, lambda v: v)
    return ParamSpec(key, label, kind, description, to_json, from_json)


_RATIO = _decimal(Decimal(0), Decimal(1))

PARAMETER_SPECS: dict[str, ParamSpec] = {s.key: s for s in (
    _spec("city_region_prefix", "黄石行政区划代码前缀", "str",
          "登记机关行政区划代码以此开头即视为在黄石注册登记", _region_prefix),
    _spec("accepted_qualifications", "认可的资格类型", "str_list",
          "第2条认可的资格（专精特新、小巨人、高新技术企业、知识产权优势/示范企业、运用试点）",
          _qualification_list),
    _spec("min_industrialization_rate", "专利产业化率下限", "decimal",
          "已产业化的有效专利 / 有效专利，不低于此比例", _RATIO),
    _spec("min_rd_ratio", "研发投入占营业收入比重下限", "decimal",
          "上年度研发投入 / 营业收入，不低于此比例（与金额条件为“或”）", _RATIO),
    _spec("min_rd_amount", "研发投入金额下限（万元）", "decimal",
          "上年度研发投入不低于此金额（与比重条件为“或”）", _decimal(Decimal(0))),
    _spec("min_rd_staff_ratio", "研发人员占比下限", "decimal",
          "研发人员 / 职工总数，不低于此比例（与产学研合作为“或”）", _RATIO),
    _spec("sme_size_table", "中小企业划型标准", "table",
          "《中小企业划型标准规定》各行业划型指标及行业代码对应关系",
          SizeTable.from_json, lambda table: table.to_json()),
    _spec("quota_multiplier", "增补名额倍数", "int",
          "各县(市、区)累计增补数不超过累计出库数的此倍数", _int(0)),
    _spec("graduation_min_months", "出库最短培育期（月）", "int",
          "入库满此月数后方可提出培育出库", _int(0)),
    _spec("graduation_growth", "出库增长幅度", "decimal",
          "专利密集型产品年销售额及利润均较入库年度增长不低于此比例", _decimal(Decimal(0))),
    _spec("progress_window_months", "实质性进展期限（月）", "int",
          "自入库或上次实质性进展起，此月数内无进展则提出退库", _int(1)),
    _spec("no_progress_warning_months", "无进展预警（月）", "int",
          "无实质性进展达此月数时提示预警", _int(1)),
    _spec("no_progress_high_months", "无进展高风险（月）", "int",
          "无实质性进展达此月数时提示高风险", _int(1)),
    _spec("qualification_expiring_days", "资格到期提醒（天）", "int",
          "第2条所依资格在此天数内到期时提示", _int(0)),
    _spec("annual_data_deadline", "年度数据报送截止日", "month_day",
          "上年度营业收入、研发投入、人员数据的报送截止日（MM-DD）", _month_day),
    _spec("annual_data_high_after_days", "年度数据逾期高风险（天）", "int",
          "截止日后逾期达此天数升为高风险", _int(0)),
    _spec("reminder_days_before_deadline", "年度数据提醒（截止前天数）", "int_list",
          "在截止日前这些天数向企业联系人发送提醒", _positive_int_list),
    _spec("reapply_after_expulsion_months", "退库后重新申报等待期（月）", "int",
          "退库企业自退库之日起满此月数、且在以后的申报年度，方可重新申报", _int(0)),
    _spec("exit_needs_city_approval", "出库、退库须经市级确认", "bool",
          "为 true 时，县（市、区）经办人确认的培育出库或退库成为申请，经市级管理员确认后才生效", _bool),
)}

_ANNEX = "黄石 附件2 "
DEFAULT_PARAMETERS: tuple[Parameter, ...] = tuple(
    Parameter(key, value, SEED_DATE, source, note) for key, value, source, note in (
        ("city_region_prefix", "4202", _ANNEX + "第1条", "黄石市行政区划代码以 4202 开头（SPEC §1）"),
        ("accepted_qualifications",
         ("specialized_sme", "little_giant", "high_tech", "ip_advantage", "ip_demonstration", "ip_pilot"),
         _ANNEX + "第2条", "科技型中小企业等其他资格不在原文所列之内"),
        ("min_industrialization_rate", Decimal("0.50"), _ANNEX + "第5条", "不低于50%"),
        ("min_rd_ratio", Decimal("0.10"), _ANNEX + "第6条", "不低于10%"),
        ("min_rd_amount", Decimal("500"), _ANNEX + "第6条", "或不低于500万元"),
        ("min_rd_staff_ratio", Decimal("0.20"), _ANNEX + "第7条", "不低于20%"),
        ("sme_size_table", DEFAULT_TABLE, _ANNEX + "第1条；工信部联企业〔2011〕300号",
         "行业对应按国家统计局《统计上大中小微型企业划分办法（2017）》"),
        ("quota_multiplier", 2, "黄石 二(六)2", "在培育出库企业数量的2倍以内增补"),
        ("graduation_min_months", 12, "黄石 二(六)2；SPEC §3 解释", "“经过一段时间重点培育”解释为12个月"),
        ("graduation_growth", Decimal("0.20"), "黄石 二(六)2；SPEC §3 解释", "“较大幅度增长”解释为20%"),
        ("progress_window_months", 24, "黄石 二(六)2", "2年内未取得专利产业化实质性进展"),
        ("no_progress_warning_months", 18, "SPEC §4 解释", ""),
        ("no_progress_high_months", 21, "SPEC §4 解释", ""),
        ("qualification_expiring_days", 90, "SPEC §4 解释", ""),
        ("annual_data_deadline", "05-31", "SPEC §4 解释", ""),
        ("annual_data_high_after_days", 30, "SPEC §4 解释", ""),
        ("reminder_days_before_deadline", (30, 14, 7), "SPEC §4 解释", ""),
        ("reapply_after_expulsion_months", 0, "黄石 二(六)2；原文未规定 [R]",
         "原文未规定退库企业能否及何时重新申报；默认不设等待期（0 个月），由市里另行规定"),
        ("exit_needs_city_approval", True, "黄石 二(六)2 责任单位（市市场监管局，各县市区政府）[R]",
         "本项目的解读：入库、出库由市、县共同负责，县（市、区）确认的出库、退库经市级确认后生效"),
    )
)


class Snapshot(Mapping[str, Any]):
    """The parameter values in force on one date.

    ``snapshot[key]`` is the value; a key with no value in force (or unknown)
    raises ``KeyError`` naming the key.
    """

    def __init__(self, as_of: date, parameters: Mapping[str, Parameter]):
        self.as_of = as_of
        self._parameters = dict(parameters)
        # Rules read values once per enterprise (100,000 in a daily scan).
        self._values = {key: parameter.value for key, parameter in self._parameters.items()}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            return self.parameter(key).value  # raises, naming the key

    def parameter(self, key: str) -> Parameter:
        """The :class:`Parameter` in force for ``key``.

        :raise KeyError: if there is none on ``as_of``.
        """
        try:
            return self._parameters[key]
        except KeyError:
            spec = PARAMETER_SPECS.get(key)
            if spec is None:
                raise KeyError(f"未知参数 {key}") from None
            raise KeyError(f"参数 {key}（{spec.label}）在 {self.as_of.isoformat()} 没有生效的取值") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def used(self, keys: Iterable[str] | None = None) -> list[dict]:
        """Record of the values a verdict used: ``[{"key", "value" (JSON form),
        "valid_from" (ISO), "source"}]`` for ``keys`` (default: all in force).

        :raise KeyError: if a key has no value in force.
        """
        keys = sorted(self._parameters) if keys is None else list(keys)
        out = []
        for key in keys:
            parameter = self.parameter(key)
            out.append({
                "key": key,
                "value": PARAMETER_SPECS[key].to_json(parameter.value),
                "valid_from": parameter.valid_from.isoformat(),
                "source": parameter.source,
            })
        return out

    def __repr__(self) -> str:
        return f"Snapshot(as_of={self.as_of.isoformat()}, keys={len(self._parameters)})"


class Policy:
    """All dated values of all parameters; several values per key are allowed.

    Values are validated on construction (``ValueError`` naming the key).  Two
    values of one key with the same ``valid_from``: the later one in
    ``parameters`` wins (a correction).
    """

    def __init__(self, parameters: Iterable[Parameter] = DEFAULT_PARAMETERS):
        by_key: dict[str, dict[date, Parameter]] = {}
        for parameter in parameters:
            checked = _checked(parameter)
            by_key.setdefault(checked.key, {})[checked.valid_from] = checked
        self._history = {key: sorted(values.values(), key=lambda p: p.valid_from)
                         for key, values in by_key.items()}
        self._snapshots: dict[date, Snapshot] = {}

    def in_force(self, as_of: date) -> Snapshot:
        """Values in force on ``as_of`` (a ``date``, not a ``datetime``)."""
        if type(as_of) is not date:
            raise TypeError("as_of 须为 datetime.date")
        snapshot = self._snapshots.get(as_of)
        if snapshot is None:
            chosen = {}
            for key, history in self._history.items():
                current = [p for p in history if p.valid_from <= as_of]
                if current:
                    chosen[key] = current[-1]
            snapshot = self._snapshots[as_of] = Snapshot(as_of, chosen)
        return snapshot

    def history(self, key: str) -> list[Parameter]:
        """Every dated value of ``key``, oldest first."""
        return list(self._history.get(key, ()))

    @property
    def parameters(self) -> list[Parameter]:
        """All values, grouped by key, oldest first."""
        return [p for key in sorted(self._history) for p in self._history[key]]


def _checked(parameter: Parameter) -> Parameter:
    spec = PARAMETER_SPECS.get(parameter.key)
    if spec is None:
        raise ValueError(f"未知参数 {parameter.key}")
    if type(parameter.valid_from) is not date:
        raise ValueError(f"参数 {parameter.key} 的生效日期须为 date")
    if not parameter.source:
        raise ValueError(f"参数 {parameter.key} 须注明依据条款（source）")
    try:
        value = spec.from_json(parameter.value)
    except ValueError as exc:
        raise ValueError(f"参数 {parameter.key}（{spec.label}）取值无效：{exc}") from None
    return replace(parameter, value=value)


def parameter_to_json(parameter: Parameter) -> dict:
    """A parameter as a JSON object (for storage or an API)."""
    return {
        "key": parameter.key,
        "value": PARAMETER_SPECS[parameter.key].to_json(parameter.value),
        "valid_from": parameter.valid_from.isoformat(),
        "source": parameter.source,
        "note": parameter.note,
        "recorded_by": parameter.recorded_by,
    }


def parameter_from_json(obj: Mapping) -> Parameter:
    """Inverse of :func:`parameter_to_json`, validating the value.

    :raise ValueError: (Chinese message) on an unknown key, bad date or value.
    """
    try:
        key, value, valid_from, source = obj["key"], obj["value"], obj["valid_from"], obj["source"]
    except KeyError as exc:
        raise ValueError(f"参数记录缺少字段 {exc.args[0]}") from None
    try:
        day = date.fromisoformat(valid_from)
    except (TypeError, ValueError):
        raise ValueError(f"生效日期 {valid_from!r} 须为 YYYY-MM-DD") from None
    return _checked(Parameter(key, value, day, source, obj.get("note", ""),
                              obj.get("recorded_by", "系统默认")))
