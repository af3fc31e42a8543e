"""The parts of a record through the JSON API (issue #13): add, read and change
with If-Match, end early, renew, each row's history, input errors naming the
field, county scoping, progress recognised from a change, the OpenAPI document."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Patent, Qualification

from .test_api import api_app, api_client, assert_problem, call, tokens  # noqa: F401 - fixtures

TODAY = date(2026, 3, 10)
PATENT = {"number": "ZL202410000001.X", "kind": "invention", "application_date": "2024-03-01",
          "status": "valid", "granted_on": "2025-06-01", "origin": "self", "core": True}
QUALIFICATION = {"type": "high_tech", "level": "national", "certificate_no": "GR2023001",
                 "valid_from": "2023-03-01", "valid_to": "2026-02-28"}
PARTNERSHIP = {"partner": "湖北理工学院", "partner_type": "university",
               "valid_from": "2025-01-01", "valid_to": "2027-12-31"}
V1, V2 = {"If-Match": '"1"'}, {"If-Match": '"2"'}


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(TODAY)


def add(client, token, enterprise_id, plural, body):
    return call(client, "POST", f"/enterprises/{enterprise_id}/{plural}", token, body=body)


def added(client, token, enterprise_id, plural, body) -> str:
    """Add a row; its path under /api/v1."""
    response = add(client, token, enterprise_id, plural, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.headers["Location"].split("/api/v1", 1)[1]


def test_add_read_and_change_a_patent_with_if_match(api_client, world, tokens):  # noqa: F811
    dy = tokens["dy"]
    created = add(api_client, dy, world.dy_ent.id, "patents", PATENT)
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.get_json()
    url = f"/enterprises/{world.dy_ent.id}/patents/{item['id']}"
    assert created.headers["Location"].endswith("/api/v1" + url)
    assert created.headers["ETag"] == '"1"'
    assert (item["number"], item["office"], item["granted_on"], item["version"]) == (
        "ZL202410000001.X", "CN", "2025-06-01", 1)

    read = call(api_client, "GET", url, dy)
    assert read.headers["ETag"] == '"1"' and read.get_json() == item
    listed = call(api_client, "GET", f"/enterprises/{world.dy_ent.id}/patents", dy).get_json()
    assert [(p["id"], p["version"]) for p in listed] == [(item["id"], 1)]

    change = {"title": "高频覆铜板用铜箔", "reason": "补录专利名称"}
    assert_problem(call(api_client, "PATCH", url, dy, body=change), 428)
    for header in ("*", 'W/"1"', "1"):
        assert_problem(call(api_client, "PATCH", url, dy, body=change,
                            headers={"If-Match": header}), 412)
    changed = call(api_client, "PATCH", url, dy, body=change, headers=V1)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.headers["ETag"] == '"2"'
    assert (changed.get_json()["title"], changed.get_json()["version"]) == ("高频覆铜板用铜箔", 2)

    stale = call(api_client, "PATCH", url, dy, body={"title": "另一个名称"}, headers=V1)
    conflict = assert_problem(stale, 409)
    assert stale.headers["ETag"] == '"2"' and conflict["current_version"] == 2
    assert [(c["version"], c["changes"]) for c in conflict["changes"]] == [
        (2, {"title": [None, "高频覆铜板用铜箔"]})]
    assert conflict["changes"][0]["actor"]

    same = call(api_client, "PATCH", url, dy, body={"title": "高频覆铜板用铜箔"}, headers=V2)
    assert same.status_code == 200 and same.headers["ETag"] == '"2"'  # no change, no new version

    history = call(api_client, "GET", url + "/history", dy).get_json()
    assert [(h["action"], h["version"], h["effective_on"], h["reason"]) for h in history] == [
        ("create", 1, "2024-03-01", None), ("update", 2, None, "补录专利名称")]
    assert history[0]["changes"]["granted_on"] == [None, "2025-06-01"]
    assert history[1]["changes"] == {"title": [None, "高频覆铜板用铜箔"]}
    assert all(h["actor"] and h["recorded_at"] for h in history)


def test_a_product_names_its_patents_by_number(api_client, world, tokens):  # noqa: F811
    dy = tokens["dy"]
    added(api_client, dy, world.dy_ent.id, "patents", PATENT)
    product = {"name": "高频覆铜板", "main": True, "patent_intensive": True,
               "certified_on": "2025-10-01", "patents": [PATENT["number"]]}
    url = added(api_client, dy, world.dy_ent.id, "products", product)
    assert call(api_client, "GET", url, dy).get_json()["patents"] == [PATENT["number"]]
    unlinked = call(api_client, "PATCH", url, dy, body={"patents": []}, headers=V1)
    assert unlinked.status_code == 200 and unlinked.get_json()["patents"] == []
    last = call(api_client, "GET", url + "/history", dy).get_json()[-1]
    assert last["changes"] == {"patents": [[PATENT["number"]], []]}
    unknown = add(api_client, dy, world.dy_ent.id, "products", {**product, "patents": ["ZL0"]})
    assert "ZL0 不在该企业的专利中" in assert_problem(unknown, 422, "patents")["detail"]
    assert assert_problem(unknown, 422)["errors"][0]["label"] == "所依专利"
    control = add(api_client, dy, world.dy_ent.id, "products", {**product, "name": "铜\x00板"})
    [error] = assert_problem(control, 422, "name")["errors"]
    assert error["label"] == "产品名称" and error["message"].startswith("产品名称不能含有")


@pytest.mark.parametrize("body, path, label, message", [
    ({**PATENT, "granted_on": "2026-03-11"}, "granted_on", "授权日",
     "授权日 2026-03-11 晚于今天 2026-03-10"),
    ({**PATENT, "granted_on": "31/12/2025"}, "granted_on", "授权日", "授权日须为日期 YYYY-MM-DD"),
    ({**PATENT, "granted_on": "2024-01-01"}, "granted_on", "授权日",
     "授权日 2024-01-01 早于申请日 2024-03-01"),
    ({**PATENT, "colour": "红"}, "colour", "colour", "未知字段"),
    ({**PATENT, "kind": "gadget"}, "kind", "专利类型",
     "专利类型须为以下之一：invention、utility_model、design"),
    ({**PATENT, "core": "yes"}, "core", "核心专利", "核心专利须为true 或 false"),
    ({k: v for k, v in PATENT.items() if k != "number"}, "number", "专利号", "专利号必填"),
    ({**PATENT, "title": "铜箔\u202e"}, "title", "专利名称", "专利名称不能含有"),
])
def test_invalid_input_is_422_naming_the_field(api_client, world, tokens, use_db,  # noqa: F811
                                               body, path, label, message):
    answer = add(api_client, tokens["dy"], world.dy_ent.id, "patents", body)
    errors = assert_problem(answer, 422, path)["errors"]
    assert [(e["label"], e["message"][:len(message)]) for e in errors if e["path"] == path] == [
        (label, message)], errors
    with use_db() as session:
        assert session.scalar(select(func.count(Patent.id))) == 0


def test_a_change_is_checked_as_an_addition(api_client, world, tokens):  # noqa: F811
    dy = tokens["dy"]
    url = added(api_client, dy, world.dy_ent.id, "patents", PATENT)
    for body, path in (({"number": None}, "number"), ({"id": 5}, "id"),
                       ({"industrialized_on": "2027-01-01"}, "industrialized_on"),
                       ({"status": "lost"}, "status")):
        assert_problem(call(api_client, "PATCH", url, dy, body=body, headers=V1), 422, path)
    assert call(api_client, "GET", url, dy).headers["ETag"] == '"1"'


def test_ending_early_with_if_match_a_date_and_a_reason(api_client, world, tokens):  # noqa: F811
    dy = tokens["dy"]
    url = added(api_client, dy, world.dy_ent.id, "partnerships", PARTNERSHIP) + "/end"
    end = {"on": "2026-03-01", "reason": "合作协议解除"}
    assert_problem(call(api_client, "POST", url, dy, body=end), 428)
    for body, path in (({**end, "on": "2026-03-11"}, "on"), ({**end, "on": "2028-01-01"}, "on"),
                       ({"on": "2026-03-01"}, "reason"), ({**end, "reason": "  "}, "reason")):
        refused = call(api_client, "POST", url, dy, body=body, headers=V1)
        [error] = assert_problem(refused, 422, path)["errors"]
        assert error["label"] == {"on": "终止日期", "reason": "终止原因"}[path]
    ended = call(api_client, "POST", url, dy, body=end, headers=V1)
    assert ended.status_code == 200, ended.get_data(as_text=True)
    assert (ended.get_json()["valid_to"], ended.headers["ETag"]) == ("2026-03-01", '"2"')
    stale = call(api_client, "POST", url, dy, body={**end, "on": "2026-02-01"}, headers=V1)
    assert assert_problem(stale, 409)["current_version"] == 2
    last = call(api_client, "GET", url.replace("/end", "/history"), dy).get_json()[-1]
    assert (last["effective_on"], last["reason"], last["changes"]) == (
        "2026-03-01", "合作协议解除", {"valid_to": ["2027-12-31", "2026-03-01"]})
    patent = added(api_client, dy, world.dy_ent.id, "patents", PATENT)
    assert call(api_client, "POST", patent + "/end", dy, body=end, headers=V1).status_code == 404


def test_renewing_a_certificate_links_the_new_one(api_client, world, tokens, use_db):  # noqa: F811
    dy = tokens["dy"]
    url = added(api_client, dy, world.dy_ent.id, "qualifications", QUALIFICATION)
    old_id = int(url.rsplit("/", 1)[1])
    renewal = {"certificate_no": "GR2026009", "approved_on": "2026-03-01",
               "valid_from": "2026-03-01", "valid_to": "2029-02-28", "reason": "复审通过"}
    short = call(api_client, "POST", url + "/renew", dy, body={**renewal, "valid_to": "2026-02-01"})
    assert "须晚于原证书" in assert_problem(short, 422, "valid_to")["detail"]
    assert_problem(call(api_client, "POST", url + "/renew", dy, body={"certificate_no": "GR1"}),
                   422, "valid_from", "valid_to")
    renewed = call(api_client, "POST", url + "/renew", dy, body=renewal)
    assert renewed.status_code == 201, renewed.get_data(as_text=True)
    new = renewed.get_json()
    assert (new["renews_id"], new["type"], new["level"], new["valid_to"]) == (
        old_id, "high_tech", "national", "2029-02-28")
    assert renewed.headers["Location"].endswith(f"/qualifications/{new['id']}")
    assert_problem(call(api_client, "POST", url + "/renew", dy, body=renewal), 422)
    with use_db() as session:
        assert session.scalar(select(func.count(Qualification.id))) == 2


def test_another_countys_rows_are_404_for_reading_and_writing(
        api_client, world, tokens, use_db):  # noqa: F811
    dy_ent, yx_ent = world.dy_ent.id, world.yx_ent.id
    patent = added(api_client, tokens["dy"], dy_ent, "patents", PATENT)
    qualification = added(api_client, tokens["dy"], dy_ent, "qualifications", QUALIFICATION)
    patent_id = patent.rsplit("/", 1)[1]
    absent = call(api_client, "GET", f"/enterprises/{dy_ent}/patents/999999", tokens["dy"])
    for method, url, body in (
            ("GET", f"/enterprises/{dy_ent}/patents", None),
            ("GET", patent, None), ("GET", patent + "/history", None),
            ("GET", f"/enterprises/{yx_ent}/patents/{patent_id}", None),
            ("PATCH", f"/enterprises/{yx_ent}/patents/{patent_id}", {"title": "改"}),
            ("POST", f"/enterprises/{dy_ent}/patents", {**PATENT, "number": "ZL2"}),
            ("PATCH", patent, {"title": "改"}),
            ("POST", qualification + "/end", {"on": "2026-01-01", "reason": "撤销"}),
            ("POST", qualification + "/renew", {"valid_from": "2026-03-01",
                                                "valid_to": "2029-02-28"})):
        answer = call(api_client, method, url, tokens["yx"], body=body, headers=V1)
        assert assert_problem(answer, 404)["detail"] == assert_problem(absent, 404)["detail"], url
    with use_db() as session:
        assert [(p.number, p.version) for p in session.scalars(select(Patent))] == [
            (PATENT["number"], 1)]
        assert [q.valid_to for q in session.scalars(select(Qualification))] == [date(2026, 2, 28)]
    assert call(api_client, "GET", patent, tokens["admin"]).status_code == 200
    assert_problem(call(api_client, "GET", f"/enterprises/{yx_ent}/patents", tokens["dy"]), 404)


def test_industrialising_a_patent_is_progress_recognised_from_the_record(
        api_client, world, tokens):  # noqa: F811
    dy = tokens["dy"]
    url = added(api_client, dy, world.dy_ent.id, "patents", PATENT)
    industrialised = {"industrialized": True, "industrialized_on": "2025-09-01", "reason": "投产"}
    changed = call(api_client, "PATCH", url, dy, body=industrialised, headers=V1)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    events = call(api_client, "GET", "/events", dy, query_string={
        "enterprise_id": world.dy_ent.id, "kind": "progress"}).get_json()["items"]
    assert [(e["subtype"], e["effective_on"]) for e in events] == [
        ("patent_industrialized", "2025-09-01")]
    source = events[0]["evidence"]["source"]
    assert (source["entity"], source["id"], source["field"]) == (
        "patent", int(url.rsplit("/", 1)[1]), "industrialized_on")


def test_the_openapi_document_describes_the_parts(api_client, tokens):  # noqa: F811
    doc = call(api_client, "GET", "/openapi.json").get_json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    for name, plural in (("patent", "patents"), ("product", "products"),
                         ("qualification", "qualifications"), ("trademark", "trademarks"),
                         ("partnership", "partnerships")):
        many = f"/enterprises/{{enterprise_id}}/{plural}"
        one = f"{many}/{{{name}_id}}"
        assert set(paths[many]) == {"get", "post"} and set(paths[one]) == {"get", "patch"}
        assert set(paths[one + "/history"]) == {"get"}
        assert (one + "/end" in paths) == (name not in ("patent", "product"))
        patch = paths[one]["patch"]
        assert {"409", "412", "422", "428"} <= set(patch["responses"])
        assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
        operations = [*paths[many].values(), *paths[one].values()]
        assert all(not op["summary"].isascii() for op in operations)
    assert "/enterprises/{enterprise_id}/qualifications/{qualification_id}/renew" in paths
    assert schemas["NewPatent"]["required"] == ["number", "kind"]
    assert schemas["NewPatent"]["additionalProperties"] is False
    assert schemas["Patent"]["properties"]["granted_on"]["title"] == "授权日"
    assert schemas["ProgressRequest"]["properties"]["subtype"]["enum"] == ["other"]
