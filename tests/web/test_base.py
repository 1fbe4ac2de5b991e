"""The web base: JSON errors, declared auth, Idempotency-Key, request ids, health, metrics."""

import asyncio
import logging

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, Field

from server.app import StartupError, check_handler_auth, make_app
from server.db.tables import kv_store
from server.web.auth_policy import LOGGED_IN, PUBLIC
from server.web.base import ApiHandler, endpoint


class ThingIn(BaseModel):
    name: str = Field(max_length=20)
    fail: bool = False


class ThingsHandler(ApiHandler):
    """Creates a row per request: proves Idempotency-Key replays instead of creating twice."""

    @endpoint(LOGGED_IN, body=ThingIn, status=201, idempotent=True)
    async def post(self):
        if self.body_args.fail:
            from server import errors
            raise errors.InvalidTransition()
        await asyncio.sleep(0.05)
        n = await self.db.fetchval(sa.select(sa.func.count()).select_from(kv_store).where(kv_store.c.k.like("thing:%")))
        await self.db.execute(kv_store.insert().values(k=f"thing:{n}:{self.body_args.name}", v="x"))
        return {"id": str(n), "name": self.body_args.name}


class BoomHandler(ApiHandler):
    @endpoint(PUBLIC)
    async def get(self):
        raise RuntimeError("secret internal detail 13800000001")


@pytest.fixture
def app(deps):
    return make_app(deps, extra_routes=[(r"/test/things", ThingsHandler), (r"/test/boom", BoomHandler)])


async def test_unknown_path_and_method(api):
    r = await api.get("/api/v1/nope")
    assert r.status == 404 and r.code == "NOT_FOUND" and r.json["error"]["message"]
    r = await api.call("DELETE", "/api/v1/me")
    assert r.status == 405 and r.code == "METHOD_NOT_ALLOWED"


async def test_unhandled_error_is_a_clean_500(api, caplog):
    with caplog.at_level(logging.ERROR):
        r = await api.get("/test/boom")
    assert r.status == 500 and r.code == "INTERNAL_ERROR"
    assert "secret" not in r.body.decode() and "Traceback" not in r.body.decode()
    assert r.json["error"]["message"] == "服务器内部错误，请稍后再试"


async def test_request_id_echoed_or_created(api):
    r = await api.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    r = await api.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert r.headers["X-Request-Id"] != "bad id with spaces" and len(r.headers["X-Request-Id"]) == 32


async def test_auth_required_and_roles(api):
    r = await api.get("/api/v1/me")
    assert r.status == 401 and r.code == "UNAUTHORIZED" and r.json["error"]["message"] == "请先登录"
    holder = await api.login_sms("13800000001")
    r = await api.get("/api/v1/admin/accounts", token=holder)
    assert r.status == 403 and r.code == "FORBIDDEN"
    r = await api.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert r.status == 401


async def test_idempotency_key_replays_and_conflicts(api, deps):
    token = await api.login_password("admin")
    h = {"Idempotency-Key": "k-1"}
    a = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    b = await api.post("/test/things", {"name": "甲"}, token=token, headers=h)
    assert a.status == b.status == 201 and a.json == b.json
    assert b.headers.get("Idempotent-Replayed") == "true"
    c = await api.post("/test/things", {"name": "乙"}, token=token, headers=h)
    assert c.status == 422 and c.code == "IDEMPOTENCY_CONFLICT"
    # another user's identical key is a different request
    other = await api.login_password("city_window")
    d = await api.post("/test/things", {"name": "甲"}, token=other, headers=h)
    assert d.status == 201 and d.json["id"] != a.json["id"]
    n = await deps.db.fetchval(sa.select(sa.func.count()).select_from(kv_store).where(kv_store.c.k.like("thing:%")))
    assert n == 2


async def test_idempotency_concurrent_duplicates_create_once(api, deps):
    token = await api.login_password("admin")
    h = {"Idempotency-Key": "same"}
    rs = await asyncio.gather(*[api.post("/test/things", {"name": "丙"}, token=token, headers=h) for _ in range(4)])
    statuses = sorted(r.status for r in rs)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    n = await deps.db.fetchval(sa.select(sa.func.count()).select_from(kv_store).where(kv_store.c.k.like("thing:%")))
    assert n == 1


async def test_failed_request_does_not_burn_the_key(api):
    token = await api.login_password("admin")
    h = {"Idempotency-Key": "retry-me"}
    r = await api.post("/test/things", {"name": "丁", "fail": True}, token=token, headers=h)
    assert r.status == 409
    r = await api.post("/test/things", {"name": "丁", "fail": True}, token=token, headers=h)
    assert r.status == 409 and r.code == "INVALID_TRANSITION"
    r = await api.post("/test/things", {"name": "丁"}, token=token, headers={"Idempotency-Key": "x" * 200})
    assert r.status == 400


async def test_validation_errors_in_chinese(api):
    token = await api.login_password("admin")
    r = await api.post("/test/things", {"name": 5}, token=token)
    assert r.status == 400 and r.json["error"]["details"]["fields"] == {"name": "应为字符串"}
    r = await api.post("/test/things", {"name": "x" * 50}, token=token)
    assert r.json["error"]["details"]["fields"] == {"name": "长度不能超过20"}
    r = await api.post("/test/things", {"name": "a", "fail": "maybe"}, token=token)
    assert r.json["error"]["details"]["fields"] == {"fail": "应为布尔值"}


async def test_health_and_metrics(api):
    r = await api.get("/healthz")
    assert r.status == 200 and r.json == {"status": "ok", "db": "ok"}
    await api.get("/api/v1/me")
    r = await api.get("/metrics")
    text = r.body.decode()
    assert r.status == 200
    assert 'http_requests_total{method="GET",route="/api/v1/me",status="401"}' in text
    assert "http_request_duration_seconds_bucket" in text


def test_startup_refuses_undeclared_handlers():
    class Naked(ApiHandler):
        async def get(self):
            pass

    with pytest.raises(StartupError, match="does not declare auth"):
        check_handler_auth([(r"/naked", Naked)])


def test_logs_mask_phones_and_id_numbers():
    from server.core.logctx import JsonFormatter
    from server.core.privacy import mask_text

    assert mask_text("phone 13800000001 id 371081198001011234 x") == "phone 138****0001 id 371081******1234 x"
    assert mask_text("order 2026112309300012345") == "order 2026112309300012345"
    rec = logging.LogRecord("t", logging.INFO, "", 0, "login %s", ("13912345678",), None)
    assert "139****5678" in JsonFormatter().format(rec) and "13912345678" not in JsonFormatter().format(rec)


