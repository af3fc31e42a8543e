"""pool.eligibility.contract, .validation, .applicant — the input contract and SPEC §2.3 input rules."""
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from pool.eligibility import contract
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.eligibility.contract import Problem, schema_problems
from pool.eligibility.validation import inspect, validate

from . import factories as f

SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "contracts" / "applicant.schema.json"
JSONSCHEMA = Draft202012Validator(contract.SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def paths(problems):
    return {p.path for p in problems}


def errors_of(**overrides):
    return validate(f.applicant(**overrides))


# --- the contract -----------------------------------------------------------

@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="shared/ is not beside the project")
def test_the_shipped_schema_copy_equals_the_shared_contract():
    shipped = json.loads(contract.SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))


def test_the_factory_applicant_is_valid_for_jsonschema_and_for_us():
    data = f.applicant()
    assert list(JSONSCHEMA.iter_errors(data)) == []
    assert inspect(data) == ([], [])


def test_parse_builds_decimals_dates_and_tuples():
    a = parse(f.applicant(operating_revenue=Decimal("2002"), rd_expense=200.2, total_assets=9200))
    assert a.rd_expense == Decimal("200.2") and type(a.rd_expense) is Decimal  # float via its repr
    assert a.total_assets == Decimal(9200) and type(a.total_assets) is Decimal
    assert a.qualifications[0].valid_to == date(2026, 11, 30)
    assert isinstance(a.patents, tuple) and isinstance(a.products[0].patents, tuple)
    assert a.products[0].certified_on == date(2024, 3, 1)
    assert a.trademarks[0].valid_to == date(2031, 5, 6)
    assert a.ip_management.certified_gbt29490 is True and a.integrity.violation is False
    assert a.warnings == ()
    with pytest.raises(AttributeError):
        a.name = "x"  # frozen


def test_absent_lists_are_empty_and_absent_facts_are_none():
    a = parse({"uscc": f.uscc(), "name": "某公司", "assessment_year": 2024})
    assert a.patents == () and a.products == () and a.brand_evidence == ()
    assert a.employees is None and a.independent_legal_person is None
    assert a.ip_management.rules is None and a.integrity.major_accident is None
    assert a.region_code == "420202"  # characters 3-8 of the USCC
    assert parse(f.applicant(registered_region_code="420281", uscc=f.uscc("420281"))).region_code == "420281"


# --- every problem, named by path -------------------------------------------

def test_all_problems_are_reported_with_their_paths():
    data = f.applicant(
        foo=1, employees="many", operating_revenue=True, uscc=f.uscc()[:17] + "0",
        qualifications=[f.qualification(), f.qualification(valid_to="2024-02-30")],
        patents=[f.patent(), f.patent(number="ZL2", kind="software")],
        ip_management={"rules": True, "zzz": True},
    )
    del data["name"]
    with pytest.raises(InvalidApplicant) as info:
        parse(data)
    assert paths(info.value.problems) == {
        "foo", "employees", "operating_revenue", "uscc", "qualifications[1].valid_to", "patents[1].kind",
        "ip_management.zzz", "name"}
    assert all(isinstance(p, Problem) and p.message for p in info.value.problems)
    assert "申报数据有 8 处错误" in str(info.value)


def test_problem_messages_are_chinese():
    problems = {p.path: p.message for p in errors_of(foo=1, employees="x", patents=[{"number": "Z"}])}
    assert problems["foo"] == "未知字段"
    assert problems["employees"] == "须为整数"
    assert problems["patents[0].kind"] == "缺少必填字段"


def test_root_must_be_an_object():
    assert [str(p) for p in validate([f.applicant()])] == ["(root): 须为对象"]
    with pytest.raises(InvalidApplicant):
        parse("{}")


# --- USCC ---------------------------------------------------------------------

def test_a_wrong_uscc_checksum_is_an_error():
    code = f.uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    problems = errors_of(uscc=wrong)
    assert paths(problems) == {"uscc"} and "校验位" in problems[0].message


def test_override_turns_the_checksum_error_into_a_warning():
    code = f.uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    a = parse(f.applicant(uscc=wrong, uscc_checksum_override=True))
    assert paths(a.warnings) == {"uscc"} and "uscc_checksum_override" in a.warnings[0].message
    assert a.uscc_checksum_override is True


