"""`flask pool check` and `flask pool template`."""
import json
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Application, Enterprise, PolicyValue, User, db
from pool.kernel import jsonutil
from pool.eligibility import uscc
from pool.io import workbook

from .factories import applicant


def write(tmp_path, obj, name="in.json"):
    path = tmp_path / name
    path.write_text(jsonutil.dumps(obj), encoding="utf-8")
    return str(path)


def test_one_applicant_gives_one_object(runner, tmp_path):
    result = runner.invoke(args=["pool", "check", write(tmp_path, applicant()), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"uscc", "name", "verdict", "criteria", "warnings"}
    assert [c["id"] for c in out["criteria"]] == list(range(1, 11))
    assert all(set(c) == {"id", "status", "detail"} for c in out["criteria"])


def test_array_keeps_input_order(runner, tmp_path):
    a = applicant(name="甲企业")
    b = applicant(name="乙企业", rd_expense=0, operating_revenue=100, assessment_year=2025)
    result = runner.invoke(args=["pool", "check", write(tmp_path, [a, b]), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["name"] for o in out] == ["甲企业", "乙企业"]
    assert out[1]["verdict"] == "ineligible"


def test_exactly_ten_percent_passes_criterion_6(runner, tmp_path):
    from decimal import Decimal

    data = applicant(rd_expense=Decimal("200.2"), operating_revenue=Decimal("2002"), assessment_year=2025)
    result = runner.invoke(args=["pool", "check", write(tmp_path, data), "--as-of", "2025-06-30"])
    c6 = json.loads(result.stdout)["criteria"][5]
    assert c6["status"] == "pass", c6
    assert "10%" in c6["detail"]


def test_invalid_input_exits_2_listing_every_problem_with_its_path(runner, tmp_path):
    bad = applicant(rd_staff=500, employees=10)
    bad["patents"][0]["kind"] = "gadget"
    del bad["name"]
    result = runner.invoke(args=["pool", "check", write(tmp_path, [applicant(), bad])])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "[1].rd_staff" in result.stderr
    assert "[1].patents[0].kind" in result.stderr
    assert "[1].name" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_json_names_line_and_column(runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"uscc": "x",\n  "name": }', encoding="utf-8")
    result = runner.invoke(args=["pool", "check", str(path)])
    assert result.exit_code == 2
    assert "第 2 行" in result.stderr


def test_bad_as_of_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["pool", "check", write(tmp_path, applicant()), "--as-of", "30/06/2025"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_check_writes_nothing(runner, tmp_path, app):
    def counts():
        with app.app_context():
            return [db.session.scalar(select(func.count()).select_from(t))
                    for t in (Application, Enterprise, User)]

    before = counts()
    runner.invoke(args=["pool", "check", write(tmp_path, [applicant(), applicant(name="x", uscc=uscc.make("91", "420202", "MA4ABCD3X"))])])
    assert counts() == before


def test_check_reads_an_excel_workbook(runner, tmp_path):
    path = tmp_path / "in.xlsx"
    workbook.write_applicants([applicant(name="甲企业"), applicant(name="乙企业", uscc=uscc.make("91", "420202", "MA4ABCD2X"))], path)
    result = runner.invoke(args=["pool", "check", str(path), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.stderr
    assert [o["name"] for o in json.loads(result.stdout)] == ["甲企业", "乙企业"]


def test_check_uses_the_policy_value_in_force_on_as_of(runner, tmp_path, app):
    """An administrator's new 8 % threshold applies from its date, not before."""
    from decimal import Decimal

    with app.app_context():
        db.session.add(PolicyValue(key="min_rd_ratio", value="0.08", valid_from=date(2026, 6, 1),
                                   source="测试：新文件第6条"))
        db.session.commit()
    data = applicant(rd_expense=Decimal("180"), operating_revenue=Decimal("2000"),  # 9 %, < 500
                     assessment_year=2026)
    path = write(tmp_path, data)
    before = json.loads(runner.invoke(args=["pool", "check", path, "--as-of", "2026-05-31"]).stdout)
    after = json.loads(runner.invoke(args=["pool", "check", path, "--as-of", "2026-06-01"]).stdout)
    assert before["criteria"][5]["status"] == "fail"
    assert after["criteria"][5]["status"] == "pass"


def test_template_command_writes_the_workbook(runner, tmp_path):
    out = tmp_path / "template.xlsx"
    result = runner.invoke(args=["pool", "template", str(out)])
    assert result.exit_code == 0, result.output
    assert "企业" in load_workbook(out).sheetnames


def test_a_date_before_any_policy_is_an_input_error_not_a_crash(runner, tmp_path):
    result = runner.invoke(args=["pool", "check", write(tmp_path, applicant()), "--as-of", "2001-01-01"])
    assert result.exit_code == 2
    assert "as_of: 2001-01-01 没有生效的政策参数" in result.stderr
    assert "Traceback" not in result.stderr


def test_real_classes_are_eligible_with_the_shipped_classification(runner, tmp_path):
    """The shipped 2019 classification decides criterion 3 without any set-up."""
    codes = ["C3921", "C2641", "M7320", "D4620", "C1711"]
    items = [applicant(industry_code=code, assessment_year=2026) for code in codes]
    result = runner.invoke(args=["pool", "check", write(tmp_path, items), "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["verdict"] for o in out] == ["eligible"] * 4 + ["needs_review"]
    assert "属于专利密集型产业：信息通信技术制造业 › 通信设备、雷达及配套设备制造" in out[0]["criteria"][2]["detail"]
    c3 = out[4]["criteria"][2]
    assert c3["status"] == "review" and "C1711 棉纺纱加工 不在" in c3["detail"]


def test_a_non_class_is_an_input_error_naming_the_nearest_classes(runner, tmp_path):
    result = runner.invoke(args=["pool", "check", write(tmp_path, applicant(industry_code="C3500")),
                                 "--as-of", "2025-06-30"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "industry_code" in result.stderr and "C3511 矿山机械制造" in result.stderr
