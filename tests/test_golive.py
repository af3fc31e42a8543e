"""The go-live import (issue #21): an existing pool brought in with its past.

The same history — two rounds in 2024, graduations and replenishments in
2025, an expulsion for an incident and one for two years without progress —
is entered once live, day by day as officers would have done it, and once
imported from the go-live workbook on 2026-11-20; the pool on every past
month end, the quotas and the proposals must be the same.
"""
import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import CITY_ADMIN, Enterprise, IntakeRound, PoolEvent
from pool.eligibility import rulebook as rulebooks
from pool.io import golive
from pool.io.workbook import WorkbookError
from pool.membership import intake, lifecycle
from pool.membership.history import pool_on
from pool.membership.proposals import expulsion_assessment, graduation_assessment
from pool.membership.quota import quota
from pool.records.registration import register_applicant

from . import factories as f
from . import model_factories as mf
from .test_lifecycle import evaluation

TODAY = date(2026, 11, 20)
D = date.fromisoformat
ROUNDS = [("首批", D("2024-10-08"), D("2024-10-31")), ("第二批", D("2024-12-02"), D("2024-12-20"))]
# enterprise -> (county code, county name, the day its product was certified patent-intensive)
ENTERPRISES = {
    "E1": ("420202", "黄石港区", "2025-03-01"), "E2": ("420202", "黄石港区", "2025-05-01"),
    "E3": ("420202", "黄石港区", None), "E4": ("420202", "黄石港区", None), "E5": ("420202", "黄石港区", None),
    "E6": ("420202", "黄石港区", None), "E7": ("420202", "黄石港区", None),
    "E8": ("420281", "大冶市", None), "E9": ("420281", "大冶市", None),
}
HISTORY = [  # (enterprise, day, 事项, 类型, 依据文件)
    ("E1", "2024-10-09", "申报", None, None), ("E1", "2024-10-15", "入库", None, None),
    ("E2", "2024-10-09", "申报", None, None), ("E2", "2024-10-16", "入库", None, None),
    ("E3", "2024-10-10", "申报", None, None), ("E3", "2024-10-20", "入库", None, None),
    ("E8", "2024-10-09", "申报", None, None), ("E8", "2024-10-15", "入库", None, None),
    ("E9", "2024-10-10", "申报", None, None), ("E9", "2024-10-15", "入库", None, None),
    ("E4", "2024-12-03", "申报", None, None), ("E4", "2024-12-10", "入库", None, None),
    ("E5", "2024-12-04", "申报", None, None), ("E5", "2024-12-15", "不予入库", None, "黄市监〔2024〕9号"),
    ("E8", "2025-05-01", "诚信事件", "数据造假", None), ("E8", "2025-05-10", "退库", "诚信事件", None),
    ("E3", "2025-06-01", "实质性进展", "新增产业化专利", None),
    ("E1", "2025-10-15", "培育出库", "a", "黄市监〔2025〕31号"), ("E2", "2025-10-20", "培育出库", "a", None),
    ("E6", "2025-11-01", "申报", None, None), ("E6", "2025-11-10", "入库", None, "黄市监〔2025〕40号"),
    ("E7", "2025-11-02", "申报", None, None), ("E7", "2025-12-01", "入库", None, "黄市监〔2025〕44号"),
    ("E9", "2026-10-15", "退库", "无实质性进展", None),
]


REASONS = {"诚信事件": "数据造假", "实质性进展": "新增产业化专利", "培育出库": "新认定专利密集型产品", "退库": "经核实退库"}


def applicant(key: str) -> dict:
    code, county, certified = ENTERPRISES[key]
    n = int(key[1:])
    products = [f.product(name=f"{key}主导产品"),
                *([f.product(name=f"{key}新产品", main=False, certified_on=certified, filing_no=f.OMIT)]
                  if certified else [])]
    return f.applicant(uscc=f.uscc(code, f"MA4GL{n:04d}"), name=f"黄石上线企业{n}有限公司", county=county,
                       products=products)


