"""The demo pool's history: rounds and each enterprise's events, relative to ``as_of``.

What a city two years into its pool would hold, as rows of the go-live
workbook's 入库批次 and 历史事件 sheets (:mod:`pool.io.golive`): three intake
rounds (opened 26, 19 and 7 months before ``as_of``); admissions in them, each
citing the round's decision (依据文件 — the import keeps it where the record
did not make the enterprise eligible that day); rejections; substantive
progress; graduations by rule a (a product certified patent-intensive after
admission, at least 12 months in the pool); replenishments outside any round,
each in a county after one of its graduations; integrity incidents followed by
expulsions, one expulsion after two years without progress, one incident not
yet acted on; and members left to the next scan (no progress for 18, 21 or
24 months, a product certified since admission, a certificate running out,
figures not reported, a weak year).

Only the *story* is decided here; whether it holds is the import's to say
(:func:`pool.io.golive.replay` runs the lifecycle's own rules), so nothing
below re-checks a rule.  Deterministic for a given ``rng`` and ``as_of``, and
no date after ``as_of``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from pool.membership.history import INCIDENT_TYPES, PROGRESS_TYPES
from pool.membership.rules import add_months

# name, months before as_of it opened, days it stayed open
ROUNDS = (("首批", 26, 24), ("第二批", 19, 20), ("第三批", 7, 20))
# (story, round or None, one enterprise per county index listed — pool.reference.city.COUNTIES)
CAST = (
    ("graduate", 0, (5, 6, 4, 0)), ("incident_expel", 0, (1, 2)), ("stale_expel", 0, (3,)),
    ("ready", 0, (0, 5)), ("stale", 0, (6,)), ("member", 0, (1, 2, 3, 4, 5, 6)), ("rejected", 0, (0, 3)),
    ("graduate", 1, (5, 6)), ("incident_expel", 1, (4,)), ("incident_open", 1, (2,)), ("quiet", 1, (0, 1, 3)),
    ("member", 1, (0, 2, 4, 5, 6)), ("rejected", 1, (1, 5)),
    ("member", 2, (0, 1, 2, 3, 4, 5, 6, 5, 6, 4)), ("rejected", 2, (2, 6)),
    # each after a graduation in its county, in order (two per graduation at most: the quota)
    ("replenished", None, (5, 6, 4, 0, 5, 6)),
    ("applied", None, (0, 1, 2, 3, 4, 5, 6, 5, 6, 4)),
)
FINAL_STATE = {"graduate": "graduated", "incident_expel": "expelled", "stale_expel": "expelled",
               "rejected": "rejected", "applied": "applied"}  # the others: admitted
# (story, round, n-th of them) -> what its record shows at the next scan
TRAITS = {
    ("member", 0, 0): "expiring", ("member", 1, 0): "expiring", ("member", 2, 0): "expiring",
    ("quiet", 1, 0): "expired",
    ("member", 0, 1): "late", ("member", 1, 1): "late", ("quiet", 1, 1): "late",
    ("member", 0, 2): "weak", ("member", 1, 2): "weak",
    ("member", 0, 3): "idle",  # its last progress 22 months ago: the no-progress flag's high stage
}
PROGRESS_REASONS = {
    "patent_industrialized": "新增 1 件专利实现产业化并批量投产",
    "patent_product_filing": "新增专利产品备案 1 项",
    "industrialization_rate_up": "专利产业化率较上年度提高",
    "patent_licensed_in_used": "受让高校发明专利并实施",
    "new_pi_product": "新认定专利密集型产品 1 项",
}
INCIDENT_REASONS = {
    "data_fraud": "申报材料中研发投入数据造假，经核查属实",
    "serious_dishonesty": "被列入严重失信主体名单",
    "tax_evasion": "税务部门通报偷漏税行为",
    "abnormal_patent_applications": "国家知识产权局通报其非正常专利申请",
}


@dataclass
class Document:
    """A decision's 文号, numbered once every decision of the story is dated."""

    on: date
    number: str = ""


