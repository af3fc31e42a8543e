"""Enterprises: the scoped list, the full record (ETag = version), registering an
applicant, and editing with optimistic locking (``If-Match``)."""
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Application, Enterprise, ProductFigure, db
from pool.eligibility import applications, rulebook
from pool.records import changes, directory, edits as records, registration
from pool.eligibility.applicant import InvalidApplicant
from pool.io.batch import InvalidInput
from pool.web.clock import today

from pool.api import schemas as s
from pool.api.core import Param, Reply, viewer
from pool.api.inputs import IF_MATCH, PAGING, date_param, paginate, require_complete
from pool.api.operations import operation
from pool.api.responses import Problem, etag, expected_version, json_response

TAG = "enterprises"
ONE = "/enterprises/<int:enterprise_id>"
ETAG_HEADER = {"ETag": {"description": "企业记录的版本（version），修改时作 If-Match",
                        "schema": {"type": "string"}}}


@operation("GET", "/enterprises", tag=TAG, summary="企业名录（按县市区权限）",
           description="按令牌所属用户的县（市、区）权限列出企业，按名称排序；筛选与网页企业名录相同。",
           params=(Param("county_id", s.ID, "县（市、区）id"),
                   Param("state", {"type": "string", **s.STATE}, "状态"),
                   Param("q", {"type": "string", "maxLength": 100},
                         "企业名称的一部分，或统一社会信用代码的开头"),
                   *PAGING),
           replies={200: Reply("一页企业", s.page_of(s.ENTERPRISE_SUMMARY, "EnterprisePage"))},
           errors=(422,))
def list_enterprises(query):
    """The enterprises the token's user may see, filtered as the web list
    (:func:`pool.records.directory.search`), by name then id."""
    stmt = directory.search(viewer(), q=query.get("q"), county_id=query.get("county_id"),
                            state=query.get("state"))
    result = paginate(stmt.options(selectinload(Enterprise.county)), query)
    return json_response(s.page(result, s.enterprise_summary))


@operation("GET", ONE, tag=TAG, summary="企业的全部记录",
           description=("企业的全部记录："
                        "基本情况、联系人、资格证书、专利、产品（含年度销售额与利润）、商标、产学研合作、年度数据及关联的资格自检记录。"
                        "其他县市区的企业一律 404。"),
           replies={200: Reply("企业记录", s.ENTERPRISE, ETAG_HEADER)}, errors=(404,))
def get_enterprise(enterprise):
    """Scalar facts, contacts, qualifications, patents, products (with their
    yearly sales and profit), trademarks, research partnerships, yearly figures
    and the linked eligibility checks.  Another county's enterprise is 404."""
    return _record(enterprise)


@operation("POST", "/enterprises", tag=TAG, summary="登记申报企业",
           description=("按 as_of 日的政策参数评估申报数据，保存为资格自检记录，"
                        "并据此登记为申报企业（状态 applied）——即网页上“资格自检 → 登记为申报企业”两步。"
                        "统一社会信用代码已登记的 409；数据有误的 422，逐项列出字段。"),
           params=(date_param("as_of", "资格评估日期（默认今天，Asia/Shanghai）"),),
           body=s.APPLICANT, validate_body=False,
           body_description="申报数据（applicant.schema.json）；county 为所属县（市、区），"
                            "县市区工作人员可省略（即本县市区）",
           replies={201: Reply("已登记（状态 applied）", s.ENTERPRISE, {**ETAG_HEADER, "Location": {
               "description": "新企业的地址", "schema": {"type": "string"}}})},
           errors=(409, 422))
def create_enterprise(query, body):
    """Evaluate the applicant, save the check and register the enterprise from it
    (what 资格自检 → 登记为申报企业 does in the web UI).  A USCC already
    registered is 409; invalid data 422 naming each field."""
    as_of = query.get("as_of") or today()
    book = rulebook.load(db.session)
    require_complete(book.policy, as_of, "as_of")
    try:
        enterprise, _check = registration.register_applicant(
            db.session, body, actor=viewer(), as_of=as_of, on=today(), rulebook=book)
    except InvalidApplicant as exc:
        raise InvalidInput(exc.problems) from None
    except changes.RecordRefused as exc:
        if exc.field == "uscc":
            raise Problem("duplicate", str(exc)) from None
        raise
    db.session.commit()
    location = url_for("api.get_enterprise", enterprise_id=enterprise.id, _external=True)
    return _record(enterprise, 201, {"Location": location})


@operation("PATCH", ONE, tag=TAG, summary="修改企业信息（乐观锁）",
           description=("修改所列字段（留有修改记录）。须带 If-Match（读取时的 ETag）：缺少时 428；"
                        "不是本接口的 ETag 时 412；读取后已被他人修改时 409，"
                        "并给出现在的版本和此后的修改（谁、何时、字段：原值 → 新值）。"),
           params=(IF_MATCH,),
           body=s.ENTERPRISE_CHANGES,
           replies={200: Reply("修改后的企业记录", s.ENTERPRISE, ETAG_HEADER)},
           errors=(404, 409, 412, 422, 428))
def update_enterprise(enterprise, body):
    """Change the listed fields of the version named by ``If-Match``
    (:func:`pool.records.edits.update_enterprise`, audited).  Without ``If-Match``:
    428; not one ETag of this API: 412; the record has moved on since that
    version: 409 with the current version and the changes made since."""
    records.update_enterprise(db.session, enterprise, actor=viewer(),
                              expected_version=expected_version(), changes=body)
    db.session.commit()
    return _record(enterprise)


def _record(enterprise: Enterprise, status: int = 200, headers=None):
    product_ids = [p.id for p in enterprise.products]
    figures: dict[int, list] = {}
    for row in db.session.scalars(select(ProductFigure)
                                  .where(ProductFigure.product_id.in_(product_ids))
                                  .order_by(ProductFigure.product_id, ProductFigure.year)):
        figures.setdefault(row.product_id, []).append(row)
    checks = db.session.scalars(applications.visible(viewer())
                                .where(Application.enterprise_id == enterprise.id)).all()
    body = s.enterprise(enterprise, product_figures=figures, checks=checks)
    return json_response(body, status, {"ETag": etag(enterprise.version), **(headers or {})})
