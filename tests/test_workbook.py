"""pool.io.workbook: the Excel template, the defensive reader and the writer."""
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pool.io.workbook import reader
from pool.io.workbook import (
    BOOLEAN_LABELS, FIELD_LABELS, PATENT_KIND_LABELS, QUALIFICATION_LABELS, SHEETS, Problem, WorkbookError,
    read_applicants, write_applicants, write_template,
)
from tests import factories

# ---------------------------------------------------------------------------
# helpers


def _code(n: int) -> str:
    return factories.uscc(region="420281", body=f"MA{n:07d}")


def _xlsx(applicants=(), **kwargs) -> bytes:
    stream = io.BytesIO()
    write_applicants(list(applicants), stream, **kwargs)
    return stream.getvalue()


def _template(**kwargs) -> bytes:
    stream = io.BytesIO()
    write_template(stream, **kwargs)
    return stream.getvalue()


def _edited(data: bytes, change) -> bytes:
    """The workbook after ``change(book)``, as an officer's edit in Excel would leave it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _rewritten(data: bytes, change) -> bytes:
    """The workbook with ``change(xml)`` applied to every sheet's XML: what no spreadsheet writes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, change(content) if info.filename.startswith("xl/worksheets/") else content)
    return stream.getvalue()


def _cell(sheet: str, field: str, row: int) -> str:
    """Coordinate of ``field`` in the template layout, e.g. ("企业", "employees", 2) → "H2"."""
    layout = next(s for s in SHEETS if s.name == sheet)
    position = next(i for i, c in enumerate(layout.columns, start=1) if c.field == field)
    return f"{openpyxl.utils.get_column_letter(position)}{row}"


def _column(sheet: str, field: str) -> str:
    """The ``Problem.column`` the reader gives for ``field`` at its template place."""
    layout = next(s for s in SHEETS if s.name == sheet)
    col = next(c for c in layout.columns if c.field == field)
    return f"{re.match('[A-Z]+', _cell(sheet, field, 1)).group()}「{col.header}」"


def _problems(data: bytes, **kwargs) -> list[Problem]:
    with pytest.raises(WorkbookError) as caught:
        read_applicants(data, **kwargs)
    return caught.value.problems


def _where(problems) -> set:
    return {(p.sheet, p.row, p.column) for p in problems}


def _minimal(n: int = 1, **extra) -> dict:
    return {"uscc": _code(n), "name": f"黄石第{n}公司", "assessment_year": 2025, **extra}


def _rich() -> dict:
    """A full applicant in Chinese, with many patents and products."""
    patents = [
        {"number": f"ZL2023100{i:05d}.{i % 10}", "kind": kind, "status": status, "origin": origin,
         "core": i % 3 == 0, "industrialized": i % 2 == 0}
        for i, (kind, status, origin) in enumerate(
            [(k, s, o) for k in PATENT_KIND_LABELS
             for s in ("valid", "pending", "lapsed", "invalidated", "expired")
             for o in ("self", "acquired", "licensed")])
    ]
    return {
        "uscc": _code(7),
        "name": "黄石市东贝智能装备股份有限公司",
        "county": "黄石经济技术开发区",
        "assessment_year": 2025,
        "registered_region_code": "420291",
        "independent_legal_person": True,
        "industry_code": "C3562",
        "employees": 860,
        "operating_revenue": Decimal("38250.75"),
        "total_assets": Decimal("52000"),
        "rd_expense": Decimal("3120.5"),
        "rd_staff": 190,
        "has_rd_leader": True,
        "uscc_checksum_override": False,
        "ip_management": {"rules": True, "department": True, "staff": True, "budget": False,
                          "certified_gbt29490": True},
        "integrity": {"abnormal_patent_applications": False, "major_accident": False,
                      "violation": False, "serious_dishonesty": False},
        "brand_evidence": ["2023 年湖北省著名商标", "国内压缩机市场占有率 12%；华中地区第一", "湖北名牌产品"],
        "qualifications": [
            {"type": code, "certificate_no": f"GR2023420{i:05d}", "valid_from": "2023-11-15",
             "valid_to": "2026-11-14"}
            for i, code in enumerate(QUALIFICATION_LABELS)
        ],
        "patents": patents,
        "products": [
            {"name": f"变频压缩机 {i} 型", "main": i < 3, "patents": [p["number"] for p in patents[i:i + 4]],
             "filing_no": f"BA-2024-{i:03d}", "patent_intensive": i % 2 == 1, "certified_on": "2024-06-30"}
            for i in range(12)
        ] + [{"name": "售后服务"}],
        "trademarks": [{"reg_no": "12345678", "owned": True, "valid_to": "2031-05-20"},
                       {"reg_no": "87654321", "owned": False}],
        "research_partnerships": [
            {"partner": "湖北师范大学", "partner_type": "university", "valid_from": "2022-01-01",
             "valid_to": "2026-12-31"},
            {"partner": "武汉材料保护研究所", "partner_type": "research_institute",
             "valid_from": "2021-03-01", "valid_to": "2025-02-28"},
            {"partner": "某行业协会", "partner_type": "other", "valid_from": "2020-01-01",
             "valid_to": "2020-12-31"},
        ],
    }