def workbook(history=HISTORY, rounds=ROUNDS, applicants=None) -> bytes:
    buffer = io.BytesIO()
    keys = sorted({key for key, *_ in history})
    golive.write_template(
        buffer, applicants=applicants or [applicant(k) for k in keys], rounds=rounds,
        events=[(applicant(key)["uscc"], D(day), action, kind, document, REASONS.get(action, ""))
                for key, day, action, kind, document in history])
    return buffer.getvalue()


@pytest.fixture
def people(session):
    a, b = mf.county(session, "420202", "黄石港区"), mf.county(session, "420281", "大冶市")
    return {"admin": mf.user(session, "admin", role=CITY_ADMIN), "420202": mf.user(session, "hsg", county=a),
            "420281": mf.user(session, "dy", county=b), "counties": (a, b)}


def live(session, people):
    """The history entered as it happened: each step on its own day, by the
    county's officer (rounds by the administrator)."""
    rules = rulebooks.load(session)
    days = sorted({D(day) for _, day, *_ in HISTORY} | {d for _, o, c in ROUNDS for d in (o, c)})
    enterprises = {}
    for day in days:
        for name, opened, closed in ROUNDS:
            if opened == day:
                intake.open_round(session, name=name, on=day, today=day, actor=people["admin"])
        for key, when, action, kind, document in HISTORY:
            if D(when) != day:
                continue
            officer = people[ENTERPRISES[key][0]]
            snapshot = rules.policy.in_force(day)
            e = enterprises.get(key)
            if action == "申报":
                enterprises[key], _ = register_applicant(session, applicant(key), actor=officer, as_of=day, on=day,
                                                         rulebook=rules)
            elif action == "入库":
                lifecycle.admit(session, e, actor=officer, on=day, today=day, evaluation=evaluation(day),
                                snapshot=snapshot)
            elif action == "不予入库":
                lifecycle.reject(session, e, actor=officer, on=day, today=day, reason="依据 黄市监〔2024〕9号")
            elif action == "培育出库":
                lifecycle.graduate(session, e, actor=officer, on=day, today=day, rule=kind, reason="出库",
                                   snapshot=snapshot)
            elif action == "退库":
                lifecycle.expel(session, e, actor=officer, on=day, today=day, snapshot=snapshot, reason="退库",
                                basis={"诚信事件": "incident", "无实质性进展": "no_progress"}[kind])
            elif action == "诚信事件":
                lifecycle.record_incident(session, e, actor=officer, on=day, today=day, subtype="data_fraud",
                                          reason="数据造假")
            else:
                lifecycle.record_progress(session, e, actor=officer, on=day, today=day,
                                          subtype="patent_industrialized", reason="新增产业化专利")
        for name, opened, closed in ROUNDS:
            if closed == day:
                round_ = session.scalar(select(IntakeRound).where(IntakeRound.name == name))
                intake.close_round(session, round_, on=day, today=day, actor=people["admin"])


def picture(session, people) -> dict:
    """The pool on every month end, the quotas and the proposals, by USCC."""
    rules = rulebooks.load(session)
    uscc = dict(session.execute(select(Enterprise.id, Enterprise.uscc)).all())
    days = [date(2024, 10, 1) + timedelta(days=30 * k) for k in range(26)]
    seen = {}
    for day in days:
        snapshot = rules.policy.in_force(day)
        seen[day] = {
            "pool": {uscc[i]: state for i, state in pool_on(session, day).items()},
            "quota": [quota(session, c.id, day, snapshot) for c in people["counties"]],
            "proposals": {uscc[e.id]: (
                {k: (v.holds, v.detail) for k, v in (graduation_assessment(session, e, day, snapshot) or {}).items()},
                {k: (v.holds, v.detail) for k, v in (expulsion_assessment(session, e, day, snapshot) or {}).items()})
                for e in session.scalars(select(Enterprise))},
        }
    return seen


