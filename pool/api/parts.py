"""The parts of an enterprise's record — patents, products, qualifications,
trademarks, research partnerships — under their enterprise: list, add, read
(ETag = version), change with ``If-Match``, end early, renew a certificate, and
one row's change history.  Thin callers of :mod:`pool.records.parts`, as the
web's :mod:`pool.web.parts` is.

The operations are declared for each kind of part from
:data:`pool.records.fields.PARTS`, so each has its own request and response
schemas (:func:`pool.api.schemas.part_body`, :data:`pool.api.schemas.PART_ITEMS`).
A row is reached through its enterprise, within the token's county
(:func:`pool.access.scoping.get_child`): another county's enterprise or row
answers 404, as an absent one does.
"""
from contextlib import contextmanager

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Product, db
from pool.access import scoping
from pool.io.batch import InputProblem
from pool.web.clock import today
from pool.records import parts
from pool.records.changes import RecordRefused
from pool.records.fields import PARTS, Part

from pool.api import schemas as s
from pool.api.actions import REASON
from pool.api.core import Reply, viewer
from pool.api.enterprises import ONE
from pool.api.inputs import IF_MATCH, titles
from pool.api.operations import operation
from pool.api.responses import Problem, etag, expected_version, json_response, not_found

TAG = "records"
# The path of each kind (also its name in the enterprise record).
PLURAL = {"patent": "patents", "product": "products", "qualification": "qualifications",
          "trademark": "trademarks", "partnership": "partnerships"}
# Required by the domain, but filled in when left out (pool.records.parts: a
# patent is pending unless a grant day is given).
DEFAULTED = {("patent", "status")}

ETAG = {"ETag": {"description": "这条记录的版本（version），修改时作 If-Match",
                 "schema": {"type": "string"}}}
LOCATION = {"Location": {"description": "新记录的地址", "schema": {"type": "string"}}}
CONFLICT = ("须带 If-Match（读取时的 ETag）：缺少时 428；不是本接口的 ETag 时 412；"
            "读取后已被他人修改时 409，并给出现在的版本和此后的修改（谁、何时、字段：原值 → 新值）。")
DATED = ("日期为 YYYY-MM-DD；生效日期不能晚于今天（有效期止等可在将来）。"
         "输入有误时 422，逐项给出字段路径和含字段名称的原因。")
WRITE_ERRORS = (404, 409, 412, 422, 428)


def _operation(name: str, method: str, rule: str, **declaration):
    """:func:`~pool.api.operations.operation` for a view made in a loop, named
    ``name`` (its endpoint and operationId)."""
    def declare(view):
        view.__name__ = view.__qualname__ = name
        return operation(method, rule, tag=TAG, **declaration)(view)
    return declare


def _row(enterprise, part: Part, row_id: int):
    """:raise 404: absent, another enterprise's, or another county's — the same answer."""
    row = scoping.get_child(db.session, viewer(), part.model, row_id,
                            enterprise_id=enterprise.id)
    if row is None:
        not_found()
    return row


def _answer(part: Part, row, status: int = 200, headers=None):
    return json_response(s.part_item(part, row), status,
                         {"ETag": etag(row.version), **(headers or {})})


def _created(part: Part, row):
    location = url_for(f"api.get_{part.name}", enterprise_id=row.enterprise_id,
                       **{f"{part.name}_id": row.id}, _external=True)
    return _answer(part, row, 201, {"Location": location})


def _values(body: dict) -> tuple[dict, str | None]:
    """The part's fields, and the reason given with them."""
    return {k: v for k, v in body.items() if k != "reason"}, body.get("reason")


@contextmanager
def _refusals(part: Part, schema: dict, renamed: dict | None = None):
    """The domain's refusal (:class:`~pool.records.changes.RecordRefused`) as invalid
    input at the field's path in the body (``renamed``: where the body calls it
    otherwise) under the body's label for it; a refusal of the whole action is
    the part's."""
    try:
        yield
    except RecordRefused as exc:
        path = (renamed or {}).get(exc.field, exc.field)
        label = titles(schema).get(path) if path else part.label
        raise Problem("invalid-input", str(exc),  # as responses answers any RecordRefused
                      errors=[InputProblem(path or "(root)", str(exc), label)]) from None


