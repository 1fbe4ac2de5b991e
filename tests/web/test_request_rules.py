"""Request rules declared on the request models (server/core/rules.py): the OpenAPI document shows them,
and a broken rule answers the same 400 as when the services checked it (code, message, details)."""

from __future__ import annotations

import pytest

from server.core.rules import Needs, RuledModel

OPINION = {"type": "string", "minLength": 1, "pattern": r"\S"}


def _rule(fields: dict, message: str | None = None) -> dict:
    field, text = next(iter(fields.items()))
    return {"error": {"code": "INVALID_REQUEST", "message": message or text, "details": {"fields": fields}}}


# (path, role's login, body, the answer): every rule of the API, each as the service answered it
CASES = [
    ("/api/v1/staff/appointments/1/actions", "city_window", {"action": "accept", "version": 1},
     _rule({"opinion": "请填写办理意见"})),
    ("/api/v1/staff/appointments/1/actions", "city_window", {"action": "complete", "opinion": " \t\n", "version": 1},
     _rule({"opinion": "请填写办理意见"})),
    ("/api/v1/staff/appointments/1/actions", "city_window", {"action": "forward", "opinion": "转", "version": 1},
     _rule({"to_window_id": "请选择转办的目标窗口"})),
    ("/api/v1/staff/appointments/1/actions", "city_window",
     {"action": "forward", "opinion": "转", "to_window_id": None, "version": 1},
     _rule({"to_window_id": "请选择转办的目标窗口"})),
    # the opinion is checked first, as before
    ("/api/v1/staff/appointments/1/actions", "city_window", {"action": "forward", "opinion": "", "version": 1},
     _rule({"opinion": "请填写办理意见"})),
    ("/api/v1/review/applications/1/actions", "city_reviewer", {"action": "return", "version": 1},
     _rule({"opinion": "请填写审核意见"}, "退回或不予受理时请填写审核意见")),
    ("/api/v1/review/applications/1/actions", "city_reviewer", {"action": "reject", "opinion": "  ", "version": 1},
     _rule({"opinion": "请填写审核意见"}, "退回或不予受理时请填写审核意见")),
    ("/api/v1/admin/employers/1/actions", "admin", {"action": "reject", "opinion": " "},
     _rule({"opinion": "退回时请填写审核意见"})),
    ("/api/v1/employer/links/1/actions", "demo_employer", {"action": "reject"},
     _rule({"opinion": "不同意关联时请填写原因"})),
    ("/api/v1/admin/publicity/1/objection", "admin", {"opinion": "   "}, _rule({"opinion": "请填写异议内容"})),
    ("/api/v1/admin/cards/WH202400000001/disable", "admin", {"reason": ""}, _rule({"reason": "请填写停用原因"})),
    ("/api/v1/admin/cards/WH202400000001/disable", "admin", {}, _rule({"reason": "请填写停用原因"})),
]


@pytest.mark.parametrize(("path", "login", "body", "answer"), CASES)
async def test_a_broken_rule_answers_as_before(api, path, login, body, answer):
    token = await api.login_password(login)
    r = await api.post(path, body, token=token)
    assert (r.status, r.json) == (400, answer), r


async def test_rules_hold_only_when_their_condition_does(api):
    clerk = await api.login_password("city_window")
    # accepting without a target window is fine: the appointment is then simply not found
    r = await api.post("/api/v1/staff/appointments/999999/actions", {"action": "accept", "opinion": "受理", "version": 1},
                       token=clerk)
    assert r.status == 404, r
    reviewer = await api.login_password("city_reviewer")
    r = await api.post("/api/v1/review/applications/999999/actions", {"action": "approve", "version": 1}, token=reviewer)
    assert r.status == 404, r
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/admin/cards/WH202400000001/enable", {}, token=admin)
    assert r.status == 200, r


async def test_malformed_fields_are_listed_before_the_rules(api):
    clerk = await api.login_password("city_window")
    r = await api.post("/api/v1/staff/appointments/1/actions", {"action": "forward", "opinion": ""}, token=clerk)
    assert (r.status, r.json["error"]["message"]) == (400, "请求参数有误，请检查后重试")
    assert r.json["error"]["details"]["fields"] == {"version": "此项为必填项"}


async def test_openapi_shows_the_rules(api):
    doc = (await api.get("/api/v1/openapi.json")).json
    schemas = doc["components"]["schemas"]
    for name, schema in schemas.items():  # a rule on a field pydantic already requires adds no second entry
        assert len(set(schema.get("required", []))) == len(schema.get("required", [])), name

    staff = schemas["StaffActionIn"]
    assert "opinion" in staff["required"]
    assert {k: staff["properties"]["opinion"][k] for k in OPINION} == OPINION
    assert "请填写办理意见" in staff["properties"]["opinion"]["description"]
    assert {"if": {"properties": {"action": {"enum": ["forward"]}}, "required": ["action"]},
            "then": {"properties": {"to_window_id": OPINION}, "required": ["to_window_id"]}} in staff["allOf"]
    assert "forward" in staff["properties"]["to_window_id"]["description"]

    review = schemas["ReviewActionIn"]
    assert "opinion" not in review.get("required", [])
    assert {"if": {"properties": {"action": {"enum": ["return", "reject"]}}, "required": ["action"]},
            "then": {"properties": {"opinion": OPINION}, "required": ["opinion"]}} in review["allOf"]
    for name in ("LinkActionIn", "EmployerActionIn"):
        assert review["allOf"][0]["then"] == schemas[name]["allOf"][0]["then"]
        assert schemas[name]["allOf"][0]["if"]["properties"]["action"] == {"enum": ["reject"]}
    for name, field in (("ObjectionIn", "opinion"), ("CardDisableIn", "reason")):
        assert field in schemas[name]["required"]
        assert schemas[name]["properties"][field]["pattern"] == r"\S"
    def body_of(path: str) -> str:
        return doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    assert body_of("/api/v1/admin/cards/{card_no}/disable").endswith("/CardDisableIn")
    # enabling a card takes an optional reason
    assert "required" not in schemas[body_of("/api/v1/admin/cards/{card_no}/enable").rsplit("/", 1)[1]]


def test_a_rule_on_a_field_that_is_not_text():
    class Body(RuledModel):
        rules = (Needs("count", "请填写数量", when=("kind", ("many",))),)
        kind: str
        count: int | None = None

    schema = Body.model_json_schema()
    assert schema["allOf"][0]["then"] == {"properties": {"count": {"not": {"type": "null"}}}, "required": ["count"]}
    assert Body(kind="one").count is None
    with pytest.raises(Exception) as caught:
        Body(kind="many")
    assert caught.value.details == {"fields": {"count": "请填写数量"}}
