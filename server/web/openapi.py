"""The OpenAPI 3.1 document, generated from the routes and the pydantic models that validate them."""

from __future__ import annotations

import re

from pydantic.json_schema import models_json_schema

from server.web.base import ApiHandler, all_endpoints

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string", "description": "中文提示"},
        "details": {"type": "object"}}}},
}


def _path(pattern: str) -> tuple[str, list[str]]:
    names = _GROUP.findall(pattern)
    return _GROUP.sub(lambda m: "{" + m.group(1) + "}", pattern).rstrip("$").replace("\\.", "."), names


def build_openapi(app) -> dict:
    ops = []
    models = set()
    for rule in app.wildcard_router.rules:
        handler = rule.target
        if not (isinstance(handler, type) and issubclass(handler, ApiHandler)):
            continue
        pattern = rule.matcher.regex.pattern
        for method, ep in all_endpoints(handler).items():
            ops.append((pattern, method, ep))
            for m in (ep.body, ep.query, ep.response):
                if m is not None:
                    models.add(m)
    model_list = sorted(models, key=lambda m: m.__name__)
    key_map, schemas = models_json_schema([(m, "validation") for m in model_list],
                                          ref_template="#/components/schemas/{model}")
    components = schemas.get("$defs", {})
    components["Error"] = _ERROR
    paths: dict = {}
    for pattern, method, ep in sorted(ops, key=lambda o: (o[0], o[1])):
        path, params = _path(pattern)
        op: dict = {"summary": ep.summary, "x-auth": ep.auth.describe(), "parameters": [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in params]}
        if ep.auth.kind in ("user", "roles"):
            op["security"] = [{"bearer": []}]
        elif ep.auth.kind == "signed_url":
            op["security"] = [{"bearer": []}, {}]
        if ep.query is not None:
            for name, field in ep.query.model_fields.items():
                op["parameters"].append({"name": name, "in": "query", "required": field.is_required(),
                                         "description": field.description or ""})
        if ep.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": key_map[(ep.body, "validation")]}}}
        if ep.raw_body:
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object"}}}}
        ok: dict = {"description": "成功"}
        if ep.produces:
            ok["content"] = {ep.produces: {"schema": {"type": "string", "format": "binary"}}}
        elif ep.response is not None:
            ok["content"] = {"application/json": {"schema": key_map[(ep.response, "validation")]}}
        elif ep.status != 204:
            ok["content"] = {"application/json": {"schema": {"type": "object"}}}
        err = {"description": "错误（见 error.code）",
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        op["responses"] = {str(ep.status): ok, "4XX": err}
        if ep.idempotent:
            op["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                     "schema": {"type": "string", "maxLength": 128}})
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "英才卡 · 人才服务绿色通道 API", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