# ---------------------------------------------------------------------------
# the template


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_template_has_the_sheets_and_headers_in_order():
    book = openpyxl.load_workbook(io.BytesIO(_template()))
    assert book.sheetnames == ["填写说明", "企业", "资格证书", "专利", "产品", "商标", "产学研合作", "选项"]
    assert book["选项"].sheet_state == "hidden"
    for layout in SHEETS:
        sheet = book[layout.name]
        assert [c.value for c in sheet[1]] == [c.header for c in layout.columns]
        assert sheet.max_row == 1
        assert sheet.freeze_panes == ("C2" if layout.group is None else "B2")
        for position, col in enumerate(layout.columns, start=1):
            header = sheet.cell(1, position)
            assert col.header in header.comment.text
            assert sheet.column_dimensions[header.column_letter].width == col.width
    assert "万元" in book["企业"]["I1"].value and "万元" in book["企业"]["I1"].comment.text
    assert book["企业"][_cell("企业", "uscc", 1)].font.color.rgb.endswith("C00000")  # required in red
    for layout in SHEETS[1:]:
        assert book[layout.name]["A1"].value == "统一社会信用代码"


def test_template_guide_documents_every_column():
    book = openpyxl.load_workbook(io.BytesIO(_template()))
    guide = book["填写说明"]
    rows = {(r[0], r[2]) for r in guide.iter_rows(values_only=True)}
    for layout in SHEETS:
        for col in layout.columns:
            assert (layout.name, col.header) in rows
    text = "\n".join(str(r[0]) for r in guide.iter_rows(values_only=True) if r[0])
    assert "万元" in text and "YYYY-MM-DD" in text


def _options(book, formula: str) -> list[str]:
    sheet_name, ref = formula.split("!")
    cells = book[sheet_name.strip("'")][ref.replace("$", "")]
    return [row[0].value for row in cells]


def _validations(sheet) -> dict:
    """Data validations by the first cell of their range."""
    return {cell_range.coord.split(":")[0]: validation
            for validation in sheet.data_validations.dataValidation for cell_range in validation.sqref.ranges}


def test_template_has_drop_downs_for_enumerations_and_booleans():
    book = openpyxl.load_workbook(io.BytesIO(_template()))
    for layout in SHEETS:
        by_column = _validations(book[layout.name])
        for col in layout.columns:
            start = _cell(layout.name, col.field, 2)
            if col.kind == "bool":
                assert by_column[start].type == "list"
                assert _options(book, by_column[start].formula1) == ["是", "否"]
            elif col.kind == "enum":
                assert by_column[start].type == "list"
                assert by_column[start].showErrorMessage
                assert _options(book, by_column[start].formula1) == list(col.labels.values())
            elif col.kind in ("int", "money"):
                assert by_column[start].type in ("whole", "decimal")
    qualification = _validations(book["资格证书"])[_cell("资格证书", "type", 2)]
    assert '专精特新"小巨人"企业' in _options(book, qualification.formula1)


def test_template_county_suggestions_only_when_given():
    plain = openpyxl.load_workbook(io.BytesIO(_template()))
    county = _cell("企业", "county", 2)
    assert county not in _validations(plain["企业"])
    book = openpyxl.load_workbook(io.BytesIO(_template(counties=["大冶市", "阳新县"])))
    validation = _validations(book["企业"])[county]
    assert _options(book, validation.formula1) == ["大冶市", "阳新县"]
    assert not validation.showErrorMessage  # another county can still be typed


