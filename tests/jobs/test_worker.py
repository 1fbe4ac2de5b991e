"""`python -m server.worker`: the relay (and scheduled jobs) outside the web process."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from server.config import ROOT
from server.db.database import open_database
from server.db.migrate import upgrade
from server.jobs.outbox import enqueue
from server.worker import PeriodicJob, run_once


@pytest.fixture
def worker_db(tmp_path):
    """A migrated SQLite file database and the environment a worker needs to use it."""
    path = tmp_path / "worker.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIYUN_", "SMS_", "DATABASE_", "APP_ENV"))}
    env.update({"APP_ENV": "test", "DATABASE_URL": url, "SMS_PROVIDER": "console", "LOG_JSON": "0",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    return path, url, env


def _enqueue(url: str, phones: list[str]) -> list[int]:
    async def go():
        import datetime as dt

        db = open_database(url)
        try:
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            async with db.transaction() as tx:
                return [await enqueue(tx, channel="sms", recipient=p, template="rating_invite",
                                      params={"service": "子女入学"}, now=now) for p in phones]
        finally:
            await db.close()

    return asyncio.run(go())


def _status(path, msg_id: int) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT status FROM outbox WHERE id = ?", (msg_id,)).fetchone()[0]


def _dev_sms(path, phone: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT template, text FROM dev_sms WHERE phone = ?", (phone,)).fetchall()


def test_worker_once_delivers_and_exits(worker_db):
    path, url, env = worker_db
    (msg_id,) = _enqueue(url, ["13900000001"])
    proc = subprocess.run([sys.executable, "-m", "server.worker", "--once"], check=False, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert _status(path, msg_id) == "sent"
    assert _dev_sms(path, "13900000001") == [("rating_invite", "您预约的子女入学已办结，欢迎对本次服务进行评价。")]
    assert "13900000001" not in proc.stderr  # phones are masked in the worker's log too


def test_worker_runs_until_sigterm(worker_db):
    path, url, env = worker_db
    proc = subprocess.Popen([sys.executable, "-m", "server.worker"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        (msg_id,) = _enqueue(url, ["13900000002"])
        deadline = time.monotonic() + 20
        while _status(path, msg_id) != "sent":
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the worker did not deliver"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "worker stopping" in stderr
    assert len(_dev_sms(path, "13900000002")) == 1


def test_worker_bad_configuration_exits_2(worker_db):
    _, _, env = worker_db
    env["SMS_PROVIDER"] = "aliyun"  # without keys
    proc = subprocess.run([sys.executable, "-m", "server.worker", "--once"], check=False, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "ALIYUN_ACCESS_KEY_ID" in proc.stderr


async def test_run_once_runs_the_scheduled_jobs(deps):
    ran = []

    async def supervise(d):
        ran.append(d is deps)

    async def broken(d):
        raise RuntimeError("job bug")

    jobs = [PeriodicJob("broken", 60, broken), PeriodicJob("supervise", 60, supervise)]
    async with deps.db.transaction() as tx:
        await enqueue(tx, channel="sms", recipient="13900000003", template="rating_invite",
                      params={"service": "子女入学"}, now=deps.clock())
    assert await run_once(deps, jobs) == 1
    assert ran == [True]  # a failing job does not stop the others