@pytest.mark.parametrize("code", ["91420202MA4ABCD1I4", "914202O2MA4ABCD1X4", "91420202MA4ABCD1X", "abc"])
def test_malformed_uscc_is_an_error(code):
    assert paths(errors_of(uscc=code)) == {"uscc"}


@pytest.mark.parametrize("field, value", [
    ("uscc", f.uscc() + "\n"), ("registered_region_code", "420202\n"), ("industry_code", "C3562\n")])
def test_a_trailing_newline_the_schema_pattern_lets_through_is_an_error(field, value):
    assert not list(JSONSCHEMA.iter_errors(f.applicant(**{field: value})))  # the schema accepts it…
    assert paths(errors_of(**{field: value})) == {field}                   # …we do not


def test_region_code_disagreeing_with_the_uscc_is_a_warning():
    _, warnings = inspect(f.applicant(registered_region_code="420281"))
    assert paths(warnings) == {"registered_region_code"}


# --- numbers --------------------------------------------------------------------

def test_rd_staff_may_equal_but_not_exceed_employees():
    assert errors_of(rd_staff=120, employees=120) == []
    assert paths(errors_of(rd_staff=121, employees=120)) == {"rd_staff"}


@pytest.mark.parametrize("field, value", [
    ("employees", True), ("employees", 2.5), ("employees", Decimal("3")), ("employees", -1), ("employees", "3"),
    ("operating_revenue", True), ("operating_revenue", "100"), ("operating_revenue", Decimal("-0.01")),
    ("operating_revenue", float("nan")), ("operating_revenue", float("inf")), ("rd_expense", Decimal("NaN")),
    ("rd_expense", Decimal("Infinity")), ("total_assets", Decimal("1E+12")), ("total_assets", Decimal("1E-11")),
    ("assessment_year", 1999), ("assessment_year", 2101), ("assessment_year", Decimal("2024")),
])
def test_bad_numbers_are_errors_naming_the_field(field, value):
    assert paths(errors_of(**{field: value})) == {field}


@pytest.mark.parametrize("field, value", [
    ("employees", 300.0), ("operating_revenue", 0), ("operating_revenue", 100), ("rd_expense", 0.1),
    ("total_assets", Decimal("0.0000000001")), ("assessment_year", 2024.0),
])
def test_acceptable_numbers(field, value):
    assert errors_of(**{field: value}) == []


def test_rd_expense_may_exceed_revenue():
    assert errors_of(rd_expense=Decimal("900"), operating_revenue=Decimal("10")) == []


# --- dates ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2024-02-30", "2023-02-29", "2024-1-01", "20240101", "2024-13-01", "",
                                  "２０２４-01-01", "2024-01-01T00:00"])
def test_dates_must_be_real_iso_dates(text):
    assert paths(errors_of(qualifications=[f.qualification(valid_from=text)])) == {"qualifications[0].valid_from"}


def test_leap_day_is_a_date():
    assert errors_of(qualifications=[f.qualification(valid_from="2024-02-29")]) == []


def test_valid_from_after_valid_to_is_an_error_equal_is_not():
    assert errors_of(research_partnerships=[f.partnership(valid_from="2024-10-01", valid_to="2024-10-01")]) == []
    problems = errors_of(research_partnerships=[f.partnership(valid_from="2024-10-02", valid_to="2024-10-01")])
    assert paths(problems) == {"research_partnerships[0].valid_to"}
    problems = errors_of(qualifications=[f.qualification(), f.qualification(valid_from="2027-01-01")])
    assert paths(problems) == {"qualifications[1].valid_to"}


# --- enums, types, unknown fields -------------------------------------------------

