"""The base handler: declared auth, input validation, JSON errors, Idempotency-Key, metrics.

Every HTTP method of every handler is wrapped by `@endpoint(auth=…)`. The wrapper authenticates
and authorises, validates the query and the JSON body with pydantic, runs the method, writes its
return value as JSON, and turns typed domain errors into the contract's error body. `make_app`
refuses to start when a handler method is not declared this way.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import tornado.web
from pydantic import BaseModel, ValidationError

from server import errors
from server.auth import idle
from server.core import metrics
from server.core.idempotency import IDEMPOTENCY_TTL
from server.core.logctx import request_id_var
from server.core.principal import Principal
from server.core.tokens import token_hash
from server.core.validators import INT64_MAX, INT64_MIN
from server.db.database import DatabaseUnavailable, IntegrityError, Query, one_connection_per_request
from server.db.tables import accounts, idempotency_keys, sessions
from server.web import security
from server.web.auth_policy import Policy
from server.web.jsonutil import dumps

log = logging.getLogger("server.web")

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclasses.dataclass(frozen=True)
class Endpoint:
    auth: Policy
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    summary: str = ""
    status: int = 200
    idempotent: bool = False
    # OpenAPI media type of a non-JSON answer (image/png, xlsx, redirect …)
    produces: str | None = None
    # a multipart or otherwise non-JSON request body the handler reads itself
    raw_body: bool = False
    max_body: int | None = None


@dataclasses.dataclass
class Raw:
    """A non-JSON answer: bytes with a content type (PNG, xlsx …)."""

    body: bytes
    content_type: str
    status: int = 200
    filename: str | None = None


def endpoint(auth: Policy, **kw: Any) -> Callable:
    """Declare who may call this HTTP method and what it takes and returns."""
    ep = Endpoint(auth=auth, **kw)

    def deco(fn):
        @functools.wraps(fn)
        async def wrapper(self: ApiHandler, *args, **kwargs):
            await self._run(ep, fn, args, kwargs)

        wrapper.__endpoint__ = ep
        return wrapper

    return deco


# --------------------------------------------------------------------------- validation messages

_PYDANTIC_ZH = {
    "missing": "此项为必填项",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "string_pattern_mismatch": "格式不正确",
    "date_parsing": "日期格式应为YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "extra_forbidden": "不支持此字段",
    "json_invalid": "不是有效的JSON",
    "url_parsing": "网址格式不正确",
}


def _zh(err: dict) -> str:
    t = err.get("type", "")
    ctx = err.get("ctx") or {}
    if t in ("string_too_short", "too_short"):
        return f"长度不能少于{ctx.get('min_length')}"
    if t in ("string_too_long", "too_long"):
        return f"长度不能超过{ctx.get('max_length')}"
    if t in ("greater_than_equal", "greater_than"):
        return f"不能小于{ctx.get('ge', ctx.get('gt'))}"
    if t in ("less_than_equal", "less_than"):
        return f"不能大于{ctx.get('le', ctx.get('lt'))}"
    if t in ("literal_error", "enum"):
        return f"取值无效，可选值：{ctx.get('expected', '')}"
    if t == "value_error":
        msg = str(ctx.get("error", "")) or err.get("msg", "")
        return msg.removeprefix("Value error, ") or "取值无效"
    return _PYDANTIC_ZH.get(t, "取值无效")


def validation_error(exc: ValidationError, prefix: str = "") -> errors.InvalidRequest:
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ())) or "body"
        fields.setdefault(prefix + loc, _zh(err))
    return errors.InvalidRequest.fields(fields, errors.CHECK_FIELDS)


# --------------------------------------------------------------------------- JSON shape

MAX_JSON_DEPTH = 32


def check_json_shape(data: Any) -> None:
    """Refuse what no route takes but would break something deeper down: nesting past
    MAX_JSON_DEPTH (recursion in validation, storage and re-serialisation) and integers outside
    a signed 64-bit range (SQLite cannot bind them; a MariaDB BIGINT cannot hold them).
    Iterative, so a deep document cannot exhaust the stack here either."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise errors.InvalidRequest(f"请求内容嵌套过深（不能超过{MAX_JSON_DEPTH}层）")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list, int)))
        elif isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
            raise errors.InvalidRequest("数值超出范围")


