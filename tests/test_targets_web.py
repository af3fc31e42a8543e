"""The targets dashboard: status badges, charts as inline SVG, drill-down scoped to the viewer, the Excel
report and the printable page, the as-of date, and the administrator's statistics page."""
import io
import json
from datetime import date

import openpyxl
import pytest

from models import RegionStatistic
from pool.targets import report, series
from pool.targets.engine import evaluate
from pool.targets.indicators import DATA

from . import targets_world as tw

TODAY = date(2026, 1, 5)


@pytest.fixture
def built(app, use_db, freeze_today):
    freeze_today(TODAY)
    with use_db() as session:
        world = tw.build(session)
        tw.population(session, world.admin.id, "420200", 2024, "240")
        tw.population(session, world.admin.id, "420200", 2025, "241")
    return world


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_dashboard_shows_badges_series_and_charts(client, auth, built):
    auth.login("admin")
    body = page(client, "/targets/?programme=yuanzhou-2023&region=420200&as_of=2026-01-05")
    assert 'data-status="not_met"' in body and 'data-status="no_data"' in body
    assert "<svg" in body and 'role="img"' in body and "<desc" in body
    assert "所辖县（市、区）之和" in body and "style=" not in body.split("<main", 1)[-1]
    assert "/targets/records?" in body  # a figure links to its records


def test_a_county_officer_is_fixed_to_their_county(client, auth, built):
    auth.login("dy")
    body = page(client, "/targets/?programme=huangshi-2024")
    assert "大冶市（420281）" in body and "黄石市（420200）" not in body
    assert client.get("/targets/?programme=huangshi-2024&region=420222").status_code == 404
    assert client.get("/targets/?programme=huangshi-2024&region=420200").status_code == 404


def test_drill_down_lists_the_records_counted_and_only_the_viewers(client, auth, built):
    auth.login("admin")
    args = "programme=yuanzhou-2023&as_of=2026-01-05&measure=grants.count{kind=invention}&year=2024"
    city = page(client, f"/targets/records?region=420200&{args}")
    assert "ZL2024-A" in city and "ZL-YX-1" in city and "ZL2025-B" not in city
    auth.logout()
    auth.login("dy")
    own = page(client, f"/targets/records?region=420281&{args}")
    assert "ZL2024-A" in own and "ZL-YX-1" not in own
    assert client.get(f"/targets/records?region=420222&{args}").status_code == 404
    members = page(client, "/targets/records?region=420281&programme=huangshi-2024&as_of=2026-01-05"
                           "&measure=pool.members&year=2024")
    assert "大冶磁湖科技有限公司" in members
    # what the records do not hold has no records page
    assert client.get("/targets/records?region=420281&programme=huangshi-2024&as_of=2026-01-05"
                      "&measure=operation_centre_projects&year=2024").status_code == 404


def test_the_excel_report_opens_and_the_print_page_prints(client, auth, built):
    auth.login("admin")
    response = client.get("/targets/report.xlsx?programme=yuanzhou-2023&region=420200&as_of=2026-01-05")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "目标")
    assert any(r[0] == "YZ-T1" and r[6] == "未达到" for r in rows)
    printed = page(client, "/targets/print?programme=yuanzhou-2023&region=420200&as_of=2026-01-05")
    assert "no-print" in printed and "<svg" in printed and "<details class=\"small mt-2\" open>" in printed


def test_the_as_of_date_is_no_later_than_today(client, auth, built):
    auth.login("admin")
    assert client.get("/targets/?as_of=2026-01-06").status_code == 400
    assert client.get("/targets/?as_of=2026-13-01").status_code == 400
    assert client.get("/targets/?programme=nope").status_code == 404


def test_english_reads_the_dashboard_in_english(client, auth, built):
    auth.login("admin")
    client.get("/lang/en")
    body = page(client, "/targets/?programme=yuanzhou-2023&region=420200&as_of=2026-01-05")
    assert "Targets and indicators" in body


def test_the_administrator_enters_imports_and_corrects_statistics(client, auth, built, use_db):
    auth.login("dy")
    assert client.get("/targets/statistics/").status_code == 403
    auth.logout()
    auth.login("admin")
    assert "常住人口" in page(client, "/targets/statistics/")
    response = client.post("/targets/statistics/", data={"region": "420281", "key": "gdp", "year": "2024",
                                                         "value": "700.5", "source": "大冶市统计公报"})
    assert response.status_code == 303
    again = client.post("/targets/statistics/", data={"region": "420281", "key": "gdp", "year": "2024",
                                                      "value": "701", "source": "大冶市统计公报（修订）",
                                                      "note": "统计局修订"})
    assert again.status_code == 303
    bad = client.post("/targets/statistics/", data={"region": "420281", "key": "gdp", "year": "2024",
                                                    "value": "-1", "source": "x"})
    assert bad.status_code == 422
    doc = {"regions": [{"code": "420000", "name": "湖北省", "level": "province", "statistics": [
        {"key": "population", "year": 2024, "value": "5834", "source": "湖北省统计公报"}]}]}
    imported = client.post("/targets/statistics/import", data={
        "file": (io.BytesIO(json.dumps(doc).encode()), "stats.json")}, content_type="multipart/form-data")
    assert imported.status_code == 303
    broken = client.post("/targets/statistics/import", data={
        "file": (io.BytesIO(b"{"), "stats.json")}, content_type="multipart/form-data")
    assert broken.status_code == 422
    with use_db() as session:
        values = [r.value for r in session.query(RegionStatistic).filter_by(key="gdp").order_by(RegionStatistic.id)]
        assert values == ["700.5", "701"]
    body = page(client, "/targets/statistics/")
    assert "统计局修订" in body and "5834" in body


def test_reports_and_home_link_the_dashboard(client, auth, built):
    auth.login("dy")
    assert 'id="targets-link"' in page(client, "/reports/")
    assert 'id="home-targets"' in page(client, "/")


def test_before_any_region_is_stored_the_dashboard_says_so(client, auth, world):
    auth.login("dy")
    body = page(client, "/targets/")
    assert "尚未登记地区" in body
    assert client.get("/targets/?region=420281").status_code == 404


def test_the_comparator_reads_as_the_document_writes_it():
    document = json.loads((DATA / "examples" / "yuanzhou.series.json").read_text(encoding="utf-8"))
    evaluation = evaluate("yuanzhou-2023", "360902", date(2024, 12, 31), series.parse(document))
    texts = {r.target.id: report.comparator_text(r) for r in evaluation.results}
    assert texts["YZ-T3-valid"] == "≥ 20%" and texts["YZ-T1"].startswith("≥ 7.12")
