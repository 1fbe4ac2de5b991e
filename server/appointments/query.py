"""综合查询: the staff list of appointments with every filter of the contract, keyset pagination,
and its streamed .xlsx export.

Every filter meets an index (the `ix_appointments_*` indexes; tests/appointments/test_query_plans.py shows
the MariaDB plans of every combination):
pages are `id < cursor ORDER BY id DESC LIMIT n` inside the filtered index range, so the thousandth
page costs what the first does. Date filters become an id range (ids grow with `created_at`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import tempfile

import sqlalchemy as sa

from server.appointments.service import ACTIVE, STATUS_ZH, is_overdue
from server.core.pagination import keyset_page
from server.core.privacy import mask_phone
from server.core.timeutil import day_start_utc, iso
from server.core.validators import ID_RE
from server.db.database import Query
from server.db.tables import accounts, appointment_history, appointments, services, windows

# what a listed or exported row shows, no more: the driver parses a descriptor per column of every result
_COLUMNS = [appointments.c.id, appointments.c.status, appointments.c.service_id, appointments.c.window_id,
            appointments.c.district, appointments.c.holder_name, appointments.c.deadline_at,
            appointments.c.created_at, appointments.c.updated_at, appointments.c.version, appointments.c.content]


# the names of a listed row's service and window, read per returned row by primary key (a page is at
# most 100 rows); subqueries in the select list leave the plan of the filtered, keyset-ordered read of
# appointments as it is, where a join might let the optimizer start from the small tables
_NAMES = [sa.select(services.c.name).where(services.c.id == appointments.c.service_id)
          .scalar_subquery().label("service_name"),
          sa.select(windows.c.name).where(windows.c.id == appointments.c.window_id)
          .scalar_subquery().label("window_name")]


async def _id_bound(db, day: dt.date, first: bool) -> int | None:
    """The first id created on/after `day` (first=True) or the last created before it."""
    at = day_start_utc(day)
    if first:
        stmt = sa.select(sa.func.min(appointments.c.id)).where(appointments.c.created_at >= at)
    else:
        stmt = sa.select(sa.func.max(appointments.c.id)).where(appointments.c.created_at < at)
    return await db.fetchval(stmt)


async def build_filter(db, scope, f, now: dt.datetime):
    """The WHERE clause for the filters and the caller's scope, or None when nothing can match."""
    conds = []
    if getattr(f, "forwarded", None):
        # 已转办: forwarded from the caller's windows (anywhere for those who see every window)
        fwd = sa.select(appointment_history.c.appointment_id).where(appointment_history.c.action == "forward")
        if not scope.all:
            if not scope.window_ids:
                return None
            fwd = fwd.where(appointment_history.c.from_window_id.in_(sorted(scope.window_ids)))
        conds.append(appointments.c.id.in_(fwd))
    elif not scope.all:
        if not scope.window_ids:
            return None
        conds.append(appointments.c.window_id.in_(sorted(scope.window_ids)))
    if f.window_id:
        conds.append(appointments.c.window_id == int(f.window_id))
    if f.status:
        conds.append(appointments.c.status == f.status)
    if f.service_id:
        conds.append(appointments.c.service_id == int(f.service_id))
    if f.district:
        conds.append(appointments.c.district == f.district)
    if f.q:
        q = f.q.strip()
        # an appointment number: ASCII digits only ('²' passes isdigit but int('²') fails)
        conds.append(appointments.c.id == int(q) if ID_RE.match(q) else appointments.c.holder_name == q)
    if f.overdue is True:
        conds.append(appointments.c.deadline_at < now)
        if f.status is None:
            conds.append(appointments.c.status.in_(ACTIVE))
    elif f.overdue is False:
        conds.append(sa.or_(appointments.c.deadline_at.is_(None), appointments.c.deadline_at >= now))
    if f.date_from:
        lo = await _id_bound(db, f.date_from, first=True)
        if lo is None:
            return None
        conds.append(appointments.c.id >= lo)
    if f.date_to:
        hi = await _id_bound(db, f.date_to + dt.timedelta(days=1), first=False)
        if hi is None:
            return None
        conds.append(appointments.c.id <= hi)
    return sa.and_(sa.true(), *conds)