def test_template_reads_as_no_applicants(tmp_path):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    assert read_applicants(path) == []


def test_label_maps_cover_the_contract_codes():
    assert list(QUALIFICATION_LABELS) == ["specialized_sme", "little_giant", "high_tech", "ip_advantage",
                                          "ip_demonstration", "ip_pilot", "tech_sme", "other"]
    assert BOOLEAN_LABELS == {True: "是", False: "否"}
    assert FIELD_LABELS["operating_revenue"] == "上年度营业收入（万元）"
    assert FIELD_LABELS["ip_management.rules"] == "知识产权管理制度"
    assert FIELD_LABELS["patents.kind"] == "专利类型"


# ---------------------------------------------------------------------------
# round trips


def test_rich_applicants_round_trip_from_bytes_path_and_stream(tmp_path):
    applicants = [_rich(), _minimal(2), _minimal(3, brand_evidence=["唯一一条；含分号"])]
    data = _xlsx(applicants)
    assert read_applicants(data) == applicants
    path = tmp_path / "导出.xlsx"
    write_applicants(applicants, path)
    assert read_applicants(str(path)) == applicants
    with open(path, "rb") as stream:
        assert read_applicants(stream) == applicants


def test_factory_applicant_round_trips_up_to_empty_lists():
    applicant = factories.applicant()
    assert applicant["products"][1]["patents"] == []
    expected = factories.applicant()
    del expected["products"][1]["patents"]  # an empty cell reads as absent, which means none
    assert read_applicants(_xlsx([applicant])) == [expected]


def test_read_keeps_exact_types():
    [applicant] = read_applicants(_xlsx([_rich()]))
    assert type(applicant["employees"]) is int and type(applicant["assessment_year"]) is int
    assert type(applicant["operating_revenue"]) is Decimal
    assert str(applicant["operating_revenue"]) == "38250.75"
    assert applicant["independent_legal_person"] is True
    assert applicant["qualifications"][0]["valid_from"] == "2023-11-15"
    assert applicant["products"][-1] == {"name": "售后服务"}
    assert "patents" not in applicant["products"][-1]


def test_absent_fields_stay_absent():
    [applicant] = read_applicants(_xlsx([_minimal()]))
    assert applicant == _minimal()
    assert set(applicant) == {"uscc", "name", "assessment_year"}


def test_precise_and_huge_numbers_are_written_as_text_and_come_back_exact():
    applicant = _minimal(total_assets=Decimal("12345678901234567.891"), employees=10 ** 18,
                         rd_expense=Decimal("0.0000001"))
    data = _xlsx([applicant])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["企业"]
    assert sheet[_cell("企业", "total_assets", 2)].value == "12345678901234567.891"
    assert read_applicants(data) == [applicant]


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn")), min_size=1, max_size=20).filter(
    lambda s: s == s.strip())
_TEXTS = st.one_of(_TEXT, _TEXT.map(lambda s: "=" + s),
                   st.sampled_from(["=1+1", "+8613800000000", "-5", "@SUM(A1)", "'=x", "''+y", "'x", "12"]))
_NUMBER_ITEM = _TEXT.filter(lambda s: not re.search(r"[；;,，、]", s))
_MONEY = st.one_of(
    st.integers(0, 10).flatmap(lambda places: st.decimals(
        min_value=0, max_value=10 ** 9, places=places, allow_nan=False, allow_infinity=False)),
    st.from_regex(r"[0-9]{1,22}\.[0-9]{1,12}", fullmatch=True).map(Decimal),
)
_DATE = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
_FLAGS = st.booleans()


def _optional(**fields):
    return fields


