"""Live push over a real WebSocket: who receives which event, how fast, from which process, and
what happens to a socket whose session ends."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import tornado.httpclient
import tornado.websocket

from server.app import make_app
from server.db.tables import accounts
from server.events.catalog import Event
from server.events.log import audience, record
from server.realtime.hub import Hub, stop_hub

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(deps, io_loop):
    app = make_app(deps)
    # the production hub, with the session re-check made fast enough to test
    app.settings["realtime_hub"] = Hub(deps.db, deps.clock, recheck_seconds=0.3)
    yield app
    io_loop.run_sync(lambda: stop_hub(app))


@pytest.fixture
def ws_url(http_server, http_server_port):
    return f"ws://127.0.0.1:{http_server_port[1]}/api/v1/ws"


async def connect(url: str, token: str | None):
    full = url if token is None else f"{url}?token={token}"
    return await tornado.websocket.websocket_connect(full, connect_timeout=5)


async def emit(deps, to: str, type: str = "card.status_changed", **data) -> float:
    """Record one event as any feature would, in its own transaction; returns the commit time."""
    async with deps.db.transaction() as tx:
        await record(tx, Event(type, "WH-1", data, to), now=deps.clock())
    return time.monotonic()


async def receive(conn, timeout: float = 1.0) -> dict | None:
    msg = await asyncio.wait_for(conn.read_message(), timeout)
    return None if msg is None else json.loads(msg)


async def nothing_more(conn, wait: float = 0.5) -> bool:
    try:
        await asyncio.wait_for(conn.read_message(), wait)
    except TimeoutError:
        return True
    return False


async def account(deps, **where) -> dict:
    (col, value), = where.items()
    return await deps.db.fetchone(sa.select(accounts).where(accounts.c[col] == value))


# --------------------------------------------------------------------------- delivery


async def test_holder_receives_his_event_within_a_second_and_not_another_users(api, deps, ws_url):
    token = await api.login_sms("13800000001")
    zhang = await account(deps, phone="13800000001")
    li = await account(deps, phone="13800000002")
    conn = await connect(ws_url, token)
    try:
        await emit(deps, audience(accounts=[li["id"]]), secret="李四的事")
        committed = await emit(deps, audience(accounts=[zhang["id"]]), status="disabled")
        msg = await receive(conn, 1.0)
        assert time.monotonic() - committed < 1.0
        # the events come in id order: had 李四's been sent, it would be this one
        assert msg["type"] == "card.status_changed" and msg["data"] == {"status": "disabled"}, msg
        assert msg["at"].endswith("+08:00") and msg["entity"] == "card" and msg["entity_id"] == "WH-1"
        assert await nothing_more(conn)
    finally:
        conn.close()


async def test_org_role_and_role_events_reach_the_staff_they_address(api, deps, ws_url):
    window = await account(deps, username="wendeng_window")
    other_org = await account(deps, username="city_window")
    conns = {name: await connect(ws_url, await api.login_password(name))
             for name in ("wendeng_window", "wendeng_reviewer", "city_window", "agri_reviewer")}
    holder = await connect(ws_url, await api.login_sms("13800000001"))
    try:
        await emit(deps, audience(org_roles=[(window["org_id"], "window_staff")]), type="appointment.updated", id="7")
        msg = await receive(conns["wendeng_window"])
        assert msg["type"] == "appointment.updated" and msg["data"] == {"id": "7"}
        assert other_org["org_id"] != window["org_id"]
        await emit(deps, audience(roles=["reviewer"]), type="application.submitted")
        assert (await receive(conns["agri_reviewer"]))["type"] == "application.submitted"
        assert (await receive(conns["wendeng_reviewer"]))["type"] == "application.submitted"
        # neither event was for 陈静's org, nor for the holder; the first not for the 文登 reviewer
        for conn in (conns["city_window"], holder):
            assert await nothing_more(conn, 0.3)
        for conn in (conns["wendeng_window"], conns["wendeng_reviewer"]):
            assert await nothing_more(conn, 0.1)
    finally:
        for conn in (*conns.values(), holder):
            conn.close()


async def test_many_events_arrive_in_order(api, deps, ws_url):
    zhang = await account(deps, phone="13800000001")
    conn = await connect(ws_url, await api.login_sms("13800000001"))
    try:
        for i in range(30):
            await emit(deps, audience(accounts=[zhang["id"]]), n=i)
        got = [(await receive(conn))["data"]["n"] for _ in range(30)]
        assert got == list(range(30))
    finally:
        conn.close()


# --------------------------------------------------------------------------- refusals and ends


@pytest.mark.parametrize("token", [None, "", "not-a-session", "x" * 500])
async def test_a_bad_token_is_closed_with_4401(deps, ws_url, token):
    conn = await connect(ws_url, token)
    assert await asyncio.wait_for(conn.read_message(), 2) is None
    assert conn.close_code == 4401


async def test_plain_http_gets_json_errors(api):
    r = await api.get("/api/v1/ws?token=nope")
    assert r.status == 401 and r.code == "UNAUTHORIZED", r
    token = await api.login_sms("13800000001")
    r = await api.get(f"/api/v1/ws?token={token}")
    assert r.status == 400 and r.code == "INVALID_REQUEST", r


async def test_logout_and_disabling_close_live_sockets(api, deps, ws_url):
    token = await api.login_sms("13800000001")
    conn = await connect(ws_url, token)
    assert (await api.post("/api/v1/auth/logout", token=token)).status == 204
    assert await asyncio.wait_for(conn.read_message(), 2) is None  # re-checked every 0.3 s here
    assert conn.close_code == 4401

    li = await account(deps, phone="13800000002")
    conn = await connect(ws_url, await api.login_sms("13800000002"))
    admin = await api.login_password("admin")
    r = await api.post(f"/api/v1/admin/accounts/{li['id']}/disable", {}, token=admin)
    assert r.status == 200, r
    assert await asyncio.wait_for(conn.read_message(), 2) is None
    assert conn.close_code == 4401


# --------------------------------------------------------------------------- two processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def second_server(db_url, tmp_path):
    """A real `python -m server` on the test's MariaDB, killed at the end."""
    if not db_url.startswith("mysql"):
        pytest.skip("two processes share a database only on MariaDB/MySQL")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "APP_ENV": "test", "LOAD_DEMO_DATA": "0", "OUTBOX_RELAY": "0",
           "PORT": str(port), "HOST": "127.0.0.1", "LOG_JSON": "0", "UPLOAD_DIR": str(tmp_path / "uploads2")}
    log_path = tmp_path / "second_server.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "server"], cwd=ROOT, env=env,
                                stdout=log_file, stderr=subprocess.STDOUT)
    try:
        yield port, proc, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


