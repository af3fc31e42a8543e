"""Exports (pool.io.exports): rows of the pool, the event log and the pool on a date;
the CSV and .xlsx writers and their formula neutralisation; county scoping;
a query count that does not grow with the pool.

``history`` builds a small two-county pool through ``pool.membership.lifecycle``; it is
shared with ``test_reports_web``.
"""
import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import event as sa_event

from models import CITY_ADMIN, Enterprise, PoolEvent, YearlyFigure
from pool.io import exports
from pool.membership import lifecycle as lc

from pool.kernel.text import sort_key

from . import model_factories as mf
from .test_lifecycle import admit, graduate_by_new_product, open_round, snap

INJECTIONS = ['=HYPERLINK("http://x")', "+1", "-1", "@x", "\tx", "\rx", "'=x"]


def enrol(session, county, officer, name, applied: date, admitted: date | None = None):
    """An enterprise named ``name`` that applied on ``applied`` and, if
    ``admitted`` is given, was admitted that day."""
    enterprise = mf.enterprise(session, county, name)
    lc.apply(session, enterprise, actor=officer, on=applied, today=applied)
    if admitted is not None:
        admit(session, enterprise, officer, admitted)
    return enterprise


def build_history(session, dy, yx, dy_officer, yx_officer) -> dict[str, int]:
    """Ids of a small pool (dates are effective dates):

    * 大冶 A: admitted 2025-01-10 in the first round, graduated 2026-02-01;
    * 大冶 B: admitted 2025-02-01, expelled 2025-06-01 after an incident;
    * 大冶 C: applied 2025-05-01, never admitted;
    * 阳新 D: admitted 2025-01-20;
    * 大冶 R: a replenishment admitted 2026-03-01 (大冶's quota: 1 graduated,
      limit 2, 1 replenished, 1 left).
    """
    open_round(session, date(2025, 1, 1), date(2025, 3, 31))
    a = enrol(session, dy, dy_officer, "大冶甲科技有限公司", date(2025, 1, 9), date(2025, 1, 10))
    b = enrol(session, dy, dy_officer, "大冶乙材料有限公司", date(2025, 1, 15), date(2025, 2, 1))
    c = enrol(session, dy, dy_officer, "大冶丙装备有限公司", date(2025, 5, 1))
    d = enrol(session, yx, yx_officer, "阳新丁医药有限公司", date(2025, 1, 19), date(2025, 1, 20))
    lc.record_incident(session, b, actor=dy_officer, on=date(2025, 6, 1), today=mf.TODAY,
                       subtype="major_accident", reason="发生重大安全事故")
    lc.expel(session, b, actor=dy_officer, on=date(2025, 6, 1), today=mf.TODAY, basis="incident",
             reason="重大安全事故，退库", snapshot=snap(date(2025, 6, 1)))
    graduate_by_new_product(session, a, dy_officer, date(2026, 2, 1))
    r = enrol(session, dy, dy_officer, "大冶戊电子有限公司", date(2026, 2, 20), date(2026, 3, 1))
    session.flush()
    return {"A": a.id, "B": b.id, "C": c.id, "D": d.id, "R": r.id}


@pytest.fixture
def pool(session):
    dy = mf.county(session, "420281", "大冶市")
    yx = mf.county(session, "420222", "阳新县")
    people = {
        "admin": mf.user(session, "admin", role=CITY_ADMIN),
        "dy": mf.user(session, "dy", county=dy),
        "yx": mf.user(session, "yx", county=yx),
    }
    ids = build_history(session, dy, yx, people["dy"], people["yx"])
    return dict(people, dy_county=dy, yx_county=yx, ids=ids)


def names(rows, column=0):
    return [row[column] for row in rows]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def csv_bytes(rows, header) -> bytes:
    out = io.BytesIO()
    exports.write_csv(rows, header, out)
    return out.getvalue()


def xlsx_sheet(rows, header, title="导出"):
    out = io.BytesIO()
    exports.write_xlsx(rows, header, out, title=title)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))[title]


# --- the pool -------------------------------------------------------------------