_APPLICANT = st.fixed_dictionaries(
    {"uscc": st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}", fullmatch=True),
     "name": _TEXTS,
     "assessment_year": st.integers(2000, 2100)},
    optional={
        "county": _TEXTS,
        "registered_region_code": st.from_regex(r"[0-9]{6}", fullmatch=True),
        "industry_code": st.from_regex(r"[A-T]?[0-9]{4}", fullmatch=True),
        "independent_legal_person": _FLAGS,
        "employees": st.integers(0, 10 ** 18),
        "operating_revenue": _MONEY,
        "total_assets": _MONEY,
        "rd_expense": _MONEY,
        "rd_staff": st.integers(0, 10 ** 6),
        "has_rd_leader": _FLAGS,
        "uscc_checksum_override": _FLAGS,
        "ip_management": st.fixed_dictionaries({}, optional={
            k: _FLAGS for k in ("rules", "department", "staff", "budget", "certified_gbt29490")}).filter(bool),
        "integrity": st.fixed_dictionaries({}, optional={
            k: _FLAGS for k in ("abnormal_patent_applications", "major_accident", "violation",
                                "serious_dishonesty")}).filter(bool),
        "brand_evidence": st.lists(_TEXTS, min_size=1, max_size=4),
        "qualifications": st.lists(st.fixed_dictionaries(
            {"type": st.sampled_from(list(QUALIFICATION_LABELS)), "valid_from": _DATE, "valid_to": _DATE},
            optional={"certificate_no": _TEXTS}), min_size=1, max_size=3),
        "patents": st.lists(st.fixed_dictionaries(
            {"number": _NUMBER_ITEM, "kind": st.sampled_from(["invention", "utility_model", "design"]),
             "status": st.sampled_from(["valid", "pending", "lapsed", "invalidated", "expired"])},
            optional={"origin": st.sampled_from(["self", "acquired", "licensed"]), "core": _FLAGS,
                      "industrialized": _FLAGS}), min_size=1, max_size=6),
        "products": st.lists(st.fixed_dictionaries(
            {"name": _TEXTS},
            optional={"main": _FLAGS, "patents": st.lists(_NUMBER_ITEM, min_size=1, max_size=4),
                      "filing_no": _TEXTS, "patent_intensive": _FLAGS, "certified_on": _DATE}),
            min_size=1, max_size=4),
        "trademarks": st.lists(st.fixed_dictionaries(
            {"reg_no": _TEXTS, "owned": _FLAGS}, optional={"valid_to": _DATE}), min_size=1, max_size=3),
        "research_partnerships": st.lists(st.fixed_dictionaries(
            {"partner": _TEXTS, "partner_type": st.sampled_from(["university", "research_institute", "other"]),
             "valid_from": _DATE, "valid_to": _DATE}), min_size=1, max_size=3),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_APPLICANT, max_size=4, unique_by=lambda a: a["uscc"]))
def test_round_trip_of_generated_applicants(applicants):
    assert read_applicants(_xlsx(applicants)) == applicants


# ---------------------------------------------------------------------------
# reading what officers type


def _filled(*edits, base=None) -> bytes:
    """A one-applicant workbook with cells overwritten: edits are (sheet, coordinate, value)."""
    def change(book):
        for sheet, coordinate, value in edits:
            book[sheet][coordinate] = value
    return _edited(_xlsx(base or [_minimal()]), change)


def test_excel_float_200_2_is_decimal_200_2():
    data = _filled(("企业", _cell("企业", "operating_revenue", 2), 200.2),
                   ("企业", _cell("企业", "total_assets", 2), 0.1 + 0.2),
                   ("企业", _cell("企业", "rd_expense", 2), 300))
    [applicant] = read_applicants(data)
    assert applicant["operating_revenue"] == Decimal("200.2")
    assert str(applicant["operating_revenue"]) == "200.2"
    assert str(applicant["total_assets"]) == "0.3"  # Excel's 15 digits, not binary noise
    assert applicant["rd_expense"] == Decimal("300") and str(applicant["rd_expense"]) == "300"


def test_numbers_typed_as_text_are_accepted():
    data = _filled(("企业", _cell("企业", "operating_revenue", 2), "1,234.50"),
                   ("企业", _cell("企业", "total_assets", 2), " ５２０ "),
                   ("企业", _cell("企业", "employees", 2), "120"),
                   ("企业", _cell("企业", "rd_staff", 2), 12.0))
    [applicant] = read_applicants(data)
    assert applicant["operating_revenue"] == Decimal("1234.50")
    assert applicant["total_assets"] == Decimal("520")
    assert applicant["employees"] == 120 and applicant["rd_staff"] == 12


