"""Hostile input answers 4xx with a Chinese message, never 500 (security issue #11,
finding 8): deeply nested JSON, integers beyond Python's 4,300-digit limit, an
upload over MAX_CONTENT_LENGTH; and one request cannot tie up a worker (finding
9): capped applicants per API request, capped problems per answer."""
import io
from decimal import Decimal

import pytest

from pool.io import batch as eligibility
from pool.kernel import jsonutil

from . import factories as af
from .test_api import api_app, api_client, assert_problem, tokens  # noqa: F401 - fixtures

NESTED = "[" * 100_000 + "]" * 100_000
HUGE_INT = '{"employees": ' + "9" * 5000 + "}"


@pytest.mark.parametrize("text, message", [
    (NESTED, "嵌套层数超过"), ("[" * 100_000, "嵌套层数超过"), ('{"a":' * 50 + "1" + "}" * 50, "嵌套层数超过"),
    (HUGE_INT, "数字位数超过"), ('{"x": 1' + "0" * 400 + "}", "数字位数超过"),
    ('{"x": 1.' + "5" * 400 + "}", "数字位数超过"),
])
def test_parse_json_refuses_what_would_overflow(text, message):
    with pytest.raises(eligibility.InvalidInput) as info:
        eligibility.parse_json(text)
    assert message in str(info.value)


def test_parse_json_keeps_ordinary_depth_and_numbers():
    deep = '{"a":' * 20 + "1" + "}" * 20
    assert eligibility.parse_json(deep)
    assert eligibility.parse_json('{"x": 12345678901234567890, "y": 0.1}') == {
        "x": 12345678901234567890, "y": Decimal("0.1")}


@pytest.mark.parametrize("body", [NESTED, HUGE_INT])
def test_the_api_answers_422_problem_json(api_client, tokens, body):  # noqa: F811
    response = api_client.post("/api/v1/eligibility", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {tokens['dy']}"})
    assert_problem(response, 422, "(root)")


@pytest.mark.parametrize("body", [NESTED, HUGE_INT])
def test_the_upload_answers_422_in_chinese(client, auth, world, body):
    auth.login("dy")
    response = client.post("/checks/upload", data={
        "as_of": "2025-06-30", "file": (io.BytesIO(body.encode()), "in.json")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "超过" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_413_with_a_chinese_page(app, client, auth, world):
    auth.login("dy")
    big = io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024))
    response = client.post("/checks/upload", data={"as_of": "2025-06-30", "file": (big, "in.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "文件过大" in page or "超过" in page


def test_an_api_body_over_the_limit_is_413_problem_json(app, api_client, tokens):  # noqa: F811
    big = b"[" + b"1," * (app.config["MAX_CONTENT_LENGTH"] // 2) + b"1]"
    response = api_client.post("/api/v1/eligibility", data=big, content_type="application/json",
                               headers={"Authorization": f"Bearer {tokens['dy']}"})
    assert_problem(response, 413)


# --- one user cannot tie up the workers ----------------------------------------------------

def post_applicants(client, token, items):
    return client.post("/api/v1/eligibility?as_of=2025-06-30", data=jsonutil.dumps(items),
                       content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def test_an_eligibility_request_holds_at_most_the_configured_applicants(api_app, api_client,  # noqa: F811
                                                                        tokens):
    assert api_app.config["API_MAX_APPLICANTS"] == 1000
    too_many = assert_problem(post_applicants(api_client, tokens["dy"], [{}] * 1001), 422, "(root)")
    assert "一次至多评估 1000 家企业（本次 1001 家）" in too_many["errors"][0]["message"]
    api_app.config["API_MAX_APPLICANTS"] = 2
    assert_problem(post_applicants(api_client, tokens["dy"], [af.applicant()] * 3), 422, "(root)")
    assert post_applicants(api_client, tokens["dy"], [af.applicant()] * 2).status_code == 200


def test_the_problems_listed_are_capped_and_the_rest_counted(api_client, tokens):  # noqa: F811
    response = post_applicants(api_client, tokens["dy"], [{}] * 1000)
    body = assert_problem(response, 422)
    assert len(body["errors"]) == 100 and body["omitted_errors"] > 1000
    assert body["detail"] == (f"输入有 {100 + body['omitted_errors']} 处错误，以下列出前 100 处，"
                              f"其余 {body['omitted_errors']} 处未列出")
    assert len(response.get_data()) < 50_000
