"""Intake rounds (入库批次): the list, one round, opening and closing one.

Thin callers of :mod:`pool.membership.intake`, as the web's rounds page is.
Rounds are the city's, not a county's: every user sees them; only the city
administrator opens or closes one (``admin``), on the day it is done — the
domain refuses another date (422 naming ``on``) and an overlap or a round
already closed (409).  A round is the first pool's, or (``pool``) a configured
pool's whose lifecycle has intake rounds: an unknown pool is 404, opening a
round of a pool without intake rounds 409.
"""
from flask import url_for

from models import User, db
from pool.ladder import catalogue
from pool.pools.definition import DEFAULT_POOL
from pool.web.clock import today
from pool.membership import intake

from pool.api import schemas as s
from pool.api.core import Param, Reply, viewer
from pool.api.inputs import effective_on
from pool.api.operations import operation
from pool.api.responses import Problem, json_response

TAG = "rounds"
ONE = "/intake-rounds/<int:round_id>"

ROUND = s.component("IntakeRound", s.obj({
    "id": s.ID,
    "pool": {**s.TEXT, "description": "可配置培育库的批次：其培育库代码（黄石市专利产业化样板企业培育库的批次无此项）"},
    "name": {**s.TEXT, "description": "批次名称，如“2026 年第一批”"},
    "opened_on": {**s.DATE, "description": "开始日期（第一天）"},
    "closed_on": {**s.nullable(s.DATE), "description": "结束日期（最后一天，含）；null 即尚未关闭"},
    "open_today": {"type": "boolean", "description": "今天是否在本批次期间（期间入库不占增补名额）"},
    "opened_by": {**s.nullable(s.TEXT), "description": "开启人"},
    "closed_by": {**s.nullable(s.TEXT), "description": "关闭人"},
}, optional=("pool",), description="入库批次：开放期间入库不占增补名额，批次之外入库为增补（黄石 二(六)2）"))
LOCATION = {"Location": {"description": "新批次的地址", "schema": {"type": "string"}}}
ON = {**s.DATE, "description": "办理日期，须为今天（默认今天）：批次不能预先或追溯开启、关闭"}
POOL = {"type": "string", "maxLength": 64,
        "description": "培育库代码（默认 huangshi-2024）；可配置培育库须设有入库批次，见 GET /pools"}


def _pool(code):
    """The pool ``code`` names (None: the first pool).

    :raise Problem: 404, no such pool.
    """
    if not code or code == DEFAULT_POOL:
        return None
    pool = catalogue.pools(db.session).get(code)
    if pool is None:
        raise Problem("not-found", f"没有培育库 {code[:64]}")
    return pool


def round_item(row, current=None) -> dict:
    """``row`` as :data:`ROUND` describes it; ``current``: the round open today."""
    def name(user_id):
        user = db.session.get(User, user_id) if user_id is not None else None
        return user.display_name if user else None

    item = {"id": row.id, "name": row.name, "opened_on": s.iso(row.opened_on), "closed_on": s.iso(row.closed_on),
            "open_today": current is not None and current.id == row.id,
            "opened_by": name(row.opened_by_id), "closed_by": name(row.closed_by_id)}
    return item | ({"pool": row.pool_code} if row.pool_code else {})


def _answer(row, status: int = 200, headers=None):
    current = intake.open_round_on(db.session, today(), pool_code=row.pool_code)
    return json_response(round_item(row, current), status, headers)


@operation("GET", "/intake-rounds", tag=TAG, summary="入库批次",
           description="一个培育库（默认黄石市专利产业化样板企业培育库）的全部入库批次，开始日期新的在前；"
                       "open_today 标出今天所在的批次。培育库不存在时 404。",
           params=(Param("pool", POOL, "培育库代码（默认 huangshi-2024）"),),
           replies={200: Reply("入库批次", {"type": "array", "items": ROUND})}, errors=(404,))
def list_rounds(query):
    """Every round of the pool, newest first (:func:`pool.membership.intake.rounds`)."""
    pool = _pool(query.get("pool"))
    code = None if pool is None or pool.code_backed else pool.code
    current = intake.open_round_on(db.session, today(), pool_code=code)
    return json_response([round_item(r, current) for r in intake.rounds(db.session, code)])


@operation("GET", ONE, tag=TAG, summary="一个入库批次", description="一个入库批次；不存在时 404。",
           replies={200: Reply("入库批次", ROUND)}, errors=(404,))
def get_round(intake_round):
    return _answer(intake_round)


@operation("POST", "/intake-rounds", tag=TAG, summary="开启入库批次",
           description=("今天开启一个入库批次：开放期间入库不占增补名额。与同一培育库已有批次重叠"
                        "（尚有未关闭的批次，或已有批次在今天之后结束）、或该培育库不设入库批次时 409；"
                        "培育库不存在时 404；on 不是今天时 422。"),
           body=s.component("NewIntakeRound", s.obj({
               "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S",
                        "title": "批次名称"},
               "on": {**ON, "title": "开始日期"},
               "pool": {**POOL, "title": "培育库"}}, optional=("on", "pool"))),
           replies={201: Reply("已开启", ROUND, LOCATION)}, errors=(404, 409, 422), admin=True)
def open_round(body):
    """Open a round today (:func:`pool.membership.intake.open_round`)."""
    opened = intake.open_round(db.session, name=body["name"], on=effective_on(body), today=today(),
                               actor=viewer(), pool=_pool(body.get("pool")))
    db.session.commit()
    location = url_for("api.get_round", round_id=opened.id, _external=True)
    return _answer(opened, 201, {"Location": location})


@operation("POST", ONE + "/close", tag=TAG, summary="关闭入库批次",
           description=("以今天为最后一天关闭入库批次，此后入库为增补。已关闭、"
                        "或本批次在今天之后还有入库记录时 409；on 不是今天时 422。"),
           body=s.component("IntakeRoundClosing", s.obj({"on": {**ON, "title": "结束日期"}},
                                                        optional=("on",))),
           body_description="可为空对象 {}",
           replies={200: Reply("已关闭", ROUND)}, errors=(404, 409, 422), admin=True)
def close_round(intake_round, body):
    """Close the round today (:func:`pool.membership.intake.close_round`)."""
    intake.close_round(db.session, intake_round, on=effective_on(body), today=today(),
                       actor=viewer())
    db.session.commit()
    return _answer(intake_round)
