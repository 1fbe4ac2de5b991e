"""督办: overdue work (an active step past its 办理时限) and the supervision SMS to its window.

The scheduled pass sends each window with overdue work exactly one SMS a day, however many workers
run it: the `supervisions` row with (window, day) is unique and written in the same transaction as
the outbox messages, so a second pass (or a second worker) finds it and sends nothing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from server import errors
from server.appointments import service as appointments_service
from server.calendar import service as workcal
from server.core.timeutil import to_cst, today_cst
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, appointments, supervisions, window_staff, windows
from server.events import catalog as event
from server.events import log as events
from server.jobs import outbox

SEND_FROM_HOUR = 9  # local time: nobody gets a supervision SMS at night

_OVERDUE = Query(
    sa.select(appointments.c.window_id, sa.func.count().label("n"))
    .where(appointments.c.deadline_at < sa.bindparam("now"),
           sa.or_(appointments.c.status == "submitted", appointments.c.status == "accepted",
                  appointments.c.status == "prereviewed"))
    .group_by(appointments.c.window_id)
)
_OVERDUE_ONE = Query(
    sa.select(sa.func.count()).select_from(appointments)
    .where(appointments.c.window_id == sa.bindparam("w"), appointments.c.deadline_at < sa.bindparam("now"),
           sa.or_(appointments.c.status == "submitted", appointments.c.status == "accepted",
                  appointments.c.status == "prereviewed"))
)
_WINDOW = Query(sa.select(windows).where(windows.c.id == sa.bindparam("w")))
_STAFF_PHONES = Query(
    sa.select(accounts.c.phone)
    .select_from(window_staff.join(accounts, accounts.c.id == window_staff.c.account_id))
    .where(window_staff.c.window_id == sa.bindparam("w"), accounts.c.status == "active", accounts.c.phone.is_not(None))
)


async def overdue_by_window(db, now: dt.datetime) -> dict[int, int]:
    return {r["window_id"]: r["n"] for r in await db.fetchall(_OVERDUE, {"now": now})}


async def _supervise(tx, window: dict, count: int, now: dt.datetime, *, auto_day: dt.date | None,
                     actor_id: int | None) -> int:
    await tx.insert(supervisions, dict(window_id=window["id"], auto_day=auto_day, overdue_count=count,
                                       actor_id=actor_id, created_at=now))
    sent = 0
    for staff in await tx.fetchall(_STAFF_PHONES, {"w": window["id"]}):
        await outbox.enqueue(tx, channel="sms", recipient=staff["phone"], template="supervision",
                             params={"window": window["name"], "count": count}, now=now)
        sent += 1
    await events.record(tx, event.window_supervised(window, overdue=count, manual=auto_day is None), now=now)
    return sent


async def run_daily(deps) -> int:
    """The scheduled pass: one supervision SMS per window with overdue work per working day
    (none on weekends and public holidays; a 调休 Saturday is a working day)."""
    now = deps.clock()
    if to_cst(now).hour < SEND_FROM_HOUR:
        return 0
    day = today_cst(now)
    if not (await workcal.current(deps.db)).is_working_day(day):
        return 0
    windows_done = 0
    for window_id, count in (await overdue_by_window(deps.db, now)).items():
        try:
            async with deps.db.transaction() as tx:
                window = await tx.fetchone(_WINDOW, {"w": window_id})
                await _supervise(tx, window, count, now, auto_day=day, actor_id=None)
            windows_done += 1
        except IntegrityError:
            continue  # already supervised today (by this or another worker)
    if windows_done:
        deps.relay.poke()
    return windows_done


async def supervise_now(deps, window_id: int, principal) -> dict:
    """督办 on demand: only the city window's clerks and administrators (who see every window) may."""
    if not (await appointments_service.staff_scope(deps.db, principal)).all:
        raise errors.Forbidden("只有市级窗口或管理员可以督办")
    now = deps.clock()
    async with deps.db.transaction() as tx:
        window = await tx.fetchone(_WINDOW, {"w": window_id})
        if window is None:
            raise errors.NotFound("服务窗口不存在")
        count = await tx.fetchval(_OVERDUE_ONE, {"w": window_id, "now": now})
        if not count:
            raise errors.NothingOverdue()
        sent = await _supervise(tx, window, count, now, auto_day=None, actor_id=principal.id)
    deps.relay.poke()
    return {"window_id": str(window_id), "overdue_count": count, "messages": sent}