def test_pool_rows_hold_the_latest_years_figures(session, pool):
    a = pool["ids"]["A"]
    session.add_all([
        YearlyFigure(enterprise_id=a, year=2023, operating_revenue=Decimal("1000"),
                     rd_expense=Decimal("50"), employees=80, rd_staff=10),
        YearlyFigure(enterprise_id=a, year=2024, operating_revenue=Decimal("2002"),
                     rd_expense=Decimal("200.2"), employees=100, rd_staff=20),
    ])
    session.flush()
    rows = list(exports.pool_rows(session, pool["admin"]))
    assert names(rows) == sorted(names(rows), key=sort_key)  # the list page's order: by name, in pinyin
    by_name = {row[0]: row for row in rows}
    a_row = by_name["大冶甲科技有限公司"]
    assert len(a_row) == len(exports.POOL_HEADER)
    assert a_row[1] == session.get(Enterprise, pool["ids"]["A"]).uscc
    assert a_row[2:] == ("大冶市", "已出库", date(2025, 1, 10), date(2026, 2, 1), None,
                         2024, Decimal("2002"), Decimal("200.2"), 100, 20)
    # No figures: empty year and figure columns, not zeros.
    assert by_name["大冶丙装备有限公司"][3:] == ("已申报", None, date(2025, 5, 1), None,
                                              None, None, None, None, None)
    assert by_name["阳新丁医药有限公司"][2:4] == ("阳新县", "培育中")


def test_pool_rows_take_the_list_filters(session, pool):
    admin, dy = pool["admin"], pool["dy_county"]
    assert names(exports.pool_rows(session, admin, q="丁医药")) == ["阳新丁医药有限公司"]
    assert names(exports.pool_rows(session, admin, state="expelled")) == ["大冶乙材料有限公司"]
    assert set(names(exports.pool_rows(session, admin, county_id=dy.id))) == {
        "大冶甲科技有限公司", "大冶乙材料有限公司", "大冶丙装备有限公司", "大冶戊电子有限公司"}
    assert names(exports.pool_rows(session, admin, state="nonsense")) == []
    assert names(exports.pool_rows(session, admin, q="%")) == []  # wildcards are literal


def test_every_export_is_scoped_to_the_officers_county(session, pool):
    on = date(2025, 2, 1)
    for officer, county in ((pool["dy"], "大冶市"), (pool["yx"], "阳新县")):
        assert {row[2] for row in exports.pool_rows(session, officer)} == {county}
        assert {row[3] for row in exports.event_rows(session, officer)} == {county}
        assert {row[2] for row in exports.member_rows(session, officer, on)} == {county}
    # Asking for the other county's rows gives nothing, not the other county.
    assert names(exports.pool_rows(session, pool["dy"], county_id=pool["yx_county"].id)) == []
    assert {row[3] for row in exports.event_rows(session, pool["admin"])} == {"大冶市", "阳新县"}
    # Inactive users and anonymous viewers see nothing.
    pool["dy"].active = False
    assert list(exports.pool_rows(session, pool["dy"])) == []
    assert list(exports.event_rows(session, pool["dy"])) == []
    assert list(exports.member_rows(session, pool["dy"], on)) == []
    assert list(exports.pool_rows(session, None)) == []


# --- the event log --------------------------------------------------------------

def test_event_rows_in_chinese_with_local_recording_time(session, pool):
    rows = list(exports.event_rows(session, pool["dy"]))
    assert len(rows[0]) == len(exports.EVENT_HEADER)
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    expelled = [row for row in rows if row[7] == "已退库"]
    assert len(expelled) == 1
    (on, name, uscc, county, kind, subtype, old, new, replenished, actor, recorded,
     reason) = expelled[0]
    assert (on, name, county, kind, subtype, old, replenished, actor, reason) == (
        date(2025, 6, 1), "大冶乙材料有限公司", "大冶市", "状态变更", None, "培育中", None, "dy",
        "重大安全事故，退库")
    incident = [row for row in rows if row[4] == "诚信事件"]
    assert [(row[5], row[6], row[7], row[8]) for row in incident] == [
        ("重大安全事故", None, None, None)]
    admissions = {row[1]: row[8] for row in rows if row[7] == "培育中"}
    assert admissions == {"大冶甲科技有限公司": "否", "大冶乙材料有限公司": "否", "大冶戊电子有限公司": "是"}
    assert isinstance(recorded, datetime) and recorded.tzinfo is None


