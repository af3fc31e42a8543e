"""The awards part of the JSON API: the programmes, the trial computation as the CLI,
recording facts all or nothing within the caller's county, the settlements read
with the items the caller may see."""
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AwardFact
from pool.awards import programme

from . import model_factories as mf
from .test_api import api_app, api_client, assert_problem, call, tokens  # noqa: F401 - fixtures

EXAMPLES = programme.DATA / "examples"
EXAMPLE_OF = {"xuchang-2022": "xuchang-2024", "anyang-2018": "anyang-2024", "yuanzhou-2023": "yuanzhou-2024"}


def example(code: str) -> dict:
    return json.loads((EXAMPLES / f"{EXAMPLE_OF[code]}.facts.json").read_text(encoding="utf-8"))


@pytest.fixture
def settled(api_app, use_db, world):
    with use_db() as session:
        return mf.award_settlement(session, world)


def _facts_count(use_db) -> int:
    with use_db() as session:
        return session.scalar(select(func.count()).select_from(AwardFact))


# --- the trial computation ----------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(EXAMPLE_OF))
def test_evaluate_answers_exactly_what_the_cli_prints(api_client, runner, tokens, tmp_path, use_db, code):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(example(code), ensure_ascii=False), encoding="utf-8")
    printed = runner.invoke(args=["pool", "awards", "evaluate", str(path), "--programme", code,
                                  "--year", "2024", "--json"])
    assert printed.exit_code == 0, printed.output

    body = json.dumps({"programme": code, "year": 2024, "facts": example(code)}, ensure_ascii=False)
    answer = call(api_client, "POST", "/awards/evaluate", tokens["dy"], data=body.encode(),
                  content_type="application/json")
    assert answer.status_code == 200 and answer.content_type == "application/json"
    assert answer.get_data(as_text=True) + "\n" == printed.stdout
    assert _facts_count(use_db) == 0  # a trial computation writes nothing


def test_an_amount_sent_as_a_number_is_kept_exact(api_client, tokens):
    def payable(amount):
        facts = {"beneficiaries": [{"id": "B", "kind": "enterprise", "facts": [
            {"id": "f", "type": "fee", "date": "2024-02-10", "fee": "evaluation", "amount": amount,
             "borne_by_beneficiary": True}]}]}
        answer = call(api_client, "POST", "/awards/evaluate", tokens["dy"],
                      body={"programme": "xuchang-2022", "year": 2024, "facts": facts})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()["beneficiaries"][0]["items"][0]["payable"]

    assert payable(Decimal("3.000000000000000000011")) == payable("3.000000000000000000011") == "1.500000"
    assert payable(Decimal("12.5")) == payable("12.5")


def test_evaluate_names_every_bad_field_at_once(api_client, tokens):
    facts = example("xuchang-2022")
    facts["beneficiaries"][0]["facts"][0]["designation"] = "gadget"
    del facts["beneficiaries"][0]["facts"][1]["date"]
    facts["beneficiaries"][1]["kind"] = "company"
    facts["beneficiaries"][2]["facts"][0]["amount"] = -1
    answer = call(api_client, "POST", "/awards/evaluate", tokens["dy"],
                  body={"programme": "xuchang-2022", "year": "2024", "facts": facts, "extra": 1})
    body = assert_problem(answer, 422, "year", "extra", "facts.beneficiaries[0].facts[0].designation",
                          "facts.beneficiaries[0].facts[1].date", "facts.beneficiaries[1].kind",
                          "facts.beneficiaries[2].facts[0].amount")
    messages = {e["path"]: e for e in body["errors"]}
    designation = messages["facts.beneficiaries[0].facts[0].designation"]
    assert designation["label"] == "资格类别" and "须为以下之一" in designation["message"]
    assert "（beneficiaries[1].kind）" in messages["facts.beneficiaries[1].kind"]["message"]
    assert_problem(call(api_client, "POST", "/awards/evaluate", tokens["dy"], body=[]), 422, "(root)")
    assert_problem(call(api_client, "POST", "/awards/evaluate", tokens["dy"], body={}), 422,
                   "programme", "year", "facts")


def test_an_unknown_programme_or_a_year_out_of_force_is_named(api_client, tokens):
    facts = example("xuchang-2022")
    unknown = call(api_client, "POST", "/awards/evaluate", tokens["dy"],
                   body={"programme": "huangshi-2030", "year": 2024, "facts": facts})
    problem = assert_problem(unknown, 422, "programme")
    assert "未找到奖补政策 huangshi-2030" in problem["errors"][0]["message"]
    for year in (2021, 2026):
        late = call(api_client, "POST", "/awards/evaluate", tokens["dy"],
                    body={"programme": "xuchang-2022", "year": year, "facts": facts})
        assert f"在 {year} 年不适用" in assert_problem(late, 422, "year")["errors"][0]["message"]
    both = call(api_client, "POST", "/awards/evaluate", tokens["dy"],
                body={"programme": "nowhere", "year": 2024, "facts": {"beneficiaries": 1}})
    assert_problem(both, 422, "programme", "facts.beneficiaries")


