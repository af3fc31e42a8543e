"""``POST /eligibility``: the ten admission criteria, exactly as ``flask pool check``."""
from flask import current_app

from models import db
from pool.io import batch as eligibility
from pool.eligibility import rulebook
from pool.io.batch import InputProblem, InvalidInput
from pool.web.clock import today

from pool.api import schemas as s
from pool.api.core import Reply
from pool.api.inputs import date_param
from pool.api.operations import operation
from pool.api.responses import json_response

DEFAULT_MAX_APPLICANTS = 1000  # API_MAX_APPLICANTS: bulk work goes through the CLI or an upload


@operation("POST", "/eligibility", tag="eligibility", summary="资格评估（附件2 入库企业基本标准）",
           description=("按 as_of 日的政策参数评估附件2 的十条入库标准，不保存任何数据。输入有误时 422，"
                        "errors 逐项列出字段路径（数组时如 [1].patents[0].kind），"
                        "与命令行相同（至多列出 100 项，其余计入 omitted_errors）。"
                        "数组至多 1000 家企业（API_MAX_APPLICANTS），更多请用命令行或网页上传。"),
           params=(date_param("as_of", "评估日期（默认今天，Asia/Shanghai）"),),
           body=s.one_or_many(s.APPLICANT),
           validate_body=False,
           body_description="一个申报企业，或其数组（applicant.schema.json）",
           replies={200: Reply("与 `flask pool check` 的输出相同：一个对象，或按输入顺序的数组",
                               s.one_or_many(s.EVALUATION))},
           errors=(422,))
def check_eligibility(query, body):
    """Evaluate with the policy values in force on ``as_of``; writes nothing.
    Invalid input is 422 listing every problem with its field path
    (``[1].patents[0].kind`` for an array), as the CLI lists them."""
    as_of = query.get("as_of") or today()
    many = isinstance(body, list)
    cap = current_app.config.get("API_MAX_APPLICANTS", DEFAULT_MAX_APPLICANTS)
    if many and len(body) > cap:
        raise InvalidInput([InputProblem("(root)", f"一次至多评估 {cap} 家企业（本次 {len(body)} 家）；"
                                                   "批量评估请用命令行 flask pool check 或网页上传文件")])
    book = rulebook.load(db.session)
    try:
        results = eligibility.evaluate_all(body if many else [body], as_of, book, indexed=many)
    finally:
        db.session.rollback()  # read-only, as the CLI
    return json_response(eligibility.output(results, many), indent=2)