def test_event_recording_time_is_shown_in_shanghai(session, pool):
    dy, officer = pool["dy_county"], pool["dy"]
    enterprise = mf.enterprise(session, dy, "时区测试有限公司")
    session.add(PoolEvent(enterprise_id=enterprise.id, county_id=dy.id, kind="note",
                          subtype=None, effective_on=date(2027, 1, 1), actor_id=officer.id,
                          reason="备注", evidence={},
                          recorded_at=datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)))
    session.flush()
    row, = exports.event_rows(session, officer, start=date(2027, 1, 1))
    assert row[4] == "备注"
    assert row[10] == datetime(2027, 1, 1, 0, 30)  # UTC+8: already the next day


def test_event_rows_date_range_is_inclusive(session, pool):
    def days(**kw):
        return {row[0] for row in exports.event_rows(session, pool["admin"], **kw)}

    assert days(start=date(2025, 6, 1), end=date(2025, 6, 1)) == {date(2025, 6, 1)}
    assert date(2025, 6, 1) not in days(end=date(2025, 5, 31))
    assert date(2025, 5, 1) not in days(start=date(2025, 5, 2))
    assert min(days(start=date(2025, 5, 1))) == date(2025, 5, 1)
    assert max(days(end=date(2026, 2, 19))) == date(2026, 2, 1)
    assert max(days(end=date(2026, 2, 20))) == date(2026, 2, 20)
    with pytest.raises(ValueError, match="晚于"):
        exports.event_rows(session, pool["admin"], start=date(2025, 6, 2), end=date(2025, 6, 1))


# --- the pool on a date ---------------------------------------------------------

@pytest.mark.parametrize("on, expected", [
    (date(2025, 1, 9), []),  # A only applied
    (date(2025, 1, 10), ["A"]),  # admission day
    (date(2025, 2, 1), ["A", "B"]),
    (date(2025, 5, 31), ["A", "B"]),
    (date(2025, 6, 1), ["A"]),  # B expelled that day
    (date(2026, 1, 31), ["A"]),
    (date(2026, 2, 1), []),  # A graduated that day
    (date(2026, 2, 28), []),
    (date(2026, 3, 1), ["R"]),
])
def test_member_rows_on_a_date(session, pool, on, expected):
    rows = list(exports.member_rows(session, pool["dy"], on))
    assert [row[0] for row in rows] == sorted(session.get(Enterprise, pool["ids"][key]).name
                                               for key in expected)
    for row in rows:
        assert len(row) == len(exports.MEMBER_HEADER) and row[2] == "大冶市"


def test_member_rows_give_the_admission_date_and_current_state(session, pool):
    rows = list(exports.member_rows(session, pool["admin"], date(2025, 2, 1)))
    assert [(row[0], row[2], row[3], row[4]) for row in rows] == [
        ("大冶乙材料有限公司", "大冶市", date(2025, 2, 1), "已退库"),
        ("大冶甲科技有限公司", "大冶市", date(2025, 1, 10), "已出库"),
        ("阳新丁医药有限公司", "阳新县", date(2025, 1, 20), "培育中"),
    ]  # by county (display order), then name


def test_members_come_from_the_log_not_the_cached_state(session, pool):
    # An enterprise marked admitted without any event is not in the pool on any date.
    mf.enterprise(session, pool["dy_county"], "无记录企业", state="admitted",
                  admitted_on=date(2025, 1, 1))
    assert "无记录企业" not in names(exports.member_rows(session, pool["admin"], date(2025, 3, 1)))


def test_count_by_county(session, pool):
    dy, yx = pool["dy_county"], pool["yx_county"]
    on = date(2025, 2, 1)
    assert exports.count_by_county(session, exports.members(session, pool["admin"], on)) == {
        dy.id: 2, yx.id: 1}
    assert exports.count_by_county(session, exports.members(session, pool["yx"], on)) == {yx.id: 1}
    assert exports.count_by_county(session, exports.members(session, pool["dy"],
                                                            date(2026, 2, 1))) == {}


