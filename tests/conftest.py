"""Test harness: every database test runs on SQLite and on MariaDB/MySQL, each test isolated.

- SQLite: the migrated schema is built once per session, copied to a fresh file for each test.
- MariaDB: a private database `yck_test_<pid>` is migrated once per session and emptied before each
  test. Set TEST_MYSQL_URL to point elsewhere; REQUIRE_MYSQL=1 (CI) turns "no server" into a failure
  instead of a skip. TEST_DB=sqlite or TEST_DB=mysql runs one backend only.
Then the demo data are loaded, as `make run` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json as jsonlib
import os
import shutil
import urllib.parse

import pytest
import tornado.httpclient

from server.app import make_app
from server.config import Config
from server.db.database import open_database
from server.db.migrate import upgrade
from server.db.tables import metadata
from server.demo import load_demo
from server.deps import build_deps

MYSQL_BASE = os.environ.get("TEST_MYSQL_URL", "mysql+aiomysql://root@127.0.0.1:3306/")
REQUIRE_MYSQL = os.environ.get("REQUIRE_MYSQL") == "1"
BACKENDS = [b for b in ("sqlite", "mysql") if os.environ.get("TEST_DB", b) == b]


class Clock:
    """The injected clock: real time unless a test moves it."""

    def __init__(self):
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)


# --------------------------------------------------------------------------- databases

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _mysql_admin():
    import pymysql

    u = urllib.parse.urlparse(MYSQL_BASE.replace("mysql+aiomysql://", "mysql://"))
    return pymysql.connect(host=u.hostname or "127.0.0.1", port=u.port or 3306, user=u.username or "root",
                           password=urllib.parse.unquote(u.password or ""), charset="utf8mb4",
                           autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def mysql_database():
    name = f"yck_test_{os.getpid()}"
    try:
        conn = _mysql_admin()
    except Exception as exc:  # no server here
        msg = f"MariaDB/MySQL not reachable at {MYSQL_BASE} ({exc}); MySQL tests skipped"
        if REQUIRE_MYSQL:
            pytest.fail(msg + " but REQUIRE_MYSQL=1")
        pytest.skip(msg)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name}")
        cur.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = MYSQL_BASE.rstrip("/") + "/" + name
    upgrade(url)
    yield url
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name}")
    conn.close()


def _empty_mysql(url: str) -> None:
    conn = _mysql_admin()
    db = url.rsplit("/", 1)[1]
    with conn.cursor() as cur:
        cur.execute(f"USE {db}")
        cur.execute("SET FOREIGN_KEY_CHECKS=0")
        for table in reversed(metadata.sorted_tables):
            cur.execute(f"DELETE FROM {table.name}")
        cur.execute("SET FOREIGN_KEY_CHECKS=1")
    conn.close()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("mysql_database")
    _empty_mysql(url)
    return url


# --------------------------------------------------------------------------- the app

@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def config_overrides():
    """Tests override configuration by redefining this fixture."""
    return {}


@pytest.fixture
def config(db_url, tmp_path, config_overrides):
    env = {"APP_ENV": "test", "DATABASE_URL": db_url, "UPLOAD_DIR": str(tmp_path / "uploads"),
           "LOG_JSON": "0", "OUTBOX_RELAY": "0"}
    env.update(config_overrides)
    return Config.from_env(env)


@pytest.fixture
def wechat_gateway():
    """Replaced by tests/fakes when a test needs WeChat (see fake_wechat)."""
    return None


@pytest.fixture
def sms_sender():
    return None


@pytest.fixture
def deps(io_loop, config, clock, wechat_gateway, sms_sender):
    db = open_database(config.database_url, 5, config.db_timeout_seconds)
    d = build_deps(config, db, clock=clock, wechat=wechat_gateway, sms=sms_sender)
    io_loop.run_sync(lambda: load_demo(d))
    yield d
    io_loop.run_sync(d.relay.stop)
    io_loop.run_sync(db.close)
    d.executor.shutdown(wait=False)


@pytest.fixture
def app(deps):
    return make_app(deps)


class Resp:
    def __init__(self, r: tornado.httpclient.HTTPResponse):
        self.status = r.code
        self.headers = r.headers
        self.body = r.body or b""
        ctype = r.headers.get("Content-Type", "")
        self.json = jsonlib.loads(self.body) if self.body and "json" in ctype else None

    @property
    def code(self) -> str | None:
        return (self.json or {}).get("error", {}).get("code")

    def __repr__(self):
        return f"<Resp {self.status} {self.body[:300]!r}>"


class Api:
    """Speaks to the app over real HTTP on loopback."""

    def __init__(self, client, deps):
        self.client = client
        self.deps = deps

    async def call(self, method: str, path: str, json=None, token: str | None = None, headers=None,
                   body: bytes | None = None, follow_redirects=False) -> Resp:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False).encode()
            h.setdefault("Content-Type", "application/json")
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        r = await self.client.fetch(path, method=method, body=body, headers=h, raise_error=False,
                                    follow_redirects=follow_redirects, request_timeout=60)
        return Resp(r)

    async def get(self, path, **kw):
        return await self.call("GET", path, **kw)

    async def post(self, path, json=None, **kw):
        return await self.call("POST", path, json=json, **kw)

    async def put(self, path, json=None, **kw):
        return await self.call("PUT", path, json=json, **kw)

    async def delete(self, path, **kw):
        return await self.call("DELETE", path, **kw)

    async def last_sms_code(self, phone: str) -> str:
        r = await self.get(f"/api/v1/dev/sms?phone={phone}")
        assert r.status == 200, r
        return r.json["items"][0]["params"]["code"]

    async def login_sms(self, phone: str) -> str:
        r = await self.post("/api/v1/auth/sms/send", {"phone": phone, "purpose": "login"})
        assert r.status == 200, r
        code = await self.last_sms_code(phone)
        r = await self.post("/api/v1/auth/sms/login", {"phone": phone, "code": code})
        assert r.status == 200, r
        return r.json["token"]

    async def login_password(self, username: str, password: str = "Demo@12345") -> str:
        r = await self.post("/api/v1/auth/password/login", {"username": username, "password": password})
        assert r.status == 200, r
        return r.json["token"]


@pytest.fixture
def api(http_server_client, deps):
    return Api(http_server_client, deps)


def run(coro):
    return asyncio.get_event_loop().run_until_complete(coro)


# --------------------------------------------------------------------------- statement budgets

class Statements:
    """The SQL statements this process sends while a block runs (Zulip's `queries_captured`).

    `with statements.capture() as got:` collects the SQL text of each statement (BEGIN, COMMIT and
    ROLLBACK never pass through the data layer's hook, so they are not counted); `statements.listing(got)`
    numbers them for an assertion message.
    """

    @contextlib.contextmanager
    def capture(self):
        from server.db import database

        got: list[str] = []
        database.statement_listeners.append(got.append)
        try:
            yield got
        finally:
            database.statement_listeners.remove(got.append)

    @staticmethod
    def listing(got: list[str]) -> str:
        return f"{len(got)} statements:\n" + "\n".join(f"{i + 1:2}. {' '.join(s.split())[:240]}"
                                                          for i, s in enumerate(got))


@pytest.fixture
def statements():
    return Statements()
