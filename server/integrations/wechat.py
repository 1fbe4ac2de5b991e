"""WeChat through wechatpy: mini-program login and phone number, H5 OAuth, JSSDK signatures.

wechatpy is synchronous, so every call runs in the executor, never on the event loop. The
access_token and the jsapi_ticket live in the shared `kv_store` table (`DbSessionStorage`), so
every server process uses the same ones; a row lock (`SELECT … FOR UPDATE`) makes N processes that
all find the token missing fetch it once. WeChat's error codes become typed errors: an invalid
code → 400 `WECHAT_CODE_INVALID`, the rate limit → 429, anything else → 503 `WECHAT_UNAVAILABLE`;
an "access_token expired" answer drops the shared token and retries the call once.

Nothing here logs a WeChat answer: it may hold a `session_key`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa
from sqlalchemy.dialects import mysql as mysql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from server import errors
from server.core.timeutil import utcnow
from server.db.database import DatabaseUnavailable, sync_url
from server.db.tables import kv_store

log = logging.getLogger(__name__)

T = TypeVar("T")

WECHATPY_API_BASE = "https://api.weixin.qq.com/"
HTTP_TIMEOUT = (3.0, 10.0)  # connect, read (seconds)

# errcodes: access_token invalid / expired; login or phone code invalid / used; rate limited
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
CODE_ERRCODES = frozenset({40029, 40163})
RATE_LIMIT_ERRCODES = frozenset({45011})


# --------------------------------------------------------------------------- shared token storage


class DbSessionStorage(SessionStorage):
    """wechatpy's `SessionStorage` over the `kv_store` table, shared by every server process.

    It runs inside executor threads, on a synchronous SQLAlchemy engine. Values are stored as JSON
    and an expired row reads as missing. `locked(name)` holds a row lock for the rest of a
    transaction; get/set/delete made by the same thread meanwhile use that transaction, so what
    they write becomes visible together with the lock's release.
    """

    def __init__(self, engine: sa.Engine, prefix: str = "wechat:"):
        self.engine = engine
        self.prefix = prefix
        self._local = threading.local()
        self._lock_rows: set[str] = set()
        t = kv_store.c
        self._get = sa.select(t.v, t.expires_at).where(t.k == sa.bindparam("k"))
        self._lock = sa.select(t.k).where(t.k == sa.bindparam("k")).with_for_update()
        self._delete = kv_store.delete().where(t.k == sa.bindparam("k"))
        if engine.dialect.name == "sqlite":
            upsert = sqlite_dialect.insert(kv_store)
            self._upsert = upsert.on_conflict_do_update(
                index_elements=[t.k], set_={"v": upsert.excluded.v, "expires_at": upsert.excluded.expires_at})
            self._insert_ignore = sqlite_dialect.insert(kv_store).on_conflict_do_nothing()
        else:
            upsert = mysql_dialect.insert(kv_store)
            self._upsert = upsert.on_duplicate_key_update(v=upsert.inserted.v, expires_at=upsert.inserted.expires_at)
            self._insert_ignore = kv_store.insert().prefix_with("IGNORE")

    @classmethod
    def from_url(cls, database_url: str) -> DbSessionStorage:
        """A storage on its own small synchronous engine for the application's database."""
        url = sync_url(database_url)
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

            @sa.event.listens_for(engine, "connect")
            def _connect(dbapi_conn, _record) -> None:
                dbapi_conn.isolation_level = None  # BEGIN is ours (below), not pysqlite's
                dbapi_conn.execute("PRAGMA busy_timeout=30000")

            @sa.event.listens_for(engine, "begin")
            def _begin(conn) -> None:
                # a lock takes SQLite's write lock at once; everything else starts deferred
                immediate = conn.get_execution_options().get("sqlite_immediate")
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        else:
            engine = sa.create_engine(url, pool_size=2, max_overflow=8, pool_pre_ping=True, pool_recycle=3600,
                                      isolation_level="READ COMMITTED", connect_args={"connect_timeout": 3})
        return cls(engine)

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self.engine.dispose()

    # ------------------------------------------------------------------ SessionStorage

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sa.Connection]:
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self.engine.begin() as conn:
            yield conn

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under `key`, or `default` when missing or expired."""
        with self._conn() as conn:
            row = conn.execute(self._get, {"k": self.prefix + key}).first()
        if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
            return default
        return json.loads(row.v)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        """Store `value` (JSON-serialisable) under `key`, for `ttl` seconds when given."""
        if value is None:
            return
        expires_at = utcnow() + dt.timedelta(seconds=int(ttl)) if ttl else None
        with self._conn() as conn:
            conn.execute(self._upsert, {"k": self.prefix + key, "v": json.dumps(value), "expires_at": expires_at})

    def delete(self, key: str) -> None:
        """Forget `key`."""
        with self._conn() as conn:
            conn.execute(self._delete, {"k": self.prefix + key})

    # ------------------------------------------------------------------ the cross-process lock

    def _ensure_lock_row(self, key: str, held: sa.Connection | None) -> None:
        """Create the lock's row once, outside any locking transaction (on MySQL, an INSERT that
        meets an existing row takes a shared lock, and upgrading it could deadlock)."""
        if key in self._lock_rows:
            return
        params = {"k": key, "v": "1", "expires_at": None}
        if held is not None and self.engine.dialect.name == "sqlite":
            held.execute(self._insert_ignore, params)  # our transaction holds SQLite's write lock
        else:
            with self.engine.begin() as conn:
                conn.execute(self._insert_ignore, params)
        self._lock_rows.add(key)

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold the lock `name` (a kv_store row) across processes until the block ends."""
        key = f"{self.prefix}lock:{name}"
        held = getattr(self._local, "conn", None)
        self._ensure_lock_row(key, held)
        if held is not None:  # nested in another lock: same transaction
            held.execute(self._lock, {"k": key})
            yield
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_immediate=True)
            tx = conn.begin()
            if conn.execute(self._lock, {"k": key}).first() is None:
                # the row was deleted meanwhile (a lock on no row locks nothing): recreate, lock again
                tx.rollback()
                self._lock_rows.discard(key)
                self._ensure_lock_row(key, None)
                tx = conn.begin()
                conn.execute(self._lock, {"k": key})
            with tx:
                self._local.conn = conn
                try:
                    yield
                finally:
                    self._local.conn = None