def _declare(part: Part) -> None:
    """The operations on ``part``: list, add, read, change, history (and end, renew)."""
    name, label, item = part.name, part.label, s.PART_ITEMS[part.name]
    many = f"{ONE}/{PLURAL[name]}"
    row_id = f"{name}_id"
    one = f"{many}/<int:{row_id}>"
    required = [k for k, f in part.fields.items() if f.required and (name, k) not in DEFAULTED]
    new = s.part_body(f"New{name.capitalize()}", part, required=required,
                      description=f"新增的{label}；未给出的字段为空")
    changes = s.part_body(f"{name.capitalize()}Changes", part, description=f"要修改的{label}字段")

    @_operation(f"list_{PLURAL[name]}", "GET", many, summary=f"企业的{label}",
                description=(f"企业的全部{label}（含已终止的），按 id 排序，各带版本（version）。"
                             "其他县市区的企业 404。"),
                replies={200: Reply(f"全部{label}", {"type": "array", "items": item})},
                errors=(404,))
    def listing(enterprise):
        loads = [selectinload(Product.patents)] if name == "product" else []
        rows = db.session.scalars(select(part.model).options(*loads)
                                  .where(part.model.enterprise_id == enterprise.id)
                                  .order_by(part.model.id))
        return json_response([s.part_item(part, row) for row in rows])

    @_operation(f"add_{name}", "POST", many, summary=f"新增{label}",
                description=f"在企业记录中新增一项{label}（留有修改记录）。" + DATED,
                body=new,
                replies={201: Reply(f"新增的{label}", item, {**ETAG, **LOCATION})},
                errors=(404, 422))
    def add(enterprise, body):
        values, reason = _values(body)
        with _refusals(part, new):
            row = parts.add_part(db.session, enterprise, name, actor=viewer(), today=today(),
                                 values=values, reason=reason)
        db.session.commit()
        return _created(part, row)

    @_operation(f"get_{name}", "GET", one, summary=f"一项{label}",
                description=(f"一项{label}；ETag 即其版本。"
                             "其他县市区的企业、不属于该企业的 id 与不存在的一样，都是 404。"),
                replies={200: Reply(label, item, ETAG)}, errors=(404,))
    def get(enterprise, **ids):
        return _answer(part, _row(enterprise, part, ids[row_id]))

    @_operation(f"update_{name}", "PATCH", one, summary=f"修改{label}（乐观锁）",
                description=("修改所列字段（未列出的不变；可为空的字段给 null 即清除），留有修改记录。"
                             + CONFLICT + DATED + "没有实际改变时不产生新版本。"),
                params=(IF_MATCH,),
                body=changes,
                replies={200: Reply(f"修改后的{label}", item, ETAG)}, errors=WRITE_ERRORS)
    def update(enterprise, body, **ids):
        row = _row(enterprise, part, ids[row_id])
        values, reason = _values(body)
        with _refusals(part, changes):
            parts.change_part(db.session, row, name, actor=viewer(), today=today(),
                              expected_version=expected_version(), values=values, reason=reason)
        db.session.commit()
        return _answer(part, row)

    @_operation(f"{name}_history", "GET", one + "/history", summary=f"{label}的修改记录",
                description=(f"这项{label}的全部修改，按时间先后："
                             "经办人、登记时间、生效日期、字段的原值与新值、理由。"),
                replies={200: Reply("修改记录", {"type": "array", "items": s.CHANGE})},
                errors=(404,))
    def history(enterprise, **ids):
        row = _row(enterprise, part, ids[row_id])
        return json_response([s.change(r) for r in parts.history(db.session, name, row)])

    if part.ends is not None:
        _declare_end(part, one, row_id, item)
    if name == "qualification":
        _declare_renew(part, one, row_id, item)


def _declare_end(part: Part, one: str, row_id: str, item: dict) -> None:
    name, label, ends = part.name, part.label, part.fields[part.ends].label
    schema = s.component(f"{name.capitalize()}End", s.obj({
        "on": {**s.DATE, "title": "终止日期", "description": "提前终止的日期，不晚于今天"},
        "reason": {**REASON, "title": "终止原因"}}))

    @_operation(f"end_{name}", "POST", one + "/end", summary=f"提前终止{label}",
                description=(f"登记{label}提前终止：on 日（不晚于今天，早于现有{ends}）成为其{ends}，"
                             "须写明原因（留有修改记录）。" + CONFLICT),
                params=(IF_MATCH,),
                body=schema,
                replies={200: Reply(f"终止后的{label}", item, ETAG)}, errors=WRITE_ERRORS)
    def end(enterprise, body, **ids):
        row = _row(enterprise, part, ids[row_id])
        with _refusals(part, schema, {part.ends: "on"}):
            parts.end_part(db.session, row, name, actor=viewer(), today=today(),
                           expected_version=expected_version(), on=body["on"],
                           reason=body["reason"])
        db.session.commit()
        return _answer(part, row)


def _declare_renew(part: Part, one: str, row_id: str, item: dict) -> None:
    schema = s.part_body("QualificationRenewal", part, required=["valid_from", "valid_to"],
                         description="续期证书")

    @_operation("renew_qualification", "POST", one + "/renew", summary="登记资格证书的续期证书",
                description=("登记续期后的新证书，与原证书相连（每张证书只续期一次）。"
                             "资格类型、级别、认定机构未给出时沿用原证书；新证书的有效期止须晚于原证书。"
                             + DATED),
                body=schema,
                replies={201: Reply("续期证书", item, {**ETAG, **LOCATION})}, errors=(404, 422))
    def renew(enterprise, body, **ids):
        row = _row(enterprise, part, ids[row_id])
        values, reason = _values(body)
        with _refusals(part, schema):
            new = parts.renew_qualification(db.session, row, actor=viewer(), today=today(),
                                            values=values, reason=reason)
        db.session.commit()
        return _created(part, new)


for _part in PARTS.values():
    _declare(_part)