@dataclass
class Member:
    index: int
    county: int  # index into pool.reference.city.COUNTIES
    story: str
    state: str
    applied_on: date | None = None
    admitted_on: date | None = None
    certified_on: date | None = None  # a product certified patent-intensive after admission
    traits: set = field(default_factory=set)  # "ineligible", "expiring", "expired", "late", "weak", "idle"
    events: list = field(default_factory=list)  # [day, 事项, 类型, 依据文件 (Document), 说明]

    def add(self, day: date, action: str, kind: str | None = None, document: Document | None = None,
            reason: str = "") -> None:
        self.events.append([day, action, kind, document, reason])

    def rows(self, uscc: str) -> list[tuple]:
        """The member's rows of the 历史事件 sheet."""
        return [(uscc, day, action, kind, document.number if document else None, reason)
                for day, action, kind, document, reason in self.events]


def earliest_as_of(policy_from: date) -> date:
    """The first ``as_of`` the story fits after the policy's first day: the
    first round opens then, at least a month before the second."""
    return add_months(policy_from, ROUNDS[1][1] + 1)


def plan(as_of: date, rng, *, policy_from: date) -> tuple[list[tuple[str, date, date]], list[Member]]:
    """The rounds ``(name, opened_on, closed_on)`` and the 60 members' stories.

    The first round opens 26 months before ``as_of``, or on ``policy_from``
    (the first day the policy is in force) if that is later; a story that
    needs more time than that leaves (two years without progress) becomes an
    expulsion after an incident.

    :raise ValueError: ``as_of`` is before :func:`earliest_as_of`.
    """
    if as_of < earliest_as_of(policy_from):
        raise ValueError(f"演示数据的基准日期须不早于 {earliest_as_of(policy_from).isoformat()}"
                         f"（政策参数自 {policy_from.isoformat()} 起生效，演示的历史须在此之后）")
    opened = [max(add_months(as_of, -months), policy_from) for _name, months, _days in ROUNDS]
    rounds = [(name, day, day + timedelta(days=days)) for (name, _months, days), day in zip(ROUNDS, opened)]
    decisions = [Document(closed) for _name, _opened, closed in rounds]
    members, seen, graduations = [], {}, {}
    for story, round_, counties in CAST:
        for county in counties:
            nth = seen[(story, round_)] = seen.get((story, round_), -1) + 1
            m = Member(len(members), county, story, FINAL_STATE.get(story, "admitted"))
            m.traits |= {TRAITS[(story, round_, nth)]} if (story, round_, nth) in TRAITS else set()
            if story == "replenished":
                place = min(graduations[county])  # the county's earliest graduation not yet replenished
                graduations[county].remove(place)
                _replenished(m, rng, place, rounds, as_of)
            elif story == "applied":
                m.applied_on = as_of - timedelta(days=rng.randint(3, 80))
                m.add(m.applied_on, "申报", reason="企业提交入库申报")
            else:
                _in_round(m, rng, rounds[round_], decisions[round_])
                _after_admission(m, rng, as_of)
            for day, action, *_ in m.events:
                if action == "培育出库":
                    graduations.setdefault(county, []).append(day)
            members.append(m)
    _number([e[3] for m in members for e in m.events if e[3] is not None], rng)
    assert all(e[0] <= as_of for m in members for e in m.events), "the demo's history ends on as_of"
    return rounds, members