# --- the programmes --------------------------------------------------------------------------------

def test_the_programmes_as_shipped(api_client, tokens):
    listed = call(api_client, "GET", "/awards/programmes", tokens["yx"]).get_json()
    assert [p["code"] for p in listed] == list(programme.codes())
    xuchang = next(p for p in listed if p["code"] == "xuchang-2022")
    assert (xuchang["city"], xuchang["document"], xuchang["start"], xuchang["end"]) == (
        "许昌", "许知战联办〔2022〕4号", "2022-11-25", "2025-12-31")
    rule = next(r for r in xuchang["rules"] if r["id"] == "XC-02")
    assert rule["trigger"] == "qualification" and rule["clause"]
    assert [line["share"] for line in rule["funding_lines"]] == ["1"]
    assert {n["id"] for n in xuchang["not_computable"]} == {"XC-08", "XC-11-patent"}
    yuanzhou = next(p for p in listed if p["code"] == "yuanzhou-2023")
    assert any(len(r["funding_lines"]) == 2 for r in yuanzhou["rules"])


# --- recording facts ---------------------------------------------------------------------------------

def test_recording_a_facts_document_is_idempotent(api_client, tokens, use_db, world):
    document = example("anyang-2018")
    first = call(api_client, "POST", "/awards/facts", tokens["admin"], body=document)
    assert first.status_code == 201, first.get_data(as_text=True)
    count = sum(len(b["facts"]) for b in document["beneficiaries"])
    assert first.get_json() == {"recorded": count, "skipped": 0}
    again = call(api_client, "POST", "/awards/facts", tokens["admin"], body=document)
    assert again.status_code == 201 and again.get_json() == {"recorded": 0, "skipped": count}
    with use_db() as session:
        rows = session.scalars(select(AwardFact)).all()
        assert len(rows) == count
        assert {(r.source, r.entered_by_id) for r in rows} == {("import", world.admin.id)}


def test_recording_is_all_or_nothing_naming_every_problem(api_client, tokens, use_db, freeze_today):
    freeze_today(date(2026, 11, 30))
    document = example("anyang-2018")
    assert call(api_client, "POST", "/awards/facts", tokens["admin"], body=document).status_code == 201
    before = _facts_count(use_db)
    document["beneficiaries"][0]["facts"][0]["date"] = "2024-01-02"  # the same id, other content
    document["beneficiaries"][1]["facts"].append({"id": "late", "type": "prize", "date": "2026-12-01",
                                                  "level": "municipal"})
    document["beneficiaries"].append({"id": "X" * 65, "kind": "other", "facts": [
        {"id": "new-1", "type": "prize", "date": "2024-05-01", "level": "municipal"}]})
    answer = call(api_client, "POST", "/awards/facts", tokens["admin"], body=document)
    body = assert_problem(answer, 422, f"beneficiaries[{len(document['beneficiaries']) - 1}].id")
    assert _facts_count(use_db) == before
    document["beneficiaries"].pop()
    answer = call(api_client, "POST", "/awards/facts", tokens["admin"], body=document)
    last = len(document["beneficiaries"][1]["facts"]) - 1
    body = assert_problem(answer, 422, "beneficiaries[0].facts[0].id", f"beneficiaries[1].facts[{last}].date")
    assert any("内容不同" in e["message"] for e in body["errors"])
    assert _facts_count(use_db) == before

    broken = {"beneficiaries": [{"id": "B\u202e1", "kind": "agency", "facts": [
        {"id": "f", "type": "prize", "date": "2024-13-01", "level": "global"}]}]}
    answer = call(api_client, "POST", "/awards/facts", tokens["admin"], body=broken)
    assert_problem(answer, 422, "beneficiaries[0].id", "beneficiaries[0].facts[0].date",
                   "beneficiaries[0].facts[0].level")
    assert _facts_count(use_db) == before