# --- the overview ---------------------------------------------------------------

def test_overview_counts_states_and_quota(session, pool):
    on = date(2026, 3, 1)
    lines = exports.overview(session, pool["admin"], on, snap(on))
    assert [line.county.name for line in lines] == ["大冶市", "阳新县"]
    dy, yx = lines
    assert dy.states == {"applied": 1, "admitted": 1, "graduated": 1, "expelled": 1, "rejected": 0}
    assert dy.total == 4
    assert dy.quota == lc.Quota(graduated=1, replenished=1, limit=2, left=1)
    assert yx.states["admitted"] == 1 and yx.quota == lc.Quota(0, 0, 0, 0)
    # The day before the replenishment and the day before the graduation.
    for before, quota in ((date(2026, 2, 28), lc.Quota(1, 0, 2, 2)),
                          (date(2026, 1, 31), lc.Quota(0, 0, 0, 0))):
        assert exports.overview(session, pool["admin"], before, snap(before))[0].quota == quota
    only = exports.overview(session, pool["yx"], on, snap(on))
    assert [line.county.name for line in only] == ["阳新县"]


# --- writers ------------------------------------------------------------------

def test_csv_has_bom_header_and_plain_values(session, pool):
    rows = [("甲", date(2025, 1, 2), Decimal("200.2"), Decimal("10"), 3, None,
             datetime(2025, 1, 2, 8, 30, 5), "多行\n原因, 含逗号")]
    data = csv_bytes(rows, ("名称", "日期", "金额", "整额", "人数", "空", "时间", "原因"))
    assert data.count(b"\xef\xbb\xbf") == 1
    header, row = read_csv(data)
    assert header == ["名称", "日期", "金额", "整额", "人数", "空", "时间", "原因"]
    assert row == ["甲", "2025-01-02", "200.2", "10", "3", "", "2025-01-02 08:30:05",
                   "多行\n原因, 含逗号"]


def test_csv_streams_in_chunks_with_one_bom(session, pool):
    rows = ((f"企业{i:05d}", i) for i in range(20000))
    chunks = list(exports.iter_csv(rows, ("名称", "序号")))
    assert len(chunks) > 1
    assert chunks[0].startswith(b"\xef\xbb\xbf")
    assert not any(chunk.startswith(b"\xef\xbb\xbf") for chunk in chunks[1:])
    parsed = read_csv(b"".join(chunks))
    assert len(parsed) == 20001 and parsed[-1] == ["企业19999", "19999"]
    assert list(exports.iter_csv([], ("名称",))) == ["\ufeff名称\r\n".encode("utf-8")]


def test_xlsx_has_typed_cells_and_a_bold_header(session, pool):
    rows = [("甲", date(2025, 1, 2), Decimal("200.2"), 3, None, datetime(2025, 1, 2, 8, 30))]
    sheet = xlsx_sheet(rows, ("名称", "日期", "金额", "人数", "空", "时间"), title="企业名单")
    header, row = sheet.iter_rows()
    assert [c.value for c in header] == ["名称", "日期", "金额", "人数", "空", "时间"]
    assert all(c.font.b for c in header)
    assert row[0].value == "甲"
    assert row[1].value == datetime(2025, 1, 2) and row[1].is_date
    assert Decimal(str(row[2].value)) == Decimal("200.2") and row[2].data_type == "n"
    assert row[3].value == 3 and row[4].value is None
    assert row[5].value == datetime(2025, 1, 2, 8, 30)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F2"
    assert row[2].number_format == "#,##0.00" and row[1].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= 8


def test_xlsx_says_what_it_holds_and_fits_its_columns(session, pool):
    out = io.BytesIO()
    exports.write_xlsx([("黄石磁湖高新科技发展有限公司", date(2025, 1, 2))], ("企业名称", "日期"), out, title="名单",
                       about=[("内容", "企业名单"), ("筛选条件", "县（市、区）：大冶市")])
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["名单", "说明"]
    assert [tuple(r) for r in book["说明"].iter_rows(values_only=True)] == [
        ("内容", "企业名单"), ("筛选条件", "县（市、区）：大冶市")]
    assert book["名单"].column_dimensions["A"].width >= 2 * len("黄石磁湖高新科技发展有限公司")