def _row(r: dict, now: dt.datetime) -> dict:
    """One listed appointment; its service and window names come with the row (`_NAMES`)."""
    return {"id": str(r["id"]), "status": r["status"], "status_name": STATUS_ZH[r["status"]],
            "service": {"id": str(r["service_id"]), "name": r["service_name"]},
            "window": {"id": str(r["window_id"]), "name": r["window_name"]},
            "district": r["district"], "holder_name": r["holder_name"], "content": r["content"][:80],
            "overdue": is_overdue(r, now), "deadline_at": iso(r["deadline_at"]), "created_at": iso(r["created_at"]),
            "updated_at": iso(r["updated_at"]), "version": r["version"]}


async def _names(db) -> dict:
    # the export's 100,000 rows: services and windows are a few dozen rows, two small reads beat a
    # subquery per exported row
    s = {r["id"]: r["name"] for r in await db.fetchall(sa.select(services.c.id, services.c.name))}
    w = {r["id"]: r["name"] for r in await db.fetchall(sa.select(windows.c.id, windows.c.name))}
    return {"s": s, "w": w}


async def staff_list(db, scope, f, now: dt.datetime) -> dict:
    where = await build_filter(db, scope, f, now)
    if where is None:
        return {"items": [], "next_cursor": None}
    stmt = sa.select(*_COLUMNS, *_NAMES).where(where).order_by(appointments.c.id.desc()).limit(f.limit + 1)
    if f.cursor:
        stmt = stmt.where(appointments.c.id < int(f.cursor))
    rows = await db.fetchall(stmt)
    return keyset_page(rows, f.limit, lambda r: _row(r, now))


@functools.cache
def _my_list(status: bool, cursor: bool) -> Query:
    """The holder's list, compiled once for each of its four shapes."""
    stmt = sa.select(*_COLUMNS, *_NAMES).where(appointments.c.holder_id == sa.bindparam("h"))
    if status:
        stmt = stmt.where(appointments.c.status == sa.bindparam("s"))
    if cursor:
        stmt = stmt.where(appointments.c.id < sa.bindparam("c"))
    return Query(stmt.order_by(appointments.c.id.desc()).limit(sa.bindparam("n")))


async def my_list(db, holder_id: int, status: str | None, cursor: int | None, limit: int, now: dt.datetime) -> dict:
    rows = await db.fetchall(_my_list(bool(status), bool(cursor)),
                             {"h": holder_id, "s": status, "c": cursor, "n": limit + 1})
    return keyset_page(rows, limit, lambda r: _row(r, now))


HEADERS = ["编号", "状态", "是否超时", "服务", "服务窗口", "区市", "申请人", "手机号", "预约内容", "提交时间", "当前环节时限"]
BATCH = 2000


async def export_xlsx(db, scope, f, now: dt.datetime, executor) -> str:
    """Write the filtered rows to a temporary .xlsx file page by page (XlsxWriter's constant-memory
    mode, rows written on a worker thread) and return its path; the caller streams and deletes it."""
    from server.core.xlsx import SafeWorkbook

    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="appointments-")
    os.close(fd)
    wb = SafeWorkbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet("综合查询")
    head = wb.add_format({"bold": True, "bg_color": "#E8F0FE"})
    ws.write_row(0, 0, HEADERS, head)
    ws.set_column(0, 0, 10)
    ws.set_column(3, 6, 16)
    ws.set_column(8, 8, 40)
    ws.set_column(9, 10, 20)
    loop = asyncio.get_running_loop()
    where = await build_filter(db, scope, f, now)
    names = await _names(db)
    line, cursor = 1, None
    while where is not None:
        stmt = (sa.select(*_COLUMNS, accounts.c.phone)
                .select_from(appointments.join(accounts, accounts.c.id == appointments.c.holder_id))
                .where(where).order_by(appointments.c.id.desc()).limit(BATCH))
        if cursor:
            stmt = stmt.where(appointments.c.id < cursor)
        rows = await db.fetchall(stmt)
        if not rows:
            break

        def write(rows=rows, start=line):
            for i, r in enumerate(rows):
                ws.write_row(start + i, 0, [
                    r["id"], STATUS_ZH[r["status"]], "是" if is_overdue(r, now) else "否", names["s"].get(r["service_id"], ""),
                    names["w"].get(r["window_id"], ""), r["district"], r["holder_name"], mask_phone(r["phone"]) or "",
                    r["content"][:500], r["created_at"], r["deadline_at"]])  # real date-times (SafeWorkbook)

        await loop.run_in_executor(executor, write)
        line += len(rows)
        cursor = rows[-1]["id"]
        if len(rows) < BATCH:
            break
    await loop.run_in_executor(executor, wb.close)
    return path