# --------------------------------------------------------------------------- wechatpy, adapted


class _HttpSession(requests.Session):
    """A requests session with a default timeout (wechatpy's token fetch passes none)."""

    def __init__(self, timeout: tuple[float, float] = HTTP_TIMEOUT):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


class _TokenFetchFailed(WeChatClientException):
    """`cgi-bin/token` itself refused (wrong secret, IP not whitelisted …): never retried."""


class _BadAnswer(Exception):
    """WeChat answered without a field it always sends."""


class SharedTokenClient(WeChatClient):
    """wechatpy's client pointed at our API base, with its access_token in the shared storage:
    fetched once across processes under a lock, dropped when WeChat says it has expired."""

    # endpoints authenticated by appid + secret: no access_token needed (nor fetched)
    TOKENLESS = frozenset({"sns/jscode2session"})

    session: DbSessionStorage

    def __init__(self, appid: str, secret: str, *, api_base: str, session: DbSessionStorage,
                 http: requests.Session):
        super().__init__(appid, secret, session=session, auto_retry=False)
        self.api_base = api_base
        self.API_BASE_URL = f"{api_base}cgi-bin/"
        self._http = http
        # the API groups wechatpy bound to this instance (not getmembers: it would read properties)
        for api in [v for v in vars(self).values() if isinstance(v, BaseWeChatAPI)]:
            base = getattr(api, "API_BASE_URL", None)
            if base and base.startswith(WECHATPY_API_BASE):
                api.API_BASE_URL = api_base + base[len(WECHATPY_API_BASE):]

    def _request(self, method, url_or_endpoint, **kwargs):
        if url_or_endpoint in self.TOKENLESS:
            # requests drops None parameters; wechatpy only adds a token when the key is absent
            kwargs["params"] = {**(kwargs.get("params") or {}), "access_token": None}
        return super()._request(method, url_or_endpoint, **kwargs)

    def _token_fresh(self) -> bool:
        token = self.session.get(self.access_token_key)
        expires_at = self.session.get(self.access_token_expires_at_key)
        return bool(token) and bool(expires_at) and expires_at - time.time() > 60

    def fetch_access_token(self) -> dict:
        """Fetch a token unless another process did while we waited for the lock."""
        with self.session.locked(self.access_token_key):
            if self._token_fresh():
                return {"access_token": self.session.get(self.access_token_key)}
            log.info("fetching WeChat access_token", extra={"event": "wechat_token_fetch", "appid": self.appid})
            try:
                return self._fetch_access_token(
                    url=f"{self.api_base}cgi-bin/token",
                    params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
                )
            except WeChatClientException as exc:
                raise _TokenFetchFailed(exc.errcode, exc.errmsg, client=self, request=exc.request,
                                        response=exc.response) from None

    def invalidate_access_token(self, stale: str | None) -> None:
        """Drop the shared token WeChat refused, unless another process already replaced it."""
        with self.session.locked(self.access_token_key):
            if stale is None or self.session.get(self.access_token_key) == stale:
                self.session.delete(self.access_token_key)
                self.session.delete(self.access_token_expires_at_key)

    def jsapi_ticket(self) -> str:
        """The JSSDK jsapi_ticket from the shared storage, fetched once across processes."""
        key = f"{self.appid}_jsapi_ticket"
        ticket = self.session.get(key)
        if ticket:
            return ticket
        self.access_token  # noqa: B018 - a fresh token first, so that its lock is not nested in ours
        with self.session.locked(key):
            ticket = self.session.get(key)
            if ticket:
                return ticket
            res = self.jsapi.get_ticket("jsapi")
            ticket = _field(res, "ticket")
            ttl = max(int(res.get("expires_in") or 7200) - 300, 60)
            self.session.set(key, ticket, ttl)
            return ticket