async def test_an_event_committed_by_another_process_arrives_within_a_second(api, deps, second_server):
    port, proc, log_path = second_server
    client = tornado.httpclient.AsyncHTTPClient()
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"second server died:\n{log_path.read_text()}"
        try:
            r = await client.fetch(f"http://127.0.0.1:{port}/healthz", raise_error=False, request_timeout=2)
            if r.code == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, f"second server not healthy:\n{log_path.read_text()}"
        await asyncio.sleep(0.2)

    token = await api.login_sms("13800000001")  # a session made by this process, used on the other
    zhang = await account(deps, phone="13800000001")
    conn = await connect(f"ws://127.0.0.1:{port}/api/v1/ws", token)
    try:
        await asyncio.sleep(0.5)  # let the other hub settle into its polling rhythm first
        # the change happens here, through this process's own pool: the socket lives over there
        committed = await emit(deps, audience(accounts=[zhang["id"]]), status="disabled")
        msg = await receive(conn, 1.0)
        assert time.monotonic() - committed < 1.0
        assert msg["type"] == "card.status_changed" and msg["data"] == {"status": "disabled"}
    finally:
        conn.close()


async def test_admin_disable_reaches_zhangsans_open_socket_and_refuses_his_qr(api, ws_url):
    """The card issue's acceptance: disable → the next QR request is refused and 张三's open app is
    told within a second; enable restores service."""
    zhang = await api.login_sms("13800000001")
    admin = await api.login_password("admin")
    assert (await api.post("/api/v1/me/card/qr", token=zhang)).status == 200
    conn = await connect(ws_url, zhang)
    try:
        r = await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "核查"}, token=admin)
        assert r.status == 200
        committed = time.monotonic()
        qr = await api.post("/api/v1/me/card/qr", token=zhang)
        assert qr.status == 403 and qr.code == "CARD_DISABLED"
        msg = await receive(conn, 1.0)
        assert msg["type"] == "card.status_changed" and msg["data"]["status"] == "disabled"
        assert time.monotonic() - committed < 1.0
        await api.post("/api/v1/admin/cards/WH202400000001/enable", {}, token=admin)
        msg = await receive(conn, 1.5)
        assert msg["type"] == "card.status_changed" and msg["data"]["status"] == "active"
        assert (await api.post("/api/v1/me/card/qr", token=zhang)).status == 200
    finally:
        conn.close()
