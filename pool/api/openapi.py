"""The OpenAPI 3.1 document, assembled from the operation registry, and its pages.

Nothing here is written by hand per endpoint: paths, parameters, request and
response schemas all come from the ``@operation`` declarations beside the
views (:mod:`pool.api.operations`), so the description cannot drift from the code.
"""
from __future__ import annotations

import json

from flask import current_app, render_template, url_for

from pool.api.core import JSON, MAX_ID, PREFIX, Operation, Param, Reply, bp
from pool.api.inputs import COMPONENTS
from pool.api.operations import operation, registry
from pool.api.responses import PROBLEMS, json_response

VERSION = "1.0.0"
DESCRIPTION = """黄石市专利产业化样板企业培育库的 JSON 接口。

* **认证**：`Authorization: Bearer <令牌>`。令牌由用户在系统中“API 令牌”页面创建（只显示一次）
  并可随时吊销；接口以令牌所属用户的身份和县（市、区）权限办理，其他县市区的数据一律 404。
* **限流**：每个用户（其所有令牌合计）每分钟 {limit} 次请求，超出时 429，`Retry-After` 给出等待秒数。
* **金额**：万元，JSON 数字，按十进制精确读写（不经二进制浮点）。日期 `YYYY-MM-DD`。
  奖补（`/awards/…`）的金额与 `flask pool awards evaluate --json` 相同，为精确的十进制文本（如 `"4.14"`）；
  奖补事实中的金额可为数字或十进制文本。目标评估（`/targets/…`）的数值与 `flask pool targets evaluate --json`
  相同，为精确文本（有限小数，否则为分数 p/q）。
* **错误**：RFC 9457 problem details（`application/problem+json`）；输入错误（422）的 `errors`
  逐项列出字段路径与原因。
* **权限**：开启、关闭入库批次和审批更正申请仅限市级管理员，其他用户 403。
* **并发修改**：企业记录及其专利、产品、资格证书、商标、产学研合作各条的 `ETag` 即其版本；
  `PATCH` 与提前终止（`…/end`）须带 `If-Match`，版本已变则 409。每次修改留有修改记录（`…/history`）。
"""


def document() -> dict:
    """The OpenAPI 3.1 document of every declared operation."""
    paths: dict[str, dict] = {}
    for op in registry.operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    limit = current_app.config.get("API_RATE_LIMIT")
    return {
        "openapi": "3.1.0",
        "info": {"title": "培育库 API", "version": VERSION,
                 "description": DESCRIPTION.format(limit=limit)},
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in registry.operations)],
        "paths": paths,
        "components": {
            "schemas": dict(COMPONENTS),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "API 令牌（pool_…）"}},
        },
    }


def _operation(op: Operation) -> dict:
    out = {"operationId": op.endpoint.split(".", 1)[1], "summary": op.summary, "tags": [op.tag]}
    if op.description:
        out["description"] = op.description
    if op.public:
        out["security"] = []
    # A path parameter is an id unless the operation describes it (a code, e.g. a target set's).
    described = {p.name: p for p in op.params if p.where == "path"}
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
                  if name not in described else _parameter(described[name]) for name in op.path_params]
    parameters += [_parameter(p) for p in op.params if p.where != "path"]
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {"required": True, "description": op.body_description,
                              "content": {JSON: {"schema": op.body}}}
    out["responses"] = {str(status): _reply(reply) for status, reply in sorted(op.replies.items())}
    return out


def _parameter(param: Param) -> dict:
    return {"name": param.name, "in": param.where, "required": param.required or param.where == "path",
            "description": param.description, "schema": param.schema}


def _reply(reply: Reply) -> dict:
    out: dict = {"description": reply.description}
    if reply.schema is not None:
        out["content"] = {reply.media_type: {"schema": reply.schema}}
    if reply.headers:
        out["headers"] = reply.headers
    return out


@operation("GET", "/openapi.json", tag="meta", summary="本接口的 OpenAPI 3.1 描述",
           description="由代码生成，始终与运行中的版本一致。", public=True,
           replies={200: Reply("OpenAPI 文档", {"type": "object", "required": ["openapi", "paths"]})})
def openapi_json():
    """Generated from the code at every request: it is always the running version's."""
    return json_response(document())


@bp.route("/")
def home():
    return json_response({"openapi": url_for("api.openapi_json", _external=True),
                          "docs": url_for("api.docs", _external=True)})


@bp.route("/docs")
def docs():
    """A browsable page of the same document, rendered here (no external scripts)."""
    doc = document()
    return render_template("api/docs.html", doc=doc, problems=PROBLEMS,
                           pretty=lambda value: json.dumps(value, ensure_ascii=False, indent=2))