def _days(rng, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _in_round(m: Member, rng, round_, decision: Document) -> None:
    name, opened, closed = round_
    m.applied_on = opened + _days(rng, 0, 6)
    m.add(m.applied_on, "申报", reason="企业提交入库申报")
    decided = max(m.applied_on + timedelta(days=5), opened + _days(rng, 8, (closed - opened).days))
    decided = min(decided, closed)
    if m.story == "rejected":
        m.traits.add("ineligible")
        m.add(decided, "不予入库", None, decision, "专利产业化率未达到 50%，不予入库")
    else:
        m.admitted_on = decided
        m.add(decided, "入库", None, decision, f"{name}入库：经审核符合入库企业基本标准")


def _replenished(m: Member, rng, graduated_on: date, rounds, as_of: date) -> None:
    """申报 and 增补入库 after ``graduated_on`` (a graduation of the county), outside every round."""
    m.applied_on = graduated_on + _days(rng, 10, 40)
    admitted = m.applied_on + _days(rng, 15, 40)
    if admitted.year != m.applied_on.year:  # judged on the figures its 申报 brought
        m.applied_on = date(admitted.year, 1, 4)
        admitted = m.applied_on + _days(rng, 10, 25)
    for _name, opened, closed in rounds:
        if opened <= admitted <= closed:  # inside a round it would be a round admission
            admitted = closed + _days(rng, 3, 10)
    m.admitted_on = min(admitted, as_of - timedelta(days=3))
    m.add(m.applied_on, "申报", reason="企业提交入库申报")
    m.add(m.admitted_on, "入库", None, Document(m.admitted_on), "增补入库：使用本县（市、区）培育出库企业的增补名额")
    if rng.random() < 0.5:
        _progress(m, rng, m.admitted_on + timedelta(days=45), as_of - timedelta(days=5), 1)


def _after_admission(m: Member, rng, as_of: date) -> None:
    story, admitted = m.story, m.admitted_on
    if story == "graduate":
        m.certified_on = admitted + _days(rng, 90, 240)
        m.add(m.certified_on, "实质性进展", _label("new_pi_product"), None, PROGRESS_REASONS["new_pi_product"])
        graduated = max(add_months(admitted, 12), m.certified_on) + _days(rng, 10, 60)
        m.add(min(graduated, as_of), "培育出库", "a", Document(min(graduated, as_of)),
              "新增专利密集型产品，满足培育出库条件（a），培育出库")
    elif story == "ready":
        m.certified_on = min(admitted + _days(rng, 200, 400), as_of - timedelta(days=10))
        m.add(m.certified_on, "实质性进展", _label("new_pi_product"), None, PROGRESS_REASONS["new_pi_product"])
    elif story == "stale_expel" and add_months(admitted, 24) + timedelta(days=15) > as_of:
        m.story = "incident_expel"  # two years without progress have not passed yet
        _after_admission(m, rng, as_of)
    elif story in ("incident_expel", "incident_open"):
        _progress(m, rng, admitted + timedelta(days=45), admitted + timedelta(days=110), rng.randint(0, 1))
        kind = rng.choice(tuple(INCIDENT_REASONS))
        incident = (admitted + _days(rng, 120, 330) if story == "incident_expel"
                    else as_of - _days(rng, 5, 25))
        m.add(incident, "诚信事件", str(INCIDENT_TYPES[kind]), None, INCIDENT_REASONS[kind])
        if story == "incident_expel":
            expelled = incident + _days(rng, 10, 40)
            m.add(expelled, "退库", "诚信事件", Document(expelled), "入库后发生诚信事件，予以退库")
    elif story == "stale_expel":
        expelled = add_months(admitted, 24) + _days(rng, 1, 15)
        m.add(expelled, "退库", "无实质性进展", Document(expelled), "入库满 2 年未取得专利产业化实质性进展，予以退库")
    elif story == "member" and "idle" in m.traits and add_months(as_of, -22) > admitted + timedelta(days=40):
        _progress(m, rng, add_months(as_of, -22) - timedelta(days=10), add_months(as_of, -22), 1)
    elif story == "member":
        _progress(m, rng, admitted + timedelta(days=45), as_of - timedelta(days=5),
                  rng.randint(1, 3) if add_months(admitted, 12) <= as_of else rng.randint(0, 1))


def _progress(m: Member, rng, start: date, end: date, count: int) -> None:
    if end <= start or count <= 0:
        return
    days = sorted(rng.sample(range((end - start).days), min(count, (end - start).days)))
    for offset in days:
        kind = rng.choice(tuple(k for k in PROGRESS_REASONS if k != "new_pi_product"))
        m.add(start + timedelta(days=offset), "实质性进展", _label(kind), None, PROGRESS_REASONS[kind])


def _label(kind: str) -> str:
    return str(PROGRESS_TYPES[kind])


def _number(documents: list[Document], rng) -> None:
    """Number the decisions by year in date order: 黄市监〔2025〕12号."""
    last: dict[int, int] = {}
    for document in sorted({id(d): d for d in documents}.values(), key=lambda d: d.on):
        last[document.on.year] = last.get(document.on.year, rng.randint(2, 8)) + rng.randint(1, 6)
        document.number = f"黄市监〔{document.on.year}〕{last[document.on.year]}号"