def test_xlsx_replaces_characters_excel_cannot_hold(session, pool):
    sheet = xlsx_sheet([("坏\x07字符",)], ("名称",))
    assert sheet["A2"].value == "坏\ufffd字符"


@pytest.mark.parametrize("text", INJECTIONS)
def test_formulas_are_neutralised_in_both_formats(session, pool, text):
    rows = [(text, "正常名称")]
    _header, row = read_csv(csv_bytes(rows, ("名称", "对照")))
    assert row == ["'" + text, "正常名称"]
    sheet = xlsx_sheet(rows, ("名称", "对照"))
    # In .xlsx a text cell is never a formula: the text stays as typed, with no quote in front.
    # (A CR is stored as OOXML's escape _x000D_, which Excel shows as the character.)
    assert sheet["A2"].value.replace("_x000D_", "\r") == text and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "正常名称"


def test_an_enterprise_named_like_a_formula_exports_as_text(session, pool):
    mf.enterprise(session, pool["dy_county"], '=HYPERLINK("http://x")')
    mf.enterprise(session, pool["dy_county"], "@x有限公司")
    rows = list(exports.pool_rows(session, pool["dy"]))
    table = read_csv(csv_bytes(rows, exports.POOL_HEADER))
    assert ["'=HYPERLINK(\"http://x\")", "'@x有限公司"] == [r[0] for r in table[1:3]]
    sheet = xlsx_sheet(exports.pool_rows(session, pool["dy"]), exports.POOL_HEADER)
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=3)]
    assert [c.value for c in cells] == ["=HYPERLINK(\"http://x\")", "@x有限公司"]
    assert {c.data_type for c in cells} == {"s"}  # text cells: Excel shows them, never runs them


# --- query counts -----------------------------------------------------------------

def count_queries(session, action) -> int:
    statements = []
    engine = session.get_bind()

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def grow(session, county, officer, n: int) -> None:
    """``n`` more admitted enterprises, each with two years of figures."""
    for i in range(n):
        enterprise = enrol(session, county, officer, None, date(2025, 1, 2), date(2025, 1, 3))
        session.add_all([YearlyFigure(enterprise_id=enterprise.id, year=year,
                                      operating_revenue=Decimal(1000 + i), employees=50)
                         for year in (2023, 2024)])
    session.flush()


@pytest.mark.parametrize("export, queries", [
    (lambda s, viewer: exports.pool_rows(s, viewer), 1),
    (lambda s, viewer: exports.event_rows(s, viewer), 1),
    # the viewer's counties, the log (pool_on), the members
    (lambda s, viewer: exports.member_rows(s, viewer, date(2025, 2, 1)), 3),
], ids=["pool", "events", "pool-on"])
def test_query_count_does_not_grow_with_the_pool(session, pool, export, queries):
    dy, officer = pool["dy_county"], pool["dy"]
    counts, sizes = [], []
    for n in (5, 45):  # 5 more enterprises, then 50 more in all
        grow(session, dy, officer, n)
        rows = []
        counts.append(count_queries(session, lambda: rows.extend(export(session, officer))))
        sizes.append(len(rows))
    assert sizes[1] > sizes[0]
    assert counts == [queries, queries]


def test_every_part_of_the_xlsx_is_well_formed_xml_and_the_table_streams(session, pool):
    import zipfile
    from xml.etree import ElementTree

    from pool.io import xlsx

    out = io.BytesIO()
    rows = ((f"企业{i}", i, Decimal("1.10"), date(2025, 1, 1), None, True) for i in range(2500))
    assert xlsx.write(rows, ("名称", "序号", "金额", "日期", "空", "是否"), out, about=[("内容", "A & B <测试>")]) \
        == 2500
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as book:
        assert set(book.namelist()) >= {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml",
                                        "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
        for name in book.namelist():
            ElementTree.fromstring(book.read(name))  # raises on malformed XML
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["导出"]
    assert sheet.max_row == 2501 and sheet["B2501"].value == 2499 and sheet["F2"].value is True
    assert sheet["E2"].value is None and sheet.auto_filter.ref == "A1:F2501"
