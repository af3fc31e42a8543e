"""Pool definitions as data (``pool/data/pools/<code>.json``), checked when loaded.

A pool file holds:

* ``code``, ``name``;
* ``programme``: the policy document (``document``, ``city``, ``issuer_region``,
  ``issued``, ``seed``), the clauses it rests on (``clauses``: what → clause) and
  its validity window (``valid_from``, ``valid_to``);
* ``criteria_set``: ``code`` and dated ``versions``.  A **code-backed** set
  (``"backed_by": "code"``: Huangshi's ten criteria of :mod:`pool.eligibility`)
  lists its versions' dates and sources only; a **configured** set gives each
  version's ``criteria`` (``id``, ``title``, ``clause``, ``excerpt``, ``rule``:
  a tree of :mod:`pool.pools.evaluators` nodes).  On a date the version in
  force is the latest dated on or before it, so a change applies from its date;
* ``lifecycle``: ``graduation`` (``rules``: ``"code"`` for SPEC §3's, and
  ``exit_on_qualification``: qualification types whose certification ends the
  membership as graduated), ``replenishment_quota_multiplier`` and
  ``progress_window_months`` (a number, ``{"param": KEY}`` or ``null`` for
  none; a multiplier needs ``intake_rounds``, and a parameter it names positive
  integers), ``intake_rounds`` (true/false), each with its ``clauses``; optionally
  ``follows``: the pool whose graduates are proposed for this one (the ladder,
  e.g. 接续培育 after 样板企业培育库 — proposed, never automatic);
* ``parameters``: ``"pool.eligibility.policy"`` (the dated values of the
  eligibility policy and the administrator's additions), or key → list of
  dated values ``{"valid_from", "value", "source"}`` citing their clause;
* ``facts``: the supplementary facts the criteria read (``name``, ``kind``,
  ``label``) and ``tables``: the tables the criteria need that are not shipped
  (``key``, ``name``, ``kind``, ``reason``).

:func:`load` reads and checks every file once; :class:`PoolDefinitionError`
lists every problem as ``file: path: message``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from models.monitoring import FIRST_POOL

from pool.eligibility.contract import QUALIFICATION_TYPES
from pool.eligibility.policy import PARAMETER_SPECS
from pool.kernel.wording import phrase
from pool.pools.fields import declared_facts
from pool.pools.evaluators import resolved
from pool.pools.rules import check_node
from pool.pools.tables import Table, declared_tables

DATA = Path(__file__).resolve().parents[1] / "data" / "pools"
CODE_BACKED, CONFIGURED = "code", "configuration"
POLICY_PARAMETERS = "pool.eligibility.policy"
DEFAULT_POOL = FIRST_POOL

_REQUIRED = phrase("缺少 {key}")
_BAD_DATE = phrase("{value} 不是 YYYY-MM-DD 日期")
_WINDOW = phrase("适用期起 {start} 晚于适用期止 {end}")
_VERSION_ORDER = phrase("版本须按生效日期先后排列且日期不重复：{day}")
_DUPLICATE_ID = phrase("标准编号 {id} 重复")
_BAD_ID = phrase("标准编号须为正整数：{id}")
_BAD_LIFECYCLE = phrase("{key} 须为正整数、参数引用或 null")
_NO_VERSION = phrase("标准集 {code} 在 {day} 没有生效的版本（最早 {first} 起生效）")
UNKNOWN_POOL = phrase("未找到培育库 {code}（可用：{codes}）")
_NOT_A_BOOL = phrase("{key} 须为 true 或 false")
_CODE_MISMATCH = phrase("code {code} 与文件名不一致")
_BACKED_BY = phrase("标准集的实现方式 {value} 无效（code 或 configuration）")
_PARAM_LATE = phrase("参数 {key} 自 {day} 起才有取值，早于标准集首个版本的生效日期 {first} 时无从评估")
_UNKNOWN_REFERENCE = phrase("引用了不存在的培育库 {code}（可用：{codes}）")
_DATED_VALUES = phrase("参数 {key} 须为带日期取值的非空列表（valid_from、value、source）")
_QUOTA_WITHOUT_ROUNDS = phrase("设有增补名额的培育库须设入库批次（intake_rounds: true）：名额按累计出库数计算，"
                               "没有入库批次，首批企业出库之前任何企业都无法入库")
_NOT_A_COUNT = phrase("参数 {key} 被 {setting} 引用，其每个取值须为正整数：{value}")


class PoolDefinitionError(ValueError):
    """A pool file (or a draft version) breaks the format; ``problems`` lists each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NoCriteriaInForce(LookupError):
    """No version of the criteria set is in force on the date asked for."""


