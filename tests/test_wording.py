"""Both languages: the domain's Chinese wording read back in English, and a complete catalogue."""
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Translations
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import app as _app  # noqa: F401  (imports every module that declares wording)
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.eligibility.criteria import evaluate
from pool.eligibility.policy import Policy
from pool.eligibility.sme import DEFAULT_TABLE
from pool.kernel.wording import phrase, phrases, translate
from pool.reference.gbt4754 import lookup

from .factories import AS_OF, OMIT, applicant, industry_table, partnership, patent, product, qualification, trademark

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
ENGLISH = Translations.load(str(ROOT / "translations"), ["en"]).gettext
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")


def test_a_phrase_is_found_in_its_text_and_rendered_with_the_same_values():
    ours = phrase("测试：研发投入 {amount} 万元，见 {note}")
    text = ours.format(amount="520.00", note="缺少数据：营业收入（operating_revenue）")
    english = {ours: "test: R&D {amount} × 10k CNY, see {note}"}
    assert translate(text, lambda s: english.get(s, ENGLISH(s))) == (
        "test: R&D 520.00 × 10k CNY, see data missing: operating revenue (operating_revenue)"
        .replace("operating revenue", ENGLISH("营业收入")))


def test_joined_phrases_are_read_one_by_one_and_data_stays_as_written():
    text = "；".join([phrase("需人工判断"), phrase("商标 {number} 非自主商标").format(number="商标甲")])
    assert translate(text, ENGLISH) == "needs an officer's judgement; trademark 商标甲 is not owned"
    partner = phrase("与{kind}“{partner!s}”的产学研合作在 {day} 有效（{valid_from} 至 {valid_to}）")
    text = partner.format(kind="高校", partner="湖北师范大学、某研究院", day=AS_OF, valid_from="2023-01-01",
                          valid_to="2025-12-31")
    assert translate(text, ENGLISH) == ('cooperation with the university "湖北师范大学、某研究院" in force on '
                                        '2024-10-01 (2023-01-01 to 2025-12-31)')


def test_a_text_no_phrase_explains_is_left_as_written():
    assert translate("黄石示例精密装备有限公司", ENGLISH) == "黄石示例精密装备有限公司"
    assert translate("", ENGLISH) == ""


def test_every_phrase_has_an_english_translation_with_the_same_fields():
    catalogue = {m.id: m for m in read_po(CATALOGUE.open("rb")) if m.id}
    for declared in phrases():
        if declared.startswith("测试："):
            continue  # declared by this module's first test
        entry = catalogue.get(str(declared))
        assert entry is not None and entry.string and not entry.fuzzy, f"no English for {declared!r}"
        fields = set(re.findall(r"\{(\w+)", declared))
        assert set(re.findall(r"\{(\w+)", entry.string)) == fields, declared
        assert not CJK.search(entry.string), entry.string


def test_the_catalogue_holds_every_text_of_the_code_and_templates_translated(tmp_path):
    """A new _("…"), phrase("…") or template text without English fails here (run ``make messages``)."""
    pot = tmp_path / "messages.pot"
    keywords = re.search(r"pybabel extract -F babel.cfg (.*?) -o", (ROOT / "Makefile").read_text()).group(1)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    *keywords.split(), "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalogue = {m.id: m for m in read_po(CATALOGUE.open("rb")) if m.id}
    missing = sorted(str(i) for i in extracted if i not in catalogue)
    assert not missing, f"not in the catalogue (run make messages): {missing[:10]}"
    untranslated = sorted(str(i) for i in extracted if not catalogue[i].string or catalogue[i].fuzzy)
    assert not untranslated, f"without English: {untranslated[:10]}"


# --- every criterion detail the engine writes reads in English --------------------------------------

SNAPSHOT = Policy().in_force(AS_OF)
TABLE = industry_table("C3921")
# Data the details quote as written: class and group names of the reference tables, the SME groups.
DATA = sorted({lookup(code).name for code in ("C3921", "C1711", "J6621", "C3511")}
              | {"新装备制造业", "测试行业", "测试数据", "tests", "湖北师范大学"}
              | {group.name for group in DEFAULT_TABLE.groups.values()}
              | {DEFAULT_TABLE.name, *DEFAULT_TABLE._notes.values()}, key=len, reverse=True)