@pytest.mark.parametrize("field, value, path", [
    ("patents", [f.patent(status="granted")], "patents[0].status"),
    ("patents", [f.patent(origin="stolen")], "patents[0].origin"),
    ("qualifications", [f.qualification(type="award")], "qualifications[0].type"),
    ("research_partnerships", [f.partnership(partner_type="company")], "research_partnerships[0].partner_type"),
    ("patents", [f.patent(core="yes")], "patents[0].core"),
    ("products", [f.product(patents="ZL1")], "products[0].patents"),
    ("products", [f.product(patents=[1])], "products[0].patents[0]"),
    ("trademarks", [{"reg_no": "1"}], "trademarks[0].owned"),
    ("trademarks", [f.trademark(owner="me")], "trademarks[0].owner"),
    ("brand_evidence", "名牌", "brand_evidence"),
    ("integrity", {"fraud": False}, "integrity.fraud"),
    ("patents", [3], "patents[0]"),
])
def test_enum_type_and_unknown_field_errors_name_the_field(field, value, path):
    assert paths(errors_of(**{field: value})) == {path}


@pytest.mark.parametrize("field, value", [("name", "   "), ("patents", [f.patent(number=" ")])])
def test_blank_strings_are_errors(field, value):
    assert len(errors_of(**{field: value})) == 1


@pytest.mark.parametrize("code, ok", [("C3562", True), ("3562", True), ("F3562", False), ("9900", False),
                                      ("C356", False)])
def test_industry_code_must_be_a_real_class(code, ok):
    assert (errors_of(industry_code=code) == []) is ok


# --- patent references ------------------------------------------------------------

def test_duplicate_patent_numbers_are_an_error():
    problems = errors_of(patents=[f.patent(), f.patent()])
    assert [str(p) for p in problems] == ["patents[1].number: 专利号 ZL202310012345.6 与 patents[0] 重复"]


def test_a_product_naming_an_unlisted_patent_is_a_warning_not_an_error():
    data = f.applicant(products=[f.product(patents=["ZL202310012345.6", "ZL999"])])
    a = parse(data)
    assert [w.path for w in a.warnings] == ["products[0].patents[1]"]
    assert "ZL999" in a.warnings[0].message


# --- the fast validator agrees with jsonschema --------------------------------------

def _jsonschema_paths(data):
    """jsonschema's errors as paths of our form (missing / unknown fields named)."""
    found = set()
    for error in JSONSCHEMA.iter_errors(data):
        base = ""
        for part in error.absolute_path:
            base = f"{base}[{part}]" if isinstance(part, int) else (f"{base}.{part}" if base else part)
        if error.validator == "required":
            found |= {f"{base}.{p}" if base else p for p in error.validator_value if p not in error.instance}
        elif error.validator == "additionalProperties":
            extra = set(error.instance) - set(error.schema.get("properties", {}))
            found |= {f"{base}.{k}" if base else str(k) for k in extra}
        else:
            found.add(base or "(root)")
    return found


_junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=3), st.just([]), st.just({}),
                  st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=False, places=2))
_dates = st.one_of(st.dates().map(date.isoformat),
                   st.sampled_from(["2024-02-30", "2023-02-29", "2024-1-01", "20240101", "２０２４-01-01",
                                    "2024-01-01\n", "", "2024-13-01", "9999-12-31"]), _junk)
_strings = st.one_of(st.text(max_size=6), _junk)
_numbers = st.one_of(st.integers(-10, 10 ** 6), st.decimals(-10, 10 ** 6, allow_nan=False, places=2),
                     st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([3.0, 2024.0, -0.0]), _junk)
_years = st.one_of(st.integers(1990, 2110), st.sampled_from([2024.0, 2024.5, Decimal("2024")]), _junk)


def _maybe(strategy, values):
    return st.one_of(strategy, st.sampled_from(values))


def _object(required: dict, optional: dict):
    return st.one_of(
        st.fixed_dictionaries(required, optional=optional),
        st.fixed_dictionaries(required, optional=optional).flatmap(
            lambda d: st.dictionaries(st.sampled_from(["extra", "x", *d]), _junk, max_size=2).map(
                lambda extra: {**d, **extra})),
        _junk)


_qualification = _object(
    {"type": _maybe(_strings, contract.QUALIFICATION_TYPES), "valid_from": _dates, "valid_to": _dates},
    {"certificate_no": _strings})
_partnership = _object(
    {"partner": _strings, "partner_type": _maybe(_strings, ["university", "research_institute", "other"]),
     "valid_from": _dates, "valid_to": _dates}, {})
