"""The rules in force: shipped defaults plus the city administrator's dated additions.

``pool.eligibility.policy`` and ``pool.reference.industries`` hold the defaults as data; the tables
``policy_value``, ``industry_correction`` and ``reference_table_version`` (whole
official tables imported by :mod:`pool.io.reference_import`) hold what the
administrator added.
Both are histories: a new value takes effect from its date and never edits an
earlier one, so a verdict computed on any date can be recomputed as it was.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import IndustryCorrection, PolicyValue, ReferenceTableVersion

from pool.kernel import text
from pool.reference.gbt4754 import split_code
from pool.reference.industries import DEFAULT_VERSION, GROUPS, IndustryEntry, IndustryTable, parse_rows
from pool.eligibility.policy import DEFAULT_PARAMETERS, PARAMETER_SPECS, Parameter, Policy


class RuleChangeRefused(ValueError):
    """A policy value or industry correction that cannot be recorded; ``field`` names the input."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Rulebook:
    """Everything an evaluation needs besides the applicant."""

    policy: Policy
    industries: IndustryTable


class NoPolicyInForce(ValueError):
    """No complete set of policy values is in force on the date asked for."""


def complete_snapshot(policy: Policy, as_of: date):
    """The values in force on ``as_of``, all of them.

    ``Policy.in_force`` returns what exists on a date; before the first values
    (the seed's 2024-09-30) that is nothing, and an evaluation would fail deep
    inside with a ``KeyError``.  Callers ask here and get a clear refusal.

    :raise NoPolicyInForce: naming the date and the first date with values.
    """
    snapshot = policy.in_force(as_of)
    missing = [key for key in PARAMETER_SPECS if key not in snapshot]
    if missing:
        first = min((p.valid_from for p in policy.parameters), default=None)
        since = f"（最早的参数自 {first.isoformat()} 起生效）" if first else ""
        raise NoPolicyInForce(f"{as_of.isoformat()} 没有生效的政策参数{since}：缺少 {'、'.join(missing)}")
    return snapshot


def policy_on(session, on: date):
    """The complete policy snapshot in force on ``on`` (reads the policy only).

    :raise NoPolicyInForce: see :func:`complete_snapshot`.
    """
    return complete_snapshot(load_policy(session), on)


def load(session) -> Rulebook:
    """The defaults with every stored addition layered on, oldest first."""
    return Rulebook(policy=load_policy(session), industries=load_industries(session))


def load_policy(session) -> Policy:
    """Defaults, then the administrator's values, then imported official SME
    size tables (each a dated value of ``sme_size_table``)."""
    rows = session.scalars(select(PolicyValue).order_by(PolicyValue.valid_from, PolicyValue.id))
    added = [Parameter(key=r.key, value=r.value, valid_from=r.valid_from, source=r.source,
                       note=r.note or "", recorded_by=_who(r))
             for r in rows]
    added += [Parameter(key="sme_size_table", value=r.content, valid_from=r.valid_from, source=r.source,
                        note=r.note or "官方划型标准导入", recorded_by=_who(r))
              for r in _imported(session, "sme_size")]
    return Policy(DEFAULT_PARAMETERS + tuple(added))


def load_industries(session) -> IndustryTable:
    """The shipped classification, imported versions and dated corrections."""
    rows = session.scalars(select(IndustryCorrection)
                           .order_by(IndustryCorrection.valid_from, IndustryCorrection.id))
    corrections = [IndustryEntry(code=r.code, group=r.group, name=r.name, source=r.source,
                                 valid_from=r.valid_from, recorded_by=_who(r), included=r.included)
                   for r in rows]
    versions = [parse_rows(r.content["rows"], valid_from=r.valid_from, source=r.source, recorded_by=_who(r))
                for r in _imported(session, "patent_intensive")]
    return IndustryTable(corrections, versions=[DEFAULT_VERSION, *versions])


def _imported(session, kind: str):
    return session.scalars(select(ReferenceTableVersion).where(ReferenceTableVersion.kind == kind)
                           .order_by(ReferenceTableVersion.valid_from, ReferenceTableVersion.id))