@dataclass(frozen=True)
class ConfiguredCriterion:
    id: int
    title: str
    clause: str
    excerpt: str
    rule: Mapping[str, Any]


@dataclass(frozen=True)
class CriteriaVersion:
    valid_from: date
    source: str
    note: str = ""
    criteria: tuple[ConfiguredCriterion, ...] = ()  # empty for a code-backed set


@dataclass(frozen=True)
class CriteriaSet:
    code: str
    backed_by: str  # "code" | "configuration"
    versions: tuple[CriteriaVersion, ...]

    def in_force(self, as_of: date) -> CriteriaVersion:
        """The latest version dated on or before ``as_of``.

        :raise NoCriteriaInForce: before the first version.
        """
        current = None
        for version in self.versions:
            if version.valid_from <= as_of:
                current = version
        if current is None:
            raise NoCriteriaInForce(_NO_VERSION.format(code=self.code, day=as_of.isoformat(),
                                                       first=self.versions[0].valid_from.isoformat()))
        return current


@dataclass(frozen=True)
class Pool:
    code: str
    name: str
    programme: Mapping[str, Any]
    criteria_set: CriteriaSet
    lifecycle: Mapping[str, Any]
    parameters: Any  # POLICY_PARAMETERS, or key -> tuple of (valid_from, value, source)
    facts: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # name -> (kind, label)
    tables: Mapping[str, Table] = field(default_factory=dict)
    # Set by the administrator's changes (pool.pools.changes): the shipped pool it was made from,
    # and (day, reason) once retired — its history stays, nothing new enters.
    template: str | None = None
    retired: tuple[date, str] | None = None

    @property
    def code_backed(self) -> bool:
        return self.criteria_set.backed_by == CODE_BACKED

    @property
    def fact_labels(self) -> dict[str, str]:
        """Each supplementary fact's label, by name."""
        return {name: label for name, (_kind, label) in self.facts.items()}

    def params_in_force(self, as_of: date) -> dict[str, Any]:
        """The pool's own parameter values in force on ``as_of`` (none for a code-backed pool)."""
        if self.parameters == POLICY_PARAMETERS:
            return {}
        return {key: max(((d, v) for d, v, _s in values if d <= as_of), key=lambda dv: dv[0],
                         default=(None, None))[1]
                for key, values in self.parameters.items()}

    def setting(self, key: str, as_of: date) -> Any:
        """The lifecycle's ``key`` (``replenishment_quota_multiplier``, ``progress_window_months``) on
        ``as_of``: its number, the value in force then of the pool parameter it names (``{"param": KEY}``),
        or None.  A configured pool's only: a code-backed pool's parameters are the eligibility policy's
        (:func:`pool.eligibility.rulebook.policy_on`)."""
        if self.code_backed:
            raise LookupError(f"{self.code}: the eligibility policy holds its settings")
        return resolved(self.lifecycle.get(key), self.params_in_force(as_of))

    def parse_version(self, raw: Any) -> CriteriaVersion:
        """A draft criteria-set version (same shape as in the file), checked against this pool.

        :raise PoolDefinitionError: naming every problem.
        """
        problems: list[str] = []
        version = _version(raw, "draft", problems, self._checking())
        if problems:
            raise PoolDefinitionError(problems)
        return version

    def _checking(self) -> dict:
        return {"facts": {n: k for n, (k, _l) in self.facts.items()}, "tables": self.tables,
                "params": _sample_params(self.parameters)}


def _sample_params(parameters: Any) -> dict[str, Any]:
    if parameters == POLICY_PARAMETERS:
        return {}
    return {key: values[-1][1] for key, values in parameters.items() if values}


