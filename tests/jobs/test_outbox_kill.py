"""`kill -9` the worker again and again while it sends a few thousand SMS through the real Aliyun SDK
to the fake endpoint: every message reaches the provider exactly once (0 lost, 0 duplicated).

The fake answers each SendSms a few milliseconds *after* it has accepted the message, so kills land
between the provider's acceptance and the outbox's record of it, the case that used to send twice.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from server.config import ROOT
from server.db.tables import outbox
from server.jobs.outbox import enqueue

MESSAGES = int(os.environ.get("OUTBOX_KILL_MESSAGES", "2000"))
KILLS = 6
LEASE_SECONDS = 3
DEADLINE_SECONDS = float(os.environ.get("OUTBOX_KILL_DEADLINE", "120"))  # "< 2 minutes on this machine"


@pytest.fixture
def config_overrides(fake_aliyun):
    return fake_aliyun.env()


def worker_env(deps, fake_aliyun) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIYUN_", "SMS_", "DATABASE_", "APP_ENV", "OUTBOX_"))}
    env.update(fake_aliyun.env(ALIYUN_SMS_CONNECT_TIMEOUT="1", ALIYUN_SMS_READ_TIMEOUT="1"))
    env.update({"APP_ENV": "test", "DATABASE_URL": deps.config.database_url, "LOG_JSON": "0", "LOG_LEVEL": "ERROR",
                "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    return env


async def enqueue_many(deps, n: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, n, 500):
        async with deps.db.transaction() as tx:
            for i in range(start, min(n, start + 500)):
                ids.append(await enqueue(tx, channel="sms", recipient=f"139{i:08d}", template="rating_invite",
                                         params={"service": "子女入学"}, now=deps.clock()))
    return ids


async def test_kill_9_loses_and_duplicates_nothing(deps, fake_aliyun, tmp_path):
    fake_aliyun.jitter = 0.01
    ids = await enqueue_many(deps, MESSAGES)
    env = worker_env(deps, fake_aliyun)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  (closed below)
    rng = random.Random()
    began = time.monotonic()

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "server.worker"], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)

    proc = None
    try:
        for _ in range(KILLS):
            proc = start()
            seen = len(fake_aliyun.received)
            # kill only once this worker is sending (not while it imports)
            while len(fake_aliyun.received) < seen + 20:
                assert proc.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
                assert time.monotonic() - began < DEADLINE_SECONDS, "the worker does not send"
                await asyncio.sleep(0.02)
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            proc = None
        assert len(fake_aliyun.received) < MESSAGES, "the kills came too late to test anything"

        proc = start()
        while True:
            sent = await deps.db.fetchval(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "sent"))
            if sent == MESSAGES:
                break
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() - began < DEADLINE_SECONDS, f"only {sent} of {MESSAGES} sent in time"
            await asyncio.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        proc = None
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()

    deliveries = fake_aliyun.deliveries()
    lost = [i for i in ids if deliveries[str(i)] == 0]
    duplicated = {k: n for k, n in deliveries.items() if n > 1}
    assert lost == [] and duplicated == {}
    assert len(fake_aliyun.received) == MESSAGES
    # the kills did leave sends of unknown outcome, and the relay asked Aliyun about them
    assert fake_aliyun.queries
    print(f"\n{MESSAGES} messages, {KILLS} kills, {len(fake_aliyun.queries)} look-ups, "
          f"{time.monotonic() - began:.1f}s")