# --------------------------------------------------------------------------- the handler

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_SESSION_LOOKUP = Query(
    sa.select(
        sessions.c.id.label("session_id"),
        sessions.c.expires_at,
        sessions.c.created_at.label("session_created_at"),
        sessions.c.last_seen_at,
        accounts.c.id,
        accounts.c.name,
        accounts.c.roles,
        accounts.c.org_id,
        accounts.c.status,
    )
    .select_from(sessions.join(accounts, accounts.c.id == sessions.c.account_id))
    .where(sessions.c.token_hash == sa.bindparam("h"))
    .where(sessions.c.revoked_at.is_(None))
)


# a staff session's last use, written at most once a minute (server/auth/idle.py)
_TOUCH_SESSION = Query(sessions.update().where(
    sessions.c.id == sa.bindparam("id"),
    sa.or_(sessions.c.last_seen_at.is_(None), sessions.c.last_seen_at < sa.bindparam("stale")),
).values(last_seen_at=sa.bindparam("now")))


async def load_principal(db, token: str, now, *, touch: bool = False) -> Principal | None:
    """The caller behind a session token, or None when it is unknown, revoked, expired, idle too
    long (staff) or disabled. Shared by every HTTP handler (`touch`: a use that slides a staff
    session's idle deadline) and the WebSocket (which re-checks its session periodically)."""
    if len(token) > 200:
        return None
    row = await db.fetchone(_SESSION_LOOKUP, {"h": token_hash(token)})
    if row is None or row["status"] != "active" or row["expires_at"] <= now:
        return None
    roles = frozenset(filter(None, row["roles"].split(",")))
    if idle.is_staff(roles):
        last_seen = row["last_seen_at"] or row["session_created_at"]
        if idle.idle_deadline(last_seen) <= now:
            return None
        if touch and idle.needs_touch(last_seen, now):
            await db.execute(_TOUCH_SESSION, {"id": row["session_id"], "now": now, "stale": now - idle.TOUCH_EVERY})
    return Principal(
        id=row["id"],
        name=row["name"],
        roles=roles,
        org_id=row["org_id"],
        session_id=row["session_id"],
    )