def test_codes_typed_as_numbers_come_back_as_text():
    data = _filled(("企业", _cell("企业", "registered_region_code", 2), 420281),
                   ("企业", _cell("企业", "industry_code", 2), 3562))
    [applicant] = read_applicants(data)
    assert applicant["registered_region_code"] == "420281" and applicant["industry_code"] == "3562"


def test_dates_as_cells_or_text():
    edits = [("资格证书", "A2", _code(1)), ("资格证书", "B2", "高新技术企业"),
             ("资格证书", "D2", datetime(2024, 1, 5)), ("资格证书", "E2", "2026/1/4"),
             ("资格证书", "A3", _code(1)), ("资格证书", "B3", "high_tech"),
             ("资格证书", "D3", date(2024, 2, 29)), ("资格证书", "E3", "2026年12月31日"),
             ("资格证书", "A4", _code(1)), ("资格证书", "B4", "other"),
             ("资格证书", "D4", "2024-03-01"), ("资格证书", "E4", " 2024.3.2 ")]
    [applicant] = read_applicants(_filled(*edits))
    assert [(q["valid_from"], q["valid_to"]) for q in applicant["qualifications"]] == [
        ("2024-01-05", "2026-01-04"), ("2024-02-29", "2026-12-31"), ("2024-03-01", "2024-03-02")]


def test_labels_english_codes_and_spelling_variants():
    edits = [("资格证书", "A2", _code(1)), ("资格证书", "B2", "专精特新“小巨人”企业"),
             ("资格证书", "D2", "2024-01-01"), ("资格证书", "E2", "2025-01-01"),
             ("专利", "A2", _code(1)), ("专利", "B2", "ZL1"), ("专利", "C2", "invention"),
             ("专利", "D2", "VALID"), ("专利", "E2", "受让"), ("专利", "F2", True), ("专利", "G2", "false"),
             ("产学研合作", "A2", _code(1)), ("产学研合作", "B2", "湖北理工学院"), ("产学研合作", "C2", "科研机构"),
             ("产学研合作", "D2", "2024-01-01"), ("产学研合作", "E2", "2025-01-01"),
             ("企业", _cell("企业", "has_rd_leader", 2), "是"),
             ("企业", _cell("企业", "integrity.violation", 2), "否")]
    [applicant] = read_applicants(_filled(*edits))
    assert applicant["qualifications"][0]["type"] == "little_giant"
    assert applicant["patents"] == [{"number": "ZL1", "kind": "invention", "status": "valid",
                                     "origin": "acquired", "core": True, "industrialized": False}]
    assert applicant["research_partnerships"][0]["partner_type"] == "research_institute"
    assert applicant["has_rd_leader"] is True
    assert applicant["integrity"] == {"violation": False}


def test_lists_in_one_cell():
    edits = [("产品", "A2", _code(1)), ("产品", "B2", "阀门"), ("产品", _cell("产品", "patents", 2), "ZL1；ZL2,ZL3\nZL4、 ZL5 ;"),
             ("企业", _cell("企业", "brand_evidence", 2), "省著名商标；市长质量奖;  "),
             ("企业", "A3", _code(2)), ("企业", "B3", "乙"), ("企业", "D3", 2025),
             ("企业", _cell("企业", "brand_evidence", 3), "获奖：一等奖；二等奖\n市场占有率 20%\n")]
    first, second = read_applicants(_filled(*edits))
    assert first["products"] == [{"name": "阀门", "patents": ["ZL1", "ZL2", "ZL3", "ZL4", "ZL5"]}]
    assert first["brand_evidence"] == ["省著名商标", "市长质量奖"]
    # With line breaks, only line breaks separate items.
    assert second["brand_evidence"] == ["获奖：一等奖；二等奖", "市场占有率 20%"]


def test_whitespace_trimmed_and_empty_rows_ignored():
    def change(book):
        sheet = book["企业"]
        sheet["B2"] = "  黄石某公司\u3000"
        sheet["A4"] = "   "  # a row of blanks only
        sheet["A6"], sheet["B6"], sheet["D6"] = f" {_code(2)} ", "乙", " 2025 "
        sheet["Z6"] = "备注不读"
        book["专利"]["A9"] = " "
    data = _edited(_xlsx([_minimal()]), change)
    assert read_applicants(data) == [_minimal(name="黄石某公司"), _minimal(2, name="乙")]