def load_industries_defaults() -> IndustryTable:
    return IndustryTable(versions=[DEFAULT_VERSION])


def _who(row) -> str:
    return row.recorded_by.display_name if row.recorded_by else "系统"


def add_policy_value(session, *, key: str, value, valid_from: date, source: str, note: str,
                     actor, today: date) -> PolicyValue:
    """Record a new dated value of ``key`` (in force from ``valid_from``).

    Back-dating is refused: a value taking effect before ``today`` would change
    verdicts that were already given on the old value.

    :raise RuleChangeRefused: on an unknown key, a bad value, a missing source
        or a date before ``today``.
    """
    spec, parsed = checked_value(key, value)
    if valid_from < today:
        raise RuleChangeRefused(
            f"生效日期 {valid_from.isoformat()} 早于今天 {today.isoformat()}：不能追溯修改已生效的参数",
            "valid_from")
    if not (source or "").strip():
        raise RuleChangeRefused("请注明依据（文件名称及条款）", "source")
    _refuse_unclean(source=("依据", source), note=("说明", note))
    row = PolicyValue(key=key, value=spec.to_json(parsed), valid_from=valid_from,
                      source=source.strip(), note=(note or "").strip(), recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    return row


def checked_value(key: str, value):
    """``(spec, the value parsed)`` of a new value of policy parameter ``key``.

    :raise RuleChangeRefused: an unknown key, or a value the parameter does not take.
    """
    spec = PARAMETER_SPECS.get(key)
    if spec is None:
        raise RuleChangeRefused(f"未知参数 {key}", "key")
    try:
        return spec, spec.from_json(value)
    except ValueError as exc:
        raise RuleChangeRefused(f"{spec.label}取值无效：{exc}", "value") from None


def with_value(rulebook: Rulebook, key: str, value, on: date) -> Rulebook:
    """``rulebook`` with ``value`` of ``key`` in force from ``on`` — a draft judged before it is
    saved (:mod:`pool.monitoring.policy_preview`); nothing is stored.

    :raise RuleChangeRefused: as :func:`checked_value`.
    """
    _spec, parsed = checked_value(key, value)
    draft = Parameter(key=key, value=parsed, valid_from=on, source="预览：拟新增的取值")
    return Rulebook(Policy([*rulebook.policy.parameters, draft]), rulebook.industries)


def add_industry_correction(session, *, code: str, group: str, name: str, included: bool,
                            source: str, valid_from: date, actor, today: date) -> IndustryCorrection:
    """Add or correct one class of the patent-intensive table, dated and attributed.

    :raise RuleChangeRefused: on a bad code or group, a missing source or back-dating.
    """
    try:
        _, digits = split_code((code or "").strip().upper())
    except ValueError as exc:
        raise RuleChangeRefused(str(exc), "code") from None
    if group not in GROUPS:
        raise RuleChangeRefused(f"分组须为七大类之一：{'、'.join(GROUPS)}", "group")
    if valid_from < today:
        raise RuleChangeRefused(
            f"生效日期 {valid_from.isoformat()} 早于今天 {today.isoformat()}：不能追溯修改", "valid_from")
    if not (source or "").strip():
        raise RuleChangeRefused("请注明依据（文件名称及条款）", "source")
    _refuse_unclean(source=("依据", source), name=("小类名称", name))
    row = IndustryCorrection(code=digits, group=group, name=(name or "").strip(),
                             included=included, source=source.strip(), valid_from=valid_from,
                             recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    return row


def _refuse_unclean(**texts: tuple[str, str | None]) -> None:
    """:raise RuleChangeRefused: a text (``field=(label, value)``) holds a
    control or format character (:mod:`pool.kernel.text`)."""
    for field, (label, value) in texts.items():
        message = text.refusal(label, value)
        if message is not None:
            raise RuleChangeRefused(message, field)


def industry_corrections(session) -> list[IndustryCorrection]:
    """The administrator's corrections, newest first (for the audit view)."""
    return list(session.scalars(select(IndustryCorrection)
                                .order_by(IndustryCorrection.recorded_at.desc(), IndustryCorrection.id.desc())))