def _day(raw: Any, where: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        problems.append(f"{where}: " + _BAD_DATE.format(value=raw))
        return None


def _need(obj: Mapping, key: str, where: str, problems: list[str]) -> Any:
    if not isinstance(obj, Mapping) or key not in obj:
        problems.append(f"{where}: " + _REQUIRED.format(key=key))
        return None
    return obj[key]


def _version(raw: Any, where: str, problems: list[str], checking: dict | None) -> CriteriaVersion | None:
    day = _day(_need(raw, "valid_from", where, problems), f"{where}.valid_from", problems)
    source = _need(raw, "source", where, problems)
    if checking is None:  # code-backed: the criteria are pool.eligibility's
        return CriteriaVersion(day, source or "", raw.get("note", "") if isinstance(raw, Mapping) else "")
    criteria, seen = [], set()
    for i, item in enumerate(_need(raw, "criteria", where, problems) or ()):
        at = f"{where}.criteria[{i}]"
        number = _need(item, "id", at, problems)
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            problems.append(f"{at}.id: " + _BAD_ID.format(id=number))
        elif number in seen:
            problems.append(f"{at}.id: " + _DUPLICATE_ID.format(id=number))
        seen.add(number)
        title, clause = _need(item, "title", at, problems), _need(item, "clause", at, problems)
        rule = _need(item, "rule", at, problems)
        if rule is not None:
            problems += check_node(rule, f"{at}.rule", **checking)
        if isinstance(item, Mapping):
            criteria.append(ConfiguredCriterion(number, title or "", clause or "", item.get("excerpt", ""), rule))
    return CriteriaVersion(day, source or "", raw.get("note", "") if isinstance(raw, Mapping) else "",
                           tuple(criteria))


def _lifecycle(raw: Any, parameters: Any, code_backed: bool, problems: list[str]) -> dict:
    """The lifecycle settings checked: a number, ``{"param": KEY}`` naming a declared parameter (a
    configured pool's: each dated value a positive integer) or null; a quota needs intake rounds."""
    where = "lifecycle"
    graduation = _need(raw, "graduation", where, problems) or {}
    for t in graduation.get("exit_on_qualification") or ():
        if t not in QUALIFICATION_TYPES:
            problems.append(f"{where}.graduation.exit_on_qualification: {t}")
    own = {} if code_backed or not isinstance(parameters, Mapping) else parameters
    for key in ("replenishment_quota_multiplier", "progress_window_months"):
        value = _need(raw, key, where, problems)
        known = PARAMETER_SPECS if code_backed else own
        ok = value is None or _count(value) or (isinstance(value, Mapping) and value.get("param") in known)
        if not ok:
            problems.append(f"{where}.{key}: " + _BAD_LIFECYCLE.format(key=key))
        elif isinstance(value, Mapping) and not code_backed:
            problems += [f"parameters.{value['param']}: " + _NOT_A_COUNT.format(key=value["param"], setting=key,
                                                                               value=v)
                         for _d, v, _s in own[value["param"]] if not _count(v)]
    follows = raw.get("follows") if isinstance(raw, Mapping) else None
    if follows is not None and (not isinstance(follows, str) or not follows.strip()):
        problems.append(f"{where}.follows: " + _REQUIRED.format(key="follows"))
    rounds = _need(raw, "intake_rounds", where, problems)
    if not isinstance(rounds, bool):
        problems.append(f"{where}.intake_rounds: " + _NOT_A_BOOL.format(key="intake_rounds"))
    elif not rounds and isinstance(raw, Mapping) and raw.get("replenishment_quota_multiplier") is not None:
        problems.append(f"{where}.replenishment_quota_multiplier: " + _QUOTA_WITHOUT_ROUNDS)
    return dict(raw) if isinstance(raw, Mapping) else {}


def _count(value: Any) -> bool:
    """A positive integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _parameters(raw: Any, problems: list[str]) -> Any:
    """``POLICY_PARAMETERS``, or key → tuple of ``(valid_from, value, source)``."""
    if raw == POLICY_PARAMETERS:
        return raw
    if not isinstance(raw, Mapping):
        problems.append("parameters: " + _DATED_VALUES.format(key="parameters"))
        return {}
    parsed = {}
    for key, values in raw.items():
        if not isinstance(values, list) or not values:
            problems.append(f"parameters.{key}: " + _DATED_VALUES.format(key=key))
            continue
        where = [f"parameters.{key}[{i}]" for i in range(len(values))]
        parsed[key] = tuple((_day(_need(v, "valid_from", at, problems), f"{at}.valid_from", problems),
                             _need(v, "value", at, problems), _need(v, "source", at, problems))
                            for v, at in zip(values, where))
    return parsed


def parse_pool(raw: Any, name: str = "") -> Pool:
    """Check and build one pool definition.

    :raise PoolDefinitionError: naming every problem (prefixed with ``name``).
    """
    problems: list[str] = []
    code = _need(raw, "code", "(root)", problems)
    if name and code and code != name:
        problems.append("code: " + _CODE_MISMATCH.format(code=code))
    programme = _need(raw, "programme", "(root)", problems) or {}
    for key in ("document", "city", "issuer_region", "issued", "clauses", "valid_from", "valid_to"):
        _need(programme, key, "programme", problems)
    start = _day(programme.get("valid_from"), "programme.valid_from", problems)
    end = _day(programme.get("valid_to"), "programme.valid_to", problems)
    if start and end and start > end:
        problems.append("programme: " + _WINDOW.format(start=start, end=end))
    parameters = _parameters(_need(raw, "parameters", "(root)", problems), problems)
    facts = declared_facts(raw.get("facts", ()) if isinstance(raw, Mapping) else (), problems)
    tables = declared_tables(raw.get("tables", ()) if isinstance(raw, Mapping) else (), problems)
    raw_set = _need(raw, "criteria_set", "(root)", problems) or {}
    backed_by = raw_set.get("backed_by", CONFIGURED)
    if backed_by not in (CODE_BACKED, CONFIGURED):
        problems.append("criteria_set.backed_by: " + _BACKED_BY.format(value=backed_by))
    pool = Pool(code or "", _need(raw, "name", "(root)", problems) or "", programme, None, {},
                parameters, facts, tables)
    checking = None if backed_by == CODE_BACKED else pool._checking()
    versions = [_version(v, f"criteria_set.versions[{i}]", problems, checking)
                for i, v in enumerate(_need(raw_set, "versions", "criteria_set", problems) or ())]
    if not versions:
        problems.append("criteria_set.versions: " + _REQUIRED.format(key="versions"))
    days = [v.valid_from for v in versions if v and v.valid_from]
    for earlier, later in zip(days, days[1:]):
        if later <= earlier:
            problems.append("criteria_set.versions: " + _VERSION_ORDER.format(day=later))
    first_version = min(days, default=None)
    for key, values in (parameters.items() if isinstance(parameters, Mapping) else ()):
        earliest = min((d for d, _v, _s in values if d), default=None)
        if first_version and earliest and earliest > first_version:
            problems.append(f"parameters.{key}: " + _PARAM_LATE.format(key=key, day=earliest, first=first_version))
    lifecycle = _lifecycle(_need(raw, "lifecycle", "(root)", problems), parameters, backed_by == CODE_BACKED,
                           problems)
    if problems:
        raise PoolDefinitionError([f"{name or code}: {p}" for p in problems])
    criteria_set = CriteriaSet(raw_set.get("code", code), backed_by, tuple(versions))
    return Pool(pool.code, pool.name, programme, criteria_set, lifecycle, parameters, facts, tables)


@lru_cache(maxsize=1)
def shipped() -> dict[str, str]:
    """The text of every pool file of ``pool/data/pools/``, by code (the templates of new pools)."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(DATA.glob("*.json"))}


def parse_all(raws: Mapping[str, Any]) -> dict[str, Pool]:
    """Every raw definition parsed and checked, and the pools they name checked to exist.

    :raise PoolDefinitionError: listing every problem of every definition.
    """
    pools, problems = {}, []
    for code, raw in raws.items():
        try:
            pools[code] = parse_pool(raw, code)
        except PoolDefinitionError as exc:
            problems += exc.problems
    problems += [] if problems else _references(pools)
    if problems:
        raise PoolDefinitionError(problems)
    return pools


@lru_cache(maxsize=1)
def load() -> dict[str, Pool]:
    """Every shipped pool, by code, checked once (with the administrator's changes: :mod:`pool.pools.changes`).

    :raise PoolDefinitionError: listing every problem of every file.
    """
    return parse_all({code: json.loads(text) for code, text in shipped().items()})


def _references(pools: Mapping[str, Pool]) -> list[str]:
    """Every pool another one names (``lifecycle.follows``, a ``member_of`` node) exists."""
    problems, codes = [], "、".join(pools)

    def nodes(node):
        if isinstance(node, Mapping):
            yield node
            for child in node.get("all", node.get("any", ())):
                yield from nodes(child)
    for code, pool in pools.items():
        named = [("lifecycle.follows", pool.lifecycle.get("follows"))] + [
            (f"criteria_set.versions[{i}].criteria[{j}].rule", node["pool"])
            for i, version in enumerate(pool.criteria_set.versions)
            for j, criterion in enumerate(version.criteria)
            for node in nodes(criterion.rule) if node.get("evaluator") == "member_of"]
        problems += [f"{code}: {where}: " + _UNKNOWN_REFERENCE.format(code=other, codes=codes)
                     for where, other in named if other is not None and other not in pools]
    return problems


def follows(code: str, pools: Mapping[str, Pool] | None = None) -> list[Pool]:
    """The pools (default: the shipped ones) whose ``lifecycle.follows`` is ``code``: where its graduates
    may go next."""
    return [p for p in (pools or load()).values() if p.lifecycle.get("follows") == code]


def get(code: str | None = None) -> Pool:
    """The pool ``code`` (default: Huangshi's).

    :raise KeyError: naming the codes there are.
    """
    pools = load()
    code = code or DEFAULT_POOL
    if code not in pools:
        raise KeyError(UNKNOWN_POOL.format(code=code, codes="、".join(pools)))
    return pools[code]
