"""The event log never hands out an id past one that is still being committed."""

import asyncio
import datetime as dt

import pytest

from server.events import catalog
from server.events import log as events


def _event(n: int) -> catalog.Event:
    return catalog.calendar_changed(dt.date(2026, 1, n), kind="holiday")


async def test_reader_waits_for_a_gap_then_passes_a_dead_one(deps):
    if deps.db.dialect != "mysql":
        pytest.skip("concurrent open transactions need MariaDB")
    now = deps.clock()
    async with deps.db.transaction() as tx:
        base = await events.record(tx, _event(1), now=now)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_writer(commit: bool):
        try:
            async with deps.db.transaction() as tx:
                await events.record(tx, _event(2), now=now)
                started.set()
                await release.wait()
                if not commit:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    task = asyncio.ensure_future(slow_writer(commit=True))
    await started.wait()
    async with deps.db.transaction() as tx:
        fast = await events.record(tx, _event(3), now=now)
    rows, cursor = await events.read_after(deps.db, base, 10, now)
    assert rows == [] and cursor == base, "the committed event waits behind the one still open"
    release.set()
    await task
    rows, cursor = await events.read_after(deps.db, base, 10, now)
    assert [r["entity_id"] for r in rows] == ["2026-01-02", "2026-01-03"] and cursor == fast

    # a rolled-back transaction leaves a gap that is passed once it is old enough
    started.clear()
    release.clear()
    task = asyncio.ensure_future(slow_writer(commit=False))
    await started.wait()
    async with deps.db.transaction() as tx:
        last = await events.record(tx, _event(4), now=now)
    release.set()
    await task
    assert (await events.read_after(deps.db, cursor, 10, now))[0] == []
    rows, c2 = await events.read_after(deps.db, cursor, 10, now + events.GAP_GRACE + dt.timedelta(seconds=1))
    assert [r["id"] for r in rows] == [last] and c2 == last