_patent = _object(
    {"number": _strings, "kind": _maybe(_strings, ["invention", "utility_model", "design"]),
     "status": _maybe(_strings, ["valid", "pending", "lapsed", "invalidated", "expired"])},
    {"origin": _maybe(_strings, ["self", "acquired", "licensed"]), "core": _junk, "industrialized": st.booleans()})
_product = _object({"name": _strings}, {
    "main": st.one_of(st.booleans(), _junk), "patents": st.one_of(st.lists(_strings, max_size=3), _junk),
    "filing_no": _strings, "patent_intensive": st.booleans(), "certified_on": _dates})
_trademark = _object({"reg_no": _strings, "owned": st.one_of(st.booleans(), _junk)}, {"valid_to": _dates})
_flags = lambda names: _object({}, {n: st.one_of(st.booleans(), _junk) for n in names})  # noqa: E731
_uscc = st.one_of(st.just(f.uscc()), st.just(f.uscc() + "\n"), st.just(f.uscc()[:17] + "I"), _strings)

_applicants = st.one_of(_junk, _object(
    {"uscc": _uscc, "name": _strings, "assessment_year": _years},
    {"uscc_checksum_override": _junk, "county": _strings,
     "registered_region_code": _maybe(_strings, ["420202", "42020", "420202\n"]),
     "independent_legal_person": st.one_of(st.booleans(), _junk),
     "industry_code": _maybe(_strings, ["C3562", "3562", "c3562", "Z3562", "C3562\n"]),
     "employees": _numbers, "operating_revenue": _numbers, "total_assets": _numbers, "rd_expense": _numbers,
     "rd_staff": _numbers, "has_rd_leader": _junk,
     "research_partnerships": st.one_of(st.lists(_partnership, max_size=2), _junk),
     "qualifications": st.one_of(st.lists(_qualification, max_size=2), _junk),
     "patents": st.one_of(st.lists(_patent, max_size=3), _junk),
     "products": st.one_of(st.lists(_product, max_size=2), _junk),
     "trademarks": st.one_of(st.lists(_trademark, max_size=2), _junk),
     "brand_evidence": st.one_of(st.lists(_strings, max_size=2), _junk),
     "ip_management": _flags(["rules", "department", "staff", "budget", "certified_gbt29490"]),
     "integrity": _flags(["abnormal_patent_applications", "major_accident", "violation", "serious_dishonesty"])}))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_applicants)
def test_schema_layer_accepts_and_rejects_exactly_like_jsonschema(data):
    assert {p.path for p in schema_problems(data)} == _jsonschema_paths(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(lambda year, staff: f.applicant(assessment_year=year, rd_staff=staff),
                 _years, _numbers))
def test_near_valid_applicants_agree_with_jsonschema_and_never_crash(data):
    assert {p.path for p in schema_problems(data)} == _jsonschema_paths(data)
    errors, _ = inspect(data)
    if not errors:
        parse(data)


def test_the_generated_validator_source_is_inspectable():
    assert contract.SCHEMA_CHECK_SOURCE.startswith("def _schema_check(data, out):")


_FIELD_VALUES = {
    "uscc": _uscc, "name": _strings, "assessment_year": _years, "uscc_checksum_override": _junk,
    "registered_region_code": _maybe(_strings, ["420202", "420281", "42020"]), "industry_code": _strings,
    "employees": _numbers, "operating_revenue": _numbers, "rd_expense": _numbers, "rd_staff": _numbers,
    "qualifications": st.lists(_qualification, max_size=2), "patents": st.lists(_patent, max_size=2),
    "products": st.lists(_product, max_size=2), "trademarks": st.lists(_trademark, max_size=2),
    "research_partnerships": st.lists(_partnership, max_size=2), "brand_evidence": st.lists(_strings, max_size=2),
    "integrity": _flags(["major_accident", "violation"]), "ip_management": _flags(["rules", "budget"]),
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_one_mutated_field_agrees_with_jsonschema(data):
    field = data.draw(st.sampled_from(sorted(_FIELD_VALUES)))
    applicant = f.applicant(**{field: data.draw(_FIELD_VALUES[field])})
    assert {p.path for p in schema_problems(applicant)} == _jsonschema_paths(applicant)
