"""Shutdown of the hub: an event committed just before it still reaches the socket, then the socket
is closed with 1001 ("going away": the client reconnects to another process)."""

from __future__ import annotations

import asyncio

import pytest

from server.app import make_app
from server.events.log import audience
from server.realtime.hub import Hub, stop_hub
from tests.realtime.test_ws import account, connect, emit, receive


@pytest.fixture
def app(deps, io_loop):
    app = make_app(deps)
    # a hub that would not poll again for a long time: only the final read can deliver
    app.settings["realtime_hub"] = Hub(deps.db, deps.clock, poll_seconds=30, recheck_seconds=30)
    yield app
    io_loop.run_sync(lambda: stop_hub(app))


@pytest.fixture
def ws_url(http_server, http_server_port):
    return f"ws://127.0.0.1:{http_server_port[1]}/api/v1/ws"


async def test_the_last_event_is_delivered_before_going_away(api, deps, app, ws_url):
    token = await api.login_sms("13800000001")
    zhang = await account(deps, phone="13800000001")
    conn = await connect(ws_url, token)
    try:
        hub = app.settings["realtime_hub"]
        for _ in range(50):  # the socket is registered once the handshake's open() ran
            if len(hub):
                break
            await asyncio.sleep(0.02)
        await emit(deps, audience(accounts=[zhang["id"]]), status="disabled")
        await stop_hub(app)
        msg = await receive(conn, 2.0)
        assert msg is not None and msg["type"] == "card.status_changed"
        assert await receive(conn, 2.0) is None and conn.close_code == 1001
    finally:
        conn.close()