def test_columns_found_by_header_not_position():
    """Reordered columns, a half-width unit, an English key and an extra column all read."""
    layout = SHEETS[0]
    headers = [c.header for c in layout.columns][::-1] + ["备注"]
    headers[headers.index("上年度营业收入（万元）")] = "上年度营业收入(万元)"
    headers[headers.index("企业名称")] = "name"
    row = {h: None for h in headers}
    row.update({"统一社会信用代码": _code(1), "name": "甲", "申报年度": 2025, "上年度营业收入(万元)": 10.5,
                "备注": "任意"})

    def change(book):
        sheet = book["企业"]
        sheet.delete_rows(1, sheet.max_row)
        sheet.append(headers)
        sheet.append([row[h] for h in headers])
    [applicant] = read_applicants(_edited(_template(), change))
    assert applicant == {"uscc": _code(1), "name": "甲", "assessment_year": 2025,
                         "operating_revenue": Decimal("10.5")}


def test_a_lying_dimension_does_not_hide_rows():
    applicants = [_minimal(n) for n in range(1, 6)]
    data = _rewritten(_xlsx(applicants),
                      lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', xml))
    assert read_applicants(data) == applicants


# ---------------------------------------------------------------------------
# problems


def test_every_cell_problem_is_reported_with_its_place():
    base = [_minimal(1), _minimal(2)]
    edits = [
        ("企业", _cell("企业", "employees", 2), "十二人"),
        ("企业", _cell("企业", "operating_revenue", 2), "约 200 万"),
        ("企业", _cell("企业", "rd_staff", 2), 12.5),
        ("企业", _cell("企业", "has_rd_leader", 2), "也许"),
        ("企业", _cell("企业", "assessment_year", 3), datetime(2025, 1, 1)),
        ("企业", "A4", _code(1)), ("企业", "B4", "重复企业"),
        ("资格证书", "A2", _code(2)), ("资格证书", "B2", "省级示范企业"),
        ("资格证书", "D2", "2024-02-30"), ("资格证书", "E2", 45292),
        ("专利", "A2", _code(9)), ("专利", "B2", "ZL9"), ("专利", "C2", "发明"), ("专利", "D2", "有效"),
        ("产品", "B2", "无主产品"),
    ]
    problems = _problems(_filled(*edits, base=base))
    expected = {
        ("企业", 2, _column("企业", "employees")),
        ("企业", 2, _column("企业", "operating_revenue")),
        ("企业", 2, _column("企业", "rd_staff")),
        ("企业", 2, _column("企业", "has_rd_leader")),
        ("企业", 3, _column("企业", "assessment_year")),
        ("企业", 4, _column("企业", "uscc")),
        ("资格证书", 2, _column("资格证书", "type")),
        ("资格证书", 2, _column("资格证书", "valid_from")),
        ("资格证书", 2, _column("资格证书", "valid_to")),
        ("专利", 2, _column("专利", "uscc")),
        ("产品", 2, _column("产品", "uscc")),
    }
    assert _where(problems) == expected
    assert len(problems) == len(expected)
    messages = {(p.sheet, p.row, p.column): p.message for p in problems}
    assert "整数" in messages[("企业", 2, _column("企业", "rd_staff"))]
    assert "重复" in messages[("企业", 4, _column("企业", "uscc"))]
    assert "不是有效日期" in messages[("资格证书", 2, _column("资格证书", "valid_from"))]
    assert "高新技术企业" in messages[("资格证书", 2, _column("资格证书", "type"))]  # lists the choices
    assert "不在「企业」" in messages[("专利", 2, _column("专利", "uscc"))]
    assert all(re.search(r"[\u4e00-\u9fff]", p.message) for p in problems)
    # Reported in reading order: by sheet, then row, then column.
    order = [s.name for s in SHEETS]
    assert problems == sorted(problems, key=lambda p: (order.index(p.sheet), p.row))


def test_patent_row_with_unknown_uscc():
    stranger = _code(99)
    problems = _problems(_filled(("专利", "A2", stranger), ("专利", "B2", "ZL1"),
                                 ("专利", "C2", "发明"), ("专利", "D2", "有效")))
    assert _where(problems) == {("专利", 2, "A「统一社会信用代码」")}
    assert stranger in problems[0].message
    assert str(problems[0]).startswith("「专利」 第 2 行 A「统一社会信用代码」：")


def test_missing_sheet_and_header_reported_with_cell_problems():
    def change(book):
        del book["商标"]
        book["专利"]["C1"] = "类型"
        book["企业"][_cell("企业", "employees", 2)] = "many"
    problems = _problems(_edited(_xlsx([_minimal()]), change))
    assert _where(problems) == {
        ("企业", 2, _column("企业", "employees")),
        ("专利", 1, "「专利类型」"),
        ("商标", None, None),
    }
    assert any("缺少工作表「商标」" in p.message for p in problems)


def test_duplicate_header_reported():
    problems = _problems(_filled(("企业", "Z1", "企业名称")))
    assert _where(problems) == {("企业", 1, "Z「企业名称」")}


def test_text_cell_refuses_precision_already_lost():
    problems = _problems(_filled(("企业", "A2", 9.14202816141e17)))
    assert _where(problems) == {("企业", 2, _column("企业", "uscc"))}
    assert "文本格式" in problems[0].message


def test_out_of_range_number_is_a_problem_not_a_crash():
    data = _filled(("企业", _cell("企业", "operating_revenue", 2), 200.2),
                   ("企业", _cell("企业", "county", 2), 1.5))
    data = _rewritten(data, lambda xml: re.sub(rb"<v>(200\.2|1\.5)</v>", b"<v>1e999</v>", xml))
    assert _where(_problems(data)) == {("企业", 2, _column("企业", "operating_revenue")),
                                                    ("企业", 2, _column("企业", "county"))}


def test_date_with_time_is_refused():
    edits = [("商标", "A2", _code(1)), ("商标", "B2", "123"), ("商标", "C2", "是"),
             ("商标", "D2", datetime(2030, 1, 1, 12, 30))]
    assert _where(_problems(_filled(*edits))) == {("商标", 2, _column("商标", "valid_to"))}


def test_error_is_a_value_error_listing_every_problem():
    with pytest.raises(ValueError) as caught:
        read_applicants(_filled(("企业", _cell("企业", "employees", 2), "x"),
                                ("企业", _cell("企业", "rd_staff", 2), "y")))
    assert "2 处问题" in str(caught.value)
    assert [p.as_dict()["row"] for p in caught.value.problems] == [2, 2]


# ---------------------------------------------------------------------------
# defensive reading


def _refuse_parsing(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("openpyxl must not see this file")
    monkeypatch.setattr(openpyxl, "load_workbook", fail)


def _only_problem(data, **kwargs) -> str:
    [problem] = _problems(data, **kwargs)
    assert (problem.sheet, problem.row, problem.column) == (None, None, None)
    return problem.message


def test_size_limit_checked_before_parsing(monkeypatch, tmp_path):
    data = _xlsx([_minimal()])
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)
    _refuse_parsing(monkeypatch)
    for source in (data, str(path), io.BytesIO(data)):
        with pytest.raises(WorkbookError) as caught:
            read_applicants(source, max_bytes=len(data) - 1)
        assert "上限" in caught.value.problems[0].message


def test_default_size_limit_is_ten_megabytes():
    assert "10 MB" in _only_problem(b"\0" * (10 * 1024 * 1024 + 1))


def test_not_a_zip(monkeypatch):
    _refuse_parsing(monkeypatch)
    assert ".xlsx" in _only_problem(b"uscc,name\n914202,test\n")
    assert ".xls" in _only_problem(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    assert "为空" in _only_problem(b"")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert ".xlsx" in _only_problem(plain_zip.getvalue())


def test_corrupt_workbook_is_a_problem_not_a_crash():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-xml")
    assert "损坏" in _only_problem(stream.getvalue())


def test_zip_bomb_rejected_before_parsing(monkeypatch):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(64):
                member.write(chunk)
    data = stream.getvalue()
    assert len(data) < 1024 * 1024  # 64 MiB of zeros in well under 1 MiB
    _refuse_parsing(monkeypatch)
    assert "压缩" in _only_problem(data)


def test_total_uncompressed_size_limited(monkeypatch):
    data = _xlsx([_minimal()])
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED_BYTES", 10_000)
    _refuse_parsing(monkeypatch)
    assert "解压后" in _only_problem(data)


def test_too_many_rows():
    applicants = [_minimal(n) for n in range(1, 7)]
    assert len(read_applicants(_xlsx(applicants), max_rows=6)) == 6
    [problem] = _problems(_xlsx(applicants), max_rows=5)
    assert (problem.sheet, problem.row) == ("企业", 7)
    assert "5 行" in problem.message
    patents = [{"number": f"ZL{i}", "kind": "design", "status": "valid"} for i in range(8)]
    [problem] = _problems(_xlsx([_minimal(patents=patents)]), max_rows=5)
    assert (problem.sheet, problem.row) == ("专利", 7)


# ---------------------------------------------------------------------------
# formula injection and writer refusals


def test_formula_like_text_is_quoted_and_round_trips():
    applicant = _minimal(
        name='=HYPERLINK("http://evil.example","点此")', county="+86 大冶", brand_evidence=["@SUM(A1)", "正常"],
        qualifications=[{"type": "other", "certificate_no": "-1", "valid_from": "2024-01-01",
                         "valid_to": "2025-01-01"}],
        patents=[{"number": "'=already-quoted", "kind": "design", "status": "valid"}],
        products=[{"name": "'plain quote", "patents": ["=cmd|' /C calc'!A0"]}],
    )
    data = _xlsx([applicant])
    book = openpyxl.load_workbook(io.BytesIO(data))
    written = {
        book["企业"][_cell("企业", "name", 2)],
        book["企业"][_cell("企业", "county", 2)],
        book["企业"][_cell("企业", "brand_evidence", 2)],
        book["资格证书"]["C2"],
        book["专利"]["B2"],
        book["产品"]["D2"],
    }
    for cell in written:
        assert cell.data_type == "s" and cell.value.startswith("'"), cell.coordinate
    assert book["专利"]["B2"].value == "''=already-quoted"
    assert book["产品"]["B2"].value == "'plain quote"  # nothing to defuse, nothing added
    assert read_applicants(data) == [applicant]


def test_reader_strips_one_quote_only_before_a_formula_character():
    data = _filled(("企业", "B2", "'=SUM(1)"), ("企业", "C2", "'大冶市"))
    [applicant] = read_applicants(data)
    assert applicant["name"] == "=SUM(1)" and applicant["county"] == "'大冶市"


@pytest.mark.parametrize("applicant, field", [
    (_minimal(products=[{"name": "阀门", "patents": ["ZL1,ZL2"]}]), "patents"),
    (_minimal(brand_evidence=["第一行\n第二行"]), "brand_evidence"),
    (_minimal(name="控制\x01字符"), "name"),
    (_minimal(name="长" * 40000), "name"),
    (_minimal(employees="12"), "employees"),
    (_minimal(operating_revenue=Decimal("NaN")), "operating_revenue"),
    (_minimal(unknown_field=1), "unknown_field"),
    (_minimal(patents=[{"number": "ZL1", "kind": "design", "status": "valid", "extra": 1}]), "extra"),
])
def test_writer_refuses_what_a_cell_cannot_hold(applicant, field):
    with pytest.raises(ValueError, match=field):
        _xlsx([applicant])


def test_writer_refuses_missing_or_duplicate_codes():
    with pytest.raises(ValueError, match="重复"):
        _xlsx([_minimal(1), _minimal(1)])
    with pytest.raises(ValueError, match="统一社会信用代码"):
        _xlsx([{"name": "无代码", "assessment_year": 2025}])


def test_writer_keeps_invalid_but_representable_values_for_the_reader_to_judge():
    applicant = _minimal(qualifications=[{"type": "unknown_kind", "valid_from": "2024-13-01",
                                          "valid_to": "2025-01-01"}])
    problems = _problems(_xlsx([applicant]))
    assert _where(problems) == {("资格证书", 2, _column("资格证书", "type")),
                                ("资格证书", 2, _column("资格证书", "valid_from"))}