class ApiHandler(tornado.web.RequestHandler):
    """Base of every API handler. Subclasses only define `@endpoint`-wrapped methods."""

    principal: Principal | None = None
    # a method may choose its success status (e.g. 200 or 201 for an upsert); default: the declared one
    response_status: int | None = None
    route_name: str = ""  # set by make_app: the route pattern, for metrics and logs

    def initialize(self, route_name: str = "") -> None:
        self.route_name = route_name
        self.body_args: Any = None
        self.query_args: Any = None
        self._idem: dict | None = None

    @property
    def deps(self):
        return self.application.settings["deps"]

    @property
    def config(self):
        return self.deps.config

    @property
    def db(self):
        return self.deps.db

    def now(self):
        return self.deps.clock()

    @property
    def client_ip(self) -> str:
        cfg = self.deps.config
        return security.client_ip(self.request, trusted_proxy=cfg.trusted_proxy, proxies=cfg.trusted_proxy_addresses)

    # ------------------------------------------------------------------ lifecycle

    def prepare(self) -> None:
        rid = self.request.headers.get("X-Request-Id", "")
        # as random as uuid4().hex, without building a UUID
        self.request_id = rid if _REQUEST_ID.match(rid) else os.urandom(16).hex()
        request_id_var.set(self.request_id)
        self.set_header("X-Request-Id", self.request_id)
        self.set_header("Cache-Control", "no-store")

    def set_default_headers(self) -> None:
        security.api_headers(self)  # nosniff, no framing, no referrer, CSP default-src 'none'

    def on_finish(self) -> None:
        status = self.get_status()
        elapsed = self.request.request_time()
        route = self.route_name or "unmatched"
        metrics.observe(route, self.request.method, status, elapsed)
        if not log.isEnabledFor(logging.INFO):  # LOG_LEVEL=WARNING: not even the record's fields are built
            return
        log.info(
            "request",
            extra={
                "event": "request",
                "method": self.request.method,
                "route": route,
                "path": self.request.path,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
                "account_id": self.principal.id if self.principal else None,
                "ip": self.client_ip,
            },
        )

    # ------------------------------------------------------------------ the endpoint wrapper

    async def _run(self, ep: Endpoint, fn, args, kwargs) -> None:
        # the session look-up and the transaction that follows it share one pooled connection
        with one_connection_per_request():
            try:
                self._check_size(ep)
                await self._authenticate(ep.auth)
                if ep.query is not None:
                    self.query_args = self._parse_query(ep.query)
                if ep.body is not None:
                    self.body_args = self._parse_body(ep.body)
                if ep.idempotent and await self._idempotency_begin():
                    return
                result = await fn(self, *args, **kwargs)
                if self._finished:
                    await self._idempotency_end(self.get_status(), None)
                    return
                await self._respond(ep, result)
            except errors.DomainError as exc:
                await self._idempotency_abort()
                self.write_domain_error(exc)
            except DatabaseUnavailable:
                await self._idempotency_abort()
                log.warning("database unavailable", exc_info=True)
                self.write_domain_error(errors.ServiceUnavailable("数据库暂时不可用，请稍后再试"))
            except tornado.web.HTTPError:
                await self._idempotency_abort()
                raise
            except Exception:
                await self._idempotency_abort()
                log.exception("unhandled error")
                self.write_domain_error(errors.InternalError())

    def _check_size(self, ep: Endpoint) -> None:
        limit = ep.max_body or (self.config.max_upload_bytes if ep.raw_body else self.config.max_body_bytes)
        if len(self.request.body or b"") > limit:
            raise errors.PayloadTooLarge(f"请求内容过大，不能超过{limit // 1024}KB")

    async def _authenticate(self, policy: Policy) -> None:
        token = None
        auth = self.request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[7:].strip()
        if token:
            self.principal = await load_principal(self.db, token, self.now(), touch=True)
        if policy.kind == "sync":
            from server.sync.signature import verify

            self.sync_client = await verify(self)
        policy.check(self)

    def _parse_query(self, model: type[BaseModel]):
        raw = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        try:
            parsed = model.model_validate(raw)
        except ValidationError as exc:
            raise validation_error(exc) from None
        check_json_shape(parsed.model_dump())  # e.g. ?after=2^64 on an unbounded int field
        return parsed

    def _parse_body(self, model: type[BaseModel]):
        body = self.request.body or b"{}"
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise errors.InvalidRequest("请求内容不是有效的JSON") from None
        if not isinstance(data, dict):
            raise errors.InvalidRequest("请求内容应为JSON对象")
        check_json_shape(data)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise validation_error(exc) from None

    async def _respond(self, ep: Endpoint, result: Any) -> None:
        if isinstance(result, Raw):
            self.set_status(result.status)
            self.set_header("Content-Type", result.content_type)
            if result.filename:
                from urllib.parse import quote

                self.set_header(
                    "Content-Disposition", f"attachment; filename*=UTF-8''{quote(result.filename)}"
                )
            self.finish(result.body)
            return
        if result is None and ep.status == 204:
            self.set_status(204)
            await self._idempotency_end(204, "")
            self.finish()
            return
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        body = dumps(result)
        status = self.response_status or ep.status
        await self._idempotency_end(status, body)
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(body)

    # ------------------------------------------------------------------ errors

    def write_domain_error(self, exc: errors.DomainError) -> None:
        if self._finished:
            return
        self.clear()
        self.set_header("X-Request-Id", getattr(self, "request_id", ""))
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(dumps(exc.body()))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Tornado's own errors (malformed request, unknown method …) in the contract's shape
        mapping = {
            400: errors.InvalidRequest("请求格式有误"),
            404: errors.NotFound(),
            405: errors.MethodNotAllowed(),
            413: errors.PayloadTooLarge(),
        }
        exc = mapping.get(status_code) or errors.InternalError()
        exc.status = status_code
        self.write_domain_error(exc)

    # ------------------------------------------------------------------ Idempotency-Key

    def _idem_scope(self) -> str:
        return f"a:{self.principal.id}" if self.principal else f"ip:{self.client_ip}"

    async def _idempotency_begin(self, _stale_removed: bool = False) -> bool:
        """Returns True when a stored answer was replayed and the request is done."""
        key = self.request.headers.get("Idempotency-Key")
        if not key:
            return False
        if len(key) > 128:
            raise errors.InvalidRequest("Idempotency-Key 过长（不能超过128个字符）")
        digest = hashlib.sha256(
            self.request.method.encode() + b"\n" + self.request.path.encode() + b"\n" + (self.request.body or b"")
        ).hexdigest()
        ident = {"scope": self._idem_scope(), "route": self.route_name[:128], "idem_key": key}
        try:
            await self.db.execute(
                idempotency_keys.insert().values(**ident, request_hash=digest, created_at=self.now())
            )
        except IntegrityError:
            t = idempotency_keys.c
            row = await self.db.fetchone(
                idempotency_keys.select().where(
                    t.scope == ident["scope"], t.route == ident["route"], t.idem_key == key
                )
            )
            if row is None:  # removed between our insert and select: treat as in flight
                raise errors.IdempotencyInProgress() from None
            cutoff = self.now() - IDEMPOTENCY_TTL
            if row["created_at"] < cutoff and not _stale_removed:
                # the key's life is over: never replay a months-old answer; forget it (only if still
                # stale: a racing request may have just taken the key anew) and start afresh
                await self.db.execute(idempotency_keys.delete().where(t.id == row["id"], t.created_at < cutoff))
                return await self._idempotency_begin(_stale_removed=True)
            if row["request_hash"] != digest:
                raise errors.IdempotencyConflict() from None
            if row["status_code"] is None:
                raise errors.IdempotencyInProgress() from None
            self.set_status(row["status_code"])
            self.set_header("Idempotent-Replayed", "true")
            if row["response_body"]:
                self.set_header("Content-Type", "application/json; charset=UTF-8")
                self.finish(row["response_body"])
            else:
                self.finish()
            return True
        self._idem = ident
        return False

    async def _idempotency_end(self, status: int, body: str | None) -> None:
        if self._idem is None:
            return
        ident, self._idem = self._idem, None
        t = idempotency_keys.c
        await self.db.execute(
            idempotency_keys.update()
            .where(t.scope == ident["scope"], t.route == ident["route"], t.idem_key == ident["idem_key"])
            .values(status_code=status, response_body=body)
        )

    async def _idempotency_abort(self) -> None:
        # a failed first attempt must not block a retry with the same key
        if self._idem is None:
            return
        ident, self._idem = self._idem, None
        t = idempotency_keys.c
        try:
            await self.db.execute(
                idempotency_keys.delete().where(
                    t.scope == ident["scope"], t.route == ident["route"], t.idem_key == ident["idem_key"]
                )
            )
        except Exception:
            log.warning("could not release idempotency key", exc_info=True)


class NotFoundHandler(ApiHandler):
    """Unknown paths answer the contract's 404 JSON."""

    def prepare(self) -> None:
        super().prepare()
        self.route_name = "unmatched"
        self.write_domain_error(errors.NotFound("接口不存在"))


def all_endpoints(handler_cls) -> dict[str, Endpoint]:
    out = {}
    for m in HTTP_METHODS:
        fn = getattr(handler_cls, m, None)
        if fn is None:
            continue
        base_fn = getattr(tornado.web.RequestHandler, m, None)
        if fn is base_fn:
            continue
        ep = getattr(fn, "__endpoint__", None)
        out[m] = ep
    return out