def test_a_county_officer_records_facts_for_their_own_countys_enterprises_only(api_client, tokens, use_db,
                                                                                world):
    theirs = call(api_client, "POST", "/awards/facts", tokens["dy"],
                  body={"beneficiaries": [mf.high_tech(world.yx_ent.uscc, world.yx_ent.name)]})
    assert "不是本县" in assert_problem(theirs, 422, "beneficiaries[0].id")["detail"] + \
        theirs.get_json()["errors"][0]["message"]
    bank = call(api_client, "POST", "/awards/facts", tokens["dy"],
                body={"beneficiaries": [mf.high_tech("BANK-1", "某银行", kind="financial_institution")]})
    assert "未登记为企业" in assert_problem(bank, 422, "beneficiaries[0].id")["errors"][0]["message"]
    assert _facts_count(use_db) == 0

    ours = call(api_client, "POST", "/awards/facts", tokens["dy"],
                body={"beneficiaries": [mf.high_tech(world.dy_ent.uscc, world.dy_ent.name)]})
    assert ours.status_code == 201 and ours.get_json() == {"recorded": 1, "skipped": 0}
    with use_db() as session:
        row = session.scalar(select(AwardFact))
        assert (row.enterprise_id, row.county_id, row.entered_by_id) == (
            world.dy_ent.id, world.dy.id, world.dy_officer.id)
    bank = call(api_client, "POST", "/awards/facts", tokens["admin"],
                body={"beneficiaries": [mf.high_tech("BANK-1", "某银行", kind="financial_institution")]})
    assert bank.status_code == 201


# --- settlements -------------------------------------------------------------------------------------

def _keys(settlement_json) -> set[str]:
    return {i["beneficiary"]["key"] for i in settlement_json["items"]}


def test_a_county_officer_sees_only_their_countys_items(api_client, tokens, world, settled):
    url = f"/awards/settlements/{settled}"
    everything = call(api_client, "GET", url, tokens["admin"]).get_json()
    assert _keys(everything) == {world.dy_ent.uscc, world.yx_ent.uscc, "411002198001010011"}
    dy = call(api_client, "GET", url, tokens["dy"]).get_json()
    assert _keys(dy) == {world.dy_ent.uscc} and dy["total"] == 1
    yx = call(api_client, "GET", url, tokens["yx"]).get_json()
    assert _keys(yx) == {world.yx_ent.uscc}
    assert (dy["programme"], dy["year"], dy["status"], dy["published_on"]) == ("xuchang-2022", 2024, "open", None)

    item = dy["items"][0]
    assert (item["rule"], item["status"], item["payable"], item["current"]) == ("XC-02", "payable", "10", True)
    assert item["enterprise_id"] == world.dy_ent.id and item["county_id"] == world.dy.id
    assert item["funding_lines"] == [{"level": "city", "label": "市财政", "amount": "10"}]
    assert item["decision"]["kind"] == "approve" and item["decision"]["amount"] == "10"
    assert item["decision"]["by"] == "admin" and not item["pending"] and not item["stale"]
    assert item["payments"] == [] and item["trace"]
    assert yx["items"][0]["decision"] is None and yx["items"][0]["pending"]

    assert dy["summary"] == {"items": 1, "proposed": 1, "pending": 0, "computed": "10", "decided": "10",
                             "paid": {}, "paid_total": "0", "by_status": {"payable": 1}}
    assert yx["summary"]["decided"] == "0" and yx["summary"]["pending"] == 1
    assert everything["summary"]["items"] == 3 and everything["summary"]["computed"] == "25"  # 10 + 10 + a prize of 5

    listed = call(api_client, "GET", "/awards/settlements", tokens["dy"]).get_json()
    assert [(s["id"], s["summary"]["items"]) for s in listed] == [(settled, 1)]
    assert call(api_client, "GET", "/awards/settlements", tokens["dy"],
                query_string={"year": 2023}).get_json() == []
    paged = call(api_client, "GET", url, tokens["admin"], query_string={"per_page": 2, "page": 2}).get_json()
    assert (len(paged["items"]), paged["total"], paged["pages"]) == (1, 3, 2)


def test_an_unknown_settlement_is_404(api_client, tokens, settled):
    assert_problem(call(api_client, "GET", f"/awards/settlements/{settled + 1}", tokens["dy"]), 404)
    assert_problem(call(api_client, "GET", "/awards/settlements/99999999999", tokens["dy"]), 404)


def test_every_awards_operation_needs_a_token(api_client, settled):
    for method, path in (("GET", "/awards/programmes"), ("POST", "/awards/evaluate"), ("POST", "/awards/facts"),
                         ("GET", "/awards/settlements"), ("GET", f"/awards/settlements/{settled}")):
        assert_problem(call(api_client, method, path, body={} if method == "POST" else None), 401)


def test_the_document_describes_the_awards_operations(api_client):
    doc = call(api_client, "GET", "/openapi.json").get_json()
    evaluate = doc["paths"]["/awards/evaluate"]["post"]
    assert set(evaluate["responses"]) == {"200", "401", "422", "429"}
    facts = doc["components"]["schemas"]["AwardEvaluationRequest"]["properties"]["facts"]
    assert facts["$ref"] == "#/components/schemas/AwardFacts"
    assert doc["paths"]["/awards/facts"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AwardFacts"}
    assert "404" in doc["paths"]["/awards/settlements/{settlement_id}"]["get"]["responses"]