def test_an_imported_past_answers_as_the_same_past_entered_live(session, people):
    live(session, people)
    session.flush()
    expected = picture(session, people)
    session.rollback()  # nothing of the live run stays
    people = {k: session.merge(v) if not isinstance(v, tuple) else tuple(session.merge(c) for c in v)
              for k, v in people.items()}
    history = golive.read_history(workbook())
    rules = rulebooks.load(session)
    outcome = golive.replay(session, history, actor=people["admin"], today=TODAY, rulebook=rules)
    assert (outcome.registered, outcome.rounds, outcome.events) == (9, 2, 24)
    assert picture(session, people) == expected
    # Late entries: recorded on the import's day... the event log keeps both days.
    admitted = session.scalar(select(PoolEvent).where(PoolEvent.to_state == "admitted").order_by(PoolEvent.id))
    assert admitted.effective_on == D("2024-10-15") and admitted.recorded_at.date() >= date(2026, 1, 1)
    replenished = session.scalars(select(PoolEvent).where(PoolEvent.replenishment.is_(True))).all()
    assert [e.evidence.get("document") for e in replenished] == ["黄市监〔2025〕40号", "黄市监〔2025〕44号"]


def test_the_preview_says_what_the_import_would_create_and_writes_nothing(session, people):
    history = golive.read_history(workbook())
    rules = rulebooks.load(session)
    outcome = golive.preview(session, history, actor=people["admin"], today=TODAY, rulebook=rules)
    assert outcome.members == {"黄石港区": {"培育中": 4, "已出库": 2, "未予入库": 1}, "大冶市": {"已退库": 2}}
    hs = outcome.quota["黄石港区"]
    assert (hs.graduated, hs.limit, hs.replenished, hs.left) == (2, 4, 2, 2)
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0
    assert session.scalar(select(func.count()).select_from(IntakeRound)) == 0


def test_importing_the_same_file_again_changes_nothing(session, people):
    history = golive.read_history(workbook())
    rules = rulebooks.load(session)
    golive.replay(session, history, actor=people["admin"], today=TODAY, rulebook=rules)
    events = session.scalar(select(func.count()).select_from(PoolEvent))
    again = golive.replay(session, history, actor=people["admin"], today=TODAY, rulebook=rules)
    assert (again.registered, again.kept, again.rounds, again.rounds_kept, again.events) == (0, 9, 0, 2, 0)
    assert session.scalar(select(func.count()).select_from(PoolEvent)) == events


def test_a_replenishment_without_a_place_is_refused_naming_the_row_and_nothing_is_written(session, people):
    extra = [("E10", "2025-03-01", "申报", None, None), ("E10", "2025-04-01", "入库", None, "黄市监〔2025〕12号")]
    ENTERPRISES["E10"] = ("420281", "大冶市", None)
    try:
        history = golive.read_history(workbook(HISTORY + extra))
        with pytest.raises(golive.HistoryRefused) as refused:
            golive.preview(session, history, actor=people["admin"], today=TODAY, rulebook=rulebooks.load(session))
    finally:
        del ENTERPRISES["E10"]
    row = len(HISTORY) + 3  # header, then HISTORY, then E10's 申报
    assert refused.value.problems == [
        f"「历史事件」第 {row} 行（{f.uscc('420281', 'MA4GL0010')}，2025-04-01）："
        "大冶市增补名额已用完：累计出库 0 家 × 2 = 0 个增补名额，已增补 0 家（0/0），不能再增补入库"]
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_a_back_dated_replenishment_that_would_take_a_later_ones_place_is_refused_naming_it(session, people):
    golive.replay(session, golive.read_history(workbook()), actor=people["admin"], today=TODAY,
                  rulebook=rulebooks.load(session))
    officer, rules = people["420202"], rulebooks.load(session)
    admitted = []
    for n, day in enumerate((D("2025-10-25"), D("2025-10-26"), D("2025-10-27"))):
        data = f.applicant(uscc=f.uscc("420202", f"MA4LT{n:04d}"), name=f"补录企业{n}", county="黄石港区")
        e, _ = register_applicant(session, data, actor=officer, as_of=day, on=day, today=TODAY, rulebook=rules)
        admitted.append((e, day))
    for e, day in admitted[:2]:  # two of the four places of 2025-10-20, before E6 and E7 took theirs
        lifecycle.admit(session, e, actor=officer, on=day, today=TODAY, evaluation=evaluation(day),
                        snapshot=rules.policy.in_force(day))
    e, day = admitted[2]
    with pytest.raises(lifecycle.TransitionRefused,
                       match="黄石港区在 2025-12-01 已有增补（黄石上线企业7有限公司）且名额届时用完"):
        lifecycle.admit(session, e, actor=officer, on=day, today=TODAY, evaluation=evaluation(day),
                        snapshot=rules.policy.in_force(day))


