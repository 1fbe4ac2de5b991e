"""SIGTERM on `python -m server`: stop accepting at once, answer the request in hand, close the live
sockets with 1001 ("going away": clients reconnect elsewhere), exit 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tornado.httpclient
import tornado.websocket

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def server_process(tmp_path):
    """A real server process on its own SQLite file (one process: SQLite is enough here)."""
    port = _free_port()
    env = {**os.environ, "APP_ENV": "test", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
           "PORT": str(port), "HOST": "127.0.0.1", "LOG_JSON": "0", "OUTBOX_RELAY": "0",
           "UPLOAD_DIR": str(tmp_path / "uploads"), "SHUTDOWN_GRACE_SECONDS": "10"}
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "server"], cwd=ROOT, env=env,
                                stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield port, proc, log_path
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


async def _login(port: int) -> str:
    client = tornado.httpclient.AsyncHTTPClient()
    base = f"http://127.0.0.1:{port}"
    phone = "13800000001"
    await client.fetch(f"{base}/api/v1/auth/sms/send", method="POST",
                       body=json.dumps({"phone": phone, "purpose": "login"}))
    code = json.loads((await client.fetch(f"{base}/api/v1/dev/sms?phone={phone}")).body)["items"][0]["params"]["code"]
    r = await client.fetch(f"{base}/api/v1/auth/sms/login", method="POST",
                           body=json.dumps({"phone": phone, "code": code}))
    return json.loads(r.body)["token"]


async def test_sigterm_finishes_the_request_in_hand_and_says_going_away(server_process):
    port, proc, log_path = server_process
    token = await _login(port)
    ws = await tornado.websocket.websocket_connect(f"ws://127.0.0.1:{port}/api/v1/ws?token={token}")

    # a request whose body is still on its way when SIGTERM arrives
    body = json.dumps({"phone": "13800000002", "purpose": "login"}).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"POST /api/v1/auth/sms/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:5])
    await asyncio.sleep(0.3)
    proc.send_signal(signal.SIGTERM)

    msg = await asyncio.wait_for(ws.read_message(), 5)
    assert msg is None and ws.close_code == 1001  # the live socket: "going away", reconnect elsewhere
    deadline = time.monotonic() + 5
    while not _refused(port):  # no longer accepting: nginx's next attempt goes to another process
        assert time.monotonic() < deadline, "still accepting after SIGTERM"
        await asyncio.sleep(0.05)
    assert proc.poll() is None, "exited with a request in flight"

    sock.sendall(body[5:])
    answer = b""
    while chunk := await asyncio.get_running_loop().run_in_executor(None, sock.recv, 65536):
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert proc.wait(10) == 0, log_path.read_text()


async def test_an_idle_server_exits_at_once(server_process):
    port, proc, log_path = server_process
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0, log_path.read_text()
    assert time.monotonic() - started < 3