def _field(result: Any, name: str) -> Any:
    if not isinstance(result, dict) or not result.get(name):
        raise _BadAnswer(name)
    return result[name]


def _token_used(exc: WeChatClientException) -> str | None:
    """The access_token a failed request carried."""
    url = getattr(exc.request, "url", None) or ""
    values = parse_qs(urlsplit(url).query).get("access_token")
    return values[0] if values else None


# --------------------------------------------------------------------------- the gateway


@dataclasses.dataclass(frozen=True)
class MpSession:
    """code2session's answer. `session_key` must never leave the server."""

    openid: str
    session_key: str
    unionid: str | None = None

    def __repr__(self) -> str:  # keep the session_key out of any log or traceback
        return f"MpSession(openid={self.openid!r}, unionid={self.unionid!r})"


@dataclasses.dataclass(frozen=True)
class OAuthIdentity:
    """Who came back from H5 OAuth (official account)."""

    openid: str
    unionid: str | None = None


class WechatGateway:
    """Everything the server asks WeChat, as coroutines over wechatpy run in the executor."""

    def __init__(self, *, mp_app_id: str, mp_secret: str, oa_app_id: str, oa_secret: str, api_base: str,
                 open_base: str, storage: DbSessionStorage, executor: Executor):
        self.mp_app_id = mp_app_id
        self.oa_app_id = oa_app_id
        self._oa_secret = oa_secret
        self.api_base = api_base if api_base.endswith("/") else api_base + "/"
        self.open_base = open_base if open_base.endswith("/") else open_base + "/"
        self.storage = storage
        self._executor = executor
        self._http = _HttpSession()
        self.mp = SharedTokenClient(mp_app_id, mp_secret, api_base=self.api_base, session=storage, http=self._http)
        self.oa = SharedTokenClient(oa_app_id, oa_secret, api_base=self.api_base, session=storage, http=self._http)

    @classmethod
    def from_config(cls, config, executor: Executor) -> WechatGateway:
        """The gateway for a configuration; its token storage is the configured database."""
        return cls(
            mp_app_id=config.wechat_mp_app_id, mp_secret=config.wechat_mp_secret,
            oa_app_id=config.wechat_oa_app_id, oa_secret=config.wechat_oa_secret,
            api_base=config.wechat_api_base, open_base=config.wechat_open_base,
            storage=DbSessionStorage.from_url(config.database_url), executor=executor,
        )

    def close(self) -> None:
        """Release HTTP and database connections."""
        self._http.close()
        self.storage.close()

    # ------------------------------------------------------------------ mini-program

    async def code_to_session(self, code: str) -> MpSession:
        """`wx.login` code → openid, unionid and session_key (sns/jscode2session)."""

        def call() -> MpSession:
            res = self.mp.wxa.code_to_session(code)
            return MpSession(openid=_field(res, "openid"), session_key=_field(res, "session_key"),
                             unionid=res.get("unionid") or None)

        return await self._run(call, self.mp)

    async def phone_number(self, phone_code: str) -> tuple[str, str]:
        """`getPhoneNumber` code → (country code, phone number without country code)."""

        def call() -> tuple[str, str]:
            info = _field(self.mp.wxa.get_phone_number(phone_code), "phone_info")
            return str(info.get("countryCode") or ""), str(_field(info, "purePhoneNumber"))

        return await self._run(call, self.mp, invalid_message="手机号授权已失效，请重新授权")

    async def send_subscribe_message(self, openid: str, template_id: str, data: dict, page: str | None) -> dict:
        """A mini-program subscribe message (cgi-bin/message/subscribe/send)."""

        def call() -> dict:
            return self.mp.wxa.send_subscribe_message(openid, template_id, data, page=page)

        return await self._run(call, self.mp)

    # ------------------------------------------------------------------ H5 OAuth (official account)

    def _oauth(self, redirect_uri: str = "", state: str = "") -> WeChatOAuth:
        oauth = WeChatOAuth(self.oa_app_id, self._oa_secret, redirect_uri, scope="snsapi_base", state=state)
        oauth.API_BASE_URL = self.api_base
        oauth.OAUTH_BASE_URL = f"{self.open_base}connect/"
        oauth._http = self._http
        return oauth

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """WeChat's authorize URL (snsapi_base: silent, gives the openid)."""
        return self._oauth(redirect_uri, state).authorize_url

    async def oauth_identity(self, code: str) -> OAuthIdentity:
        """OAuth `code` → the user's openid for the official account (sns/oauth2/access_token)."""

        def call() -> OAuthIdentity:
            res = self._oauth().fetch_access_token(code)
            return OAuthIdentity(openid=_field(res, "openid"), unionid=res.get("unionid") or None)

        return await self._run(call, None)

    # ------------------------------------------------------------------ JSSDK

    async def jssdk_config(self, url: str) -> dict:
        """`wx.config` parameters signed for `url` with the official account's jsapi_ticket."""

        def call() -> dict:
            ticket = self.oa.jsapi_ticket()
            nonce = secrets.token_hex(8)
            timestamp = int(time.time())
            signature = self.oa.jsapi.get_jsapi_signature(nonce, ticket, timestamp, url)
            return {"app_id": self.oa_app_id, "timestamp": timestamp, "nonce_str": nonce, "signature": signature}

        return await self._run(call, self.oa)

    # ------------------------------------------------------------------ running and errors

    async def _run(self, fn: Callable[[], T], client: SharedTokenClient | None, *,
                   invalid_message: str | None = None) -> T:
        loop = asyncio.get_running_loop()
        call = functools.partial(self._guarded, fn, client, invalid_message)
        return await loop.run_in_executor(self._executor, call)

    def _guarded(self, fn: Callable[[], T], client: SharedTokenClient | None, invalid_message: str | None) -> T:
        """In an executor thread: call, retry once on an expired token, map failures to errors."""
        name = getattr(fn, "__qualname__", "wechat").split(".<locals>")[0]
        try:
            try:
                return fn()
            except WeChatClientException as exc:
                if client is None or isinstance(exc, _TokenFetchFailed) or exc.errcode not in TOKEN_ERRCODES:
                    raise
                log.info("WeChat refused the access_token; refetching once",
                         extra={"event": "wechat_token_stale", "errcode": exc.errcode, "api": name})
                client.invalidate_access_token(_token_used(exc))
                return fn()
        except WeChatClientException as exc:
            raise self._domain_error(exc, name, invalid_message) from None
        except sa.exc.DBAPIError as exc:
            log.warning("token storage unavailable", extra={"event": "wechat_storage_error",
                                                            "error": type(exc.orig).__name__})
            raise DatabaseUnavailable("kv_store unavailable") from None
        except (requests.RequestException, ValueError, KeyError, _BadAnswer) as exc:
            # the exception text may hold the request URL with its secret: log its type only
            log.warning("WeChat unreachable or answered badly",
                        extra={"event": "wechat_error", "api": name, "error": type(exc).__name__})
            raise errors.WechatUnavailable() from None

    @staticmethod
    def _domain_error(exc: WeChatClientException, name: str, invalid_message: str | None) -> errors.DomainError:
        code = exc.errcode
        if code in CODE_ERRCODES:
            return errors.WechatError(invalid_message)
        if code in RATE_LIMIT_ERRCODES:
            log.warning("WeChat rate limit", extra={"event": "wechat_rate_limited", "api": name})
            return errors.WechatRateLimited()
        errmsg = exc.errmsg if isinstance(exc.errmsg, str) else None
        log.warning("WeChat API error", extra={"event": "wechat_error", "api": name, "errcode": code,
                                               "errmsg": (errmsg or "")[:200],
                                               "http_status": getattr(exc.response, "status_code", None)})
        return errors.WechatUnavailable()