def test_bad_cells_are_named_by_sheet_row_and_column(session, people):
    bad = [("E1", "2024-10-09", "申报", None, None), ("E1", "2024-10-15", "入股", None, None),
           ("E1", "2025-10-15", "培育出库", "c", None)]
    with pytest.raises(WorkbookError) as refused:
        golive.read_history(workbook(bad))
    assert [str(p) for p in refused.value.problems] == [
        "「历史事件」 第 3 行 「事项」：事项须为：申报、入库、不予入库、培育出库、退库、实质性进展、诚信事件",
        "「历史事件」 第 4 行 「类型」：培育出库的类型须为：a、b"]


def test_only_the_administrator_imports(session, people):
    with pytest.raises(golive.HistoryRefused, match="只有市级管理员"):
        golive.replay(session, golive.read_history(workbook()), actor=people["420202"], today=TODAY,
                      rulebook=rulebooks.load(session))


# --- the page and the command ---------------------------------------------------------

def test_the_administrator_imports_through_the_page(client, auth, session, people, freeze_today):
    session.commit()
    freeze_today(TODAY)
    auth.login("admin")
    assert "上线导入" in client.get("/actions/rounds").text
    assert client.get("/golive/").status_code == 200
    template = client.get("/golive/template.xlsx")
    assert template.status_code == 200 and golive.read_history(template.data).events == []
    page = client.post("/golive/preview", data={"file": (io.BytesIO(workbook()), "pool.xlsx")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    assert "黄石港区：培育中 4 家，已出库 2 家，未予入库 1 家；增补名额：累计出库 2 家，名额 4 个，已用 2 个，剩余 2 个" \
        in page.text
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0
    form = {name: html.unescape(value) for name, value in
            re.findall(r'name="(content|on|seal)" type="hidden" value="([^"]*)"', page.text)}
    assert set(form) == {"content", "on", "seal"}
    assert client.post("/golive/confirm", data={**form, "on": "2026-11-19"}).status_code == 422  # tampered
    assert client.post("/golive/confirm", data=form).status_code == 302
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 9


def test_a_refused_history_is_listed_on_the_page(client, auth, session, people, freeze_today):
    session.commit()
    freeze_today(TODAY)
    auth.login("admin")
    bad = [("E1", "2024-10-09", "申报", None, None), ("E1", "2024-10-15", "培育出库", "a", None)]
    page = client.post("/golive/preview", data={"file": (io.BytesIO(workbook(bad)), "pool.xlsx")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    assert "「历史事件」第 3 行" in page.text and "不能培育出库" in page.text


def test_a_county_officer_may_not_import(client, auth, session, people):
    session.commit()
    auth.login("hsg")
    assert client.get("/golive/").status_code == 403
    assert client.get("/golive/template.xlsx").status_code == 403


def test_the_command_previews_then_imports(app, runner, session, people, tmp_path):
    path = tmp_path / "pool.xlsx"
    path.write_bytes(workbook())
    result = runner.invoke(args=["pool", "import-history", str(path), "--by", "admin", "--today", "2026-11-20",
                                 "--yes"])
    assert result.exit_code == 0, result.output
    assert "登记企业 9 家" in result.output and "大冶市：已退库 2 家" in result.output
    again = runner.invoke(args=["pool", "import-history", str(path), "--by", "admin", "--today", "2026-11-20"])
    assert "文件中的历史已全部在系统中，无需导入" in again.output
