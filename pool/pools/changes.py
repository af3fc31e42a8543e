"""The city administrator's changes to the pools, replayed over the shipped definitions.

A change is a plain mapping (stored append-only as :class:`models.PoolChange`), one of:

* ``create`` — a new pool from a shipped template: ``code``, ``name``, ``template``
  (e.g. Huangshi's own 高新技术企业备选库 from Xuchang's), and optionally ``programme``:
  its own ``document``, ``city``, ``issuer_region``, ``valid_from``, ``valid_to``;
* ``criteria`` — a new version of a configured pool's criteria set: ``version``
  (``valid_from``, ``source``, ``note``, ``criteria``, as in a pool file);
* ``parameter`` — a new dated value of one of a configured pool's declared parameters:
  ``key``, ``valid_from``, ``value``, ``source``;
* ``retire`` — the pool takes no new applications from ``valid_from``; ``source`` says why.

A version or a value applies from its own date only and must be dated after the
latest one there is, so nothing already decided is judged by other rules.
:func:`assemble` replays the changes in order over the shipped files and parses
every pool as a file is parsed; :func:`refusals` says why one more change may not
be applied (Chinese, naming what is wrong), writing nothing.  Pure.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import date
from typing import Any, Iterable, Mapping

from pool.kernel.wording import phrase
from pool.pools.definition import POLICY_PARAMETERS, Pool, PoolDefinitionError, parse_all, shipped

CREATE, CRITERIA, PARAMETER, RETIRE = "create", "criteria", "parameter", "retire"
KINDS = (CREATE, CRITERIA, PARAMETER, RETIRE)
PROGRAMME = ("document", "city", "issuer_region", "valid_from", "valid_to")
CODE = re.compile(r"^[a-z][a-z0-9-]{2,62}$")

_BAD_CODE = phrase("培育库代码须为 3—63 个小写字母、数字或连字符，以字母开头：{code}")
_TAKEN = phrase("培育库代码 {code} 已被使用")
_NO_TEMPLATE = phrase("没有模板 {code}（可用：{codes}）")
_NO_POOL = phrase("没有培育库 {code}")
_NO_NAME = phrase("请填写培育库名称")
_CODE_BACKED = phrase("{name!s}的标准由代码实现、参数在「政策参数」页维护，不在此修改")
_NOT_AFTER = phrase("生效日期 {day} 须晚于已有的最后一个生效日期 {last}")
_UNDECLARED = phrase("{name!s}没有参数 {key}（已声明：{keys}）")
_RETIRED = phrase("{name!s}已于 {day} 停用")
_NO_SOURCE = phrase("请写明依据（文件、会议纪要或理由）")


def _raws() -> dict[str, dict]:
    return {code: json.loads(text) for code, text in shipped().items()}


def day_of(value: Any) -> date:
    """A change's date: a ``date``, or its ISO text as stored."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _apply(raws: dict[str, dict], state: dict[str, dict], change: Mapping[str, Any]) -> list[str]:
    """Apply ``change`` to ``raws`` (and the pools' ``state``: template, retired) in place; its problems."""
    kind, code = change["kind"], change["code"]
    if kind == CREATE:
        if not CODE.fullmatch(code or ""):
            return [_BAD_CODE.format(code=code)]
        if code in raws:
            return [_TAKEN.format(code=code)]
        if change.get("template") not in raws or state.get(change.get("template"), {}).get("template"):
            return [_NO_TEMPLATE.format(code=change.get("template"), codes="、".join(shipped()))]
        if not str(change.get("name") or "").strip():
            return [_NO_NAME]
        raw = copy.deepcopy(raws[change["template"]])
        raw["code"], raw["name"] = code, change["name"].strip()
        raw["programme"].update({k: v for k, v in (change.get("programme") or {}).items() if k in PROGRAMME and v})
        raws[code], state[code] = raw, {"template": change["template"]}
        return []
    if code not in raws:
        return [_NO_POOL.format(code=code)]
    raw, name = raws[code], raws[code]["name"]
    if state.get(code, {}).get("retired"):
        return [_RETIRED.format(name=name, day=state[code]["retired"][0])]
    if not str(change.get("source") or "").strip():
        return [_NO_SOURCE]
    if kind == RETIRE:
        state.setdefault(code, {})["retired"] = (day_of(change["valid_from"]), change["source"])
        return []
    if raw["criteria_set"].get("backed_by") == "code" or raw.get("parameters") == POLICY_PARAMETERS:
        return [_CODE_BACKED.format(name=name)]
    if kind == CRITERIA:
        version = dict(change["version"])
        versions = raw["criteria_set"]["versions"]
        last = max(day_of(v["valid_from"]) for v in versions)
        if day_of(version["valid_from"]) <= last:
            return [_NOT_AFTER.format(day=version["valid_from"], last=last)]
        versions.append(version)
        return []
    key = change["key"]
    if key not in raw["parameters"]:
        return [_UNDECLARED.format(name=name, key=key, keys="、".join(raw["parameters"]) or "—")]
    last = max(day_of(v["valid_from"]) for v in raw["parameters"][key])
    if day_of(change["valid_from"]) <= last:
        return [_NOT_AFTER.format(day=change["valid_from"], last=last)]
    raw["parameters"][key].append({"valid_from": str(change["valid_from"]), "value": change["value"],
                                   "source": change["source"]})
    return []


def _replay(changes: Iterable[Mapping[str, Any]]) -> tuple[dict[str, dict], dict[str, dict]]:
    raws, state = _raws(), {}
    for change in changes:
        _apply(raws, state, change)  # stored changes were checked when saved; one that no longer applies is skipped
    return raws, state


def _pools(raws: dict[str, dict], state: dict[str, dict]) -> dict[str, Pool]:
    pools = parse_all(raws)
    return {code: replace(pool, template=state.get(code, {}).get("template"),
                          retired=state.get(code, {}).get("retired")) for code, pool in pools.items()}


def assemble(changes: Iterable[Mapping[str, Any]]) -> dict[str, Pool]:
    """The pools: the shipped files with ``changes`` (oldest first) applied."""
    return _pools(*_replay(changes))


def refusals(changes: Iterable[Mapping[str, Any]], change: Mapping[str, Any]) -> list[str]:
    """Why ``change`` may not follow ``changes`` (empty: it may), checking the result as a pool file."""
    if change.get("kind") not in KINDS:
        return [f"kind: {change.get('kind')}"]
    raws, state = _replay(changes)
    problems = _apply(raws, state, change)
    if problems:
        return problems
    try:
        _pools(raws, state)
    except PoolDefinitionError as exc:
        return exc.problems
    return []