three = st.sampled_from([True, False, OMIT])
money = st.sampled_from([OMIT, Decimal("0"), Decimal("120.50"), Decimal("720.00"), Decimal("50000")])


def _present(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if v is not OMIT}


@st.composite
def applicants(draw):
    patents = [patent(number=f"ZL{i}", status=draw(st.sampled_from(["valid", "expired"])),
                      core=draw(three), origin=draw(st.sampled_from(["self", "licensed", OMIT])),
                      industrialized=draw(three)) for i in range(draw(st.integers(0, 3)))]
    products = [product(name=f"P{i}", main=draw(three), patents=[p["number"] for p in patents[:1]],
                        filing_no=draw(st.sampled_from(["BA1", OMIT])))
                for i in range(draw(st.integers(0, 2)))]
    quals = [qualification(type=draw(st.sampled_from(["high_tech", "other", "tech_sme"])),
                           valid_to=draw(st.sampled_from(["2026-11-30", "2024-01-31"])))
             for _ in range(draw(st.integers(0, 2)))]
    marks = [trademark(owned=draw(st.booleans()), valid_to=draw(st.sampled_from(["2031-05-06", "2023-01-01",
                                                                                  OMIT])))
             for _ in range(draw(st.integers(0, 2)))]
    return applicant(
        industry_code=draw(st.sampled_from(["C3921", "C1711", "J6621", OMIT])),
        assessment_year=draw(st.sampled_from([2024, 2023])),
        independent_legal_person=draw(three), employees=draw(st.sampled_from([OMIT, 0, 120, 2000])),
        operating_revenue=draw(money), total_assets=draw(money), rd_expense=draw(money),
        rd_staff=draw(st.sampled_from([OMIT, 0, 30])), has_rd_leader=draw(three),
        research_partnerships=draw(st.sampled_from([[], [partnership()], [partnership(valid_to="2024-01-01")]])),
        qualifications=quals, patents=patents, products=products, trademarks=marks,
        brand_evidence=draw(st.sampled_from([[], ["2023 Hubei brand"]])),
        ip_management=_present({k: draw(three) for k in ("rules", "department", "staff", "budget",
                                                          "certified_gbt29490")}),
        integrity=_present({k: draw(three) for k in ("abnormal_patent_applications", "major_accident", "violation",
                                                     "serious_dishonesty")}),
        registered_region_code=draw(st.sampled_from([OMIT, "420202", "110101"])),
    )


def _unexplained(text: str) -> str:
    for value in DATA:
        text = text.replace(value, "")
    return "".join(CJK.findall(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=applicants())
def test_every_criterion_detail_reads_in_english(data):
    try:
        applicant_ = parse(data)
    except InvalidApplicant:
        assume(False)  # e.g. more R&D staff than employees: an input error, not a detail
    result = evaluate(applicant_, AS_OF, SNAPSHOT, TABLE)
    for c in result.criteria:
        english = translate(c.detail, ENGLISH)
        assert not _unexplained(english), f"{c.id}: {c.detail} → {english}"
        assert not _unexplained(translate(c.title, ENGLISH) + translate(c.source, ENGLISH))



def test_input_problems_name_their_field_and_say_what_is_wrong_in_english():
    from pool.eligibility.contract import path_label
    from pool.eligibility.validation import inspect

    data = applicant(uscc="91420202MA4ABCD1XX", name="   ", employees=-1, rd_staff="many", operating_revenue=OMIT,
                     has_rd_leader="yes", surprise=1, industry_code="X9",
                     qualifications=[qualification(valid_from="2025-01-01", valid_to="2024-01-01")],
                     patents=[patent(), patent(), patent(number=" ")],
                     products=[product(patents=["ZL-NOT-LISTED"])], registered_region_code="420281")
    errors, warnings = inspect(data)
    assert len(errors) >= 8 and warnings
    for problem in errors + warnings:
        said = translate(path_label(problem.path), ENGLISH) + ": " + translate(problem.message, ENGLISH)
        assert not CJK.search(said), said
