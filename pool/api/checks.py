"""``POST /eligibility``: the ten admission criteria, exactly as ``flask pool check``."""
from models import db
from pool import eligibility, rulebook
from pool.web.clock import today

from . import schemas as s
from .core import Reply, date_param, json_response, operation


@operation("POST", "/eligibility", tag="eligibility", summary="资格评估（附件2 入库企业基本标准）",
           description=("按 as_of 日的政策参数评估附件2 的十条入库标准，不保存任何数据。输入有误时 422，"
                        "errors 逐项列出字段路径（数组时如 [1].patents[0].kind），"
                        "与命令行相同。"),
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
    book = rulebook.load(db.session)
    many = isinstance(body, list)
    try:
        results = eligibility.evaluate_all(body if many else [body], as_of, book, indexed=many)
    finally:
        db.session.rollback()  # read-only, as the CLI
    return json_response(eligibility.output(results, many), indent=2)
