"""The OpenAPI 3.1 document, generated from the routes and the pydantic models that validate them."""

from __future__ import annotations

import re

from pydantic.json_schema import models_json_schema

from server.web.base import ApiHandler, all_endpoints

_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string", "description": "中文提示"},
        "details": {"type": "object"}}}},
}


def _path(pattern: str) -> tuple[str, list[tuple[str, str]]]:
    """The OpenAPI path of a route pattern and its path parameters with the regex each must match."""
    params = _GROUP.findall(pattern)
    return _GROUP.sub(lambda m: "{" + m.group(1) + "}", pattern).rstrip("$").replace("\\.", "."), params


def _not_null(schema: dict) -> dict:
    """A query parameter is absent or has a value: `X | None` documents as plain X (a query string
    has no null), keeping the field's title, default and description."""
    branches = schema.get("anyOf")
    if not branches:
        return schema
    rest = [b for b in branches if b != {"type": "null"}]
    if len(rest) == len(branches):
        return schema
    out = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    if len(rest) == 1:
        out.update(rest[0])
    else:
        out["anyOf"] = rest
    if schema.get("default") is not None:
        out["default"] = schema["default"]
    return out


def _query_parameters(model, model_schema: dict) -> list[dict]:
    """One parameter per field, named as the handler reads it (the alias: `from`, not `from_`), with
    the field's JSON schema from the same model that validates the query."""
    props = model_schema.get("properties", {})
    required = set(model_schema.get("required", []))
    out = []
    for field_name, field in model.model_fields.items():
        name = field.alias or field_name
        schema = _not_null(dict(props[name]))
        param = {"name": name, "in": "query", "required": name in required, "schema": schema}
        if field.description:
            param["description"] = field.description
        out.append(param)
    return out


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
            {"name": n, "in": "path", "required": True, "schema": {"type": "string", "pattern": f"^{rx}$"}}
            for n, rx in params]}
        if ep.auth.kind in ("user", "roles"):
            op["security"] = [{"bearer": []}]
        elif ep.auth.kind == "signed_url":
            op["security"] = [{"bearer": []}, {}]
        if ep.query is not None:
            ref = key_map[(ep.query, "validation")]["$ref"].rsplit("/", 1)[1]
            op["parameters"] += _query_parameters(ep.query, components[ref])
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
