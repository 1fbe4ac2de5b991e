"""Reading the visit log: a venue's visits of one day (venue staff) and usage per venue and service by
day or month (administrators, with an .xlsx export). Days and months are China Standard Time."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import sqlalchemy as sa

from server import errors
from server.core.privacy import mask_card_no, mask_name
from server.core.timeutil import iso, today_cst, utc_range
from server.db.database import Query
from server.db.tables import accounts, cards, services, venues, visits
from server.onsite.service import METHOD_ZH, VERDICT_ZH

_FAR = 2**62

_staff = accounts.alias("staff")
_holder = accounts.alias("holder")
_DAY = Query(
    sa.select(visits.c.id, visits.c.created_at, visits.c.verdict, visits.c.method, visits.c.check_code,
              visits.c.service_id, services.c.name.label("service_name"), cards.c.card_no, cards.c.level,
              _holder.c.name.label("holder_name"), _staff.c.name.label("staff_name"))
    .select_from(visits.outerjoin(services, services.c.id == visits.c.service_id)
                 .outerjoin(cards, cards.c.id == visits.c.card_id)
                 .outerjoin(_holder, _holder.c.id == cards.c.holder_id)
                 .outerjoin(_staff, _staff.c.id == visits.c.staff_id))
    .where(visits.c.venue_id == sa.bindparam("venue"), visits.c.created_at >= sa.bindparam("start"),
           visits.c.created_at < sa.bindparam("end"), visits.c.id < sa.bindparam("before"))
    .order_by(visits.c.id.desc())
    .limit(sa.bindparam("n"))
)


async def venue_day(db, *, venue_id: int, day: dt.date | None, cursor: int | None, limit: int,
                    now: dt.datetime) -> dict:
    """One day's visits at a venue, newest first, holders masked (the clerk's 今日核验记录)."""
    day = day or today_cst(now)
    start, end = utc_range(day, day)
    rows = await db.fetchall(_DAY, {"venue": venue_id, "start": start, "end": end, "before": cursor or _FAR,
                                    "n": limit + 1})
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{
        "id": str(r["id"]), "at": iso(r["created_at"]), "verdict": r["verdict"], "verdict_text": VERDICT_ZH.get(r["verdict"]),
        "method": r["method"], "method_text": METHOD_ZH.get(r["method"]), "check_code": r["check_code"],
        "service": {"id": str(r["service_id"]), "name": r["service_name"]} if r["service_name"] else None,
        "holder": {"name_masked": mask_name(r["holder_name"]), "level": r["level"]} if r["holder_name"] else None,
        "card_no_masked": mask_card_no(r["card_no"]), "staff_name": r["staff_name"],
    } for r in rows]
    return {"date": day.isoformat(), "items": items, "next_cursor": str(rows[-1]["id"]) if more and rows else None}


# --------------------------------------------------------------------------- statistics

def period_expr(dialect: str, group: str, column):
    """The China-time day (YYYY-MM-DD) or month (YYYY-MM) of a naive-UTC column, as SQL each dialect runs
    (shared by every statistics query that buckets by date)."""
    fmt = "%Y-%m-%d" if group == "day" else "%Y-%m"
    if dialect == "mysql":
        return sa.func.date_format(sa.func.date_add(column, sa.text("INTERVAL 8 HOUR")), fmt)
    return sa.func.strftime(fmt, column, "+8 hours")


def _period(dialect: str, group: str):
    return period_expr(dialect, group, visits.c.created_at)


_STATS: dict[tuple[str, str, bool], Query] = {}


def _stats_query(dialect: str, group: str, one_venue: bool) -> Query:
    key = (dialect, group, one_venue)
    if key not in _STATS:
        period = _period(dialect, group).label("period")
        ok = sa.func.sum(sa.case((visits.c.verdict == "ok", 1), else_=0)).label("ok")
        stmt = (
            sa.select(period, venues.c.id.label("venue_id"), venues.c.name.label("venue_name"),
                      services.c.id.label("service_id"), services.c.name.label("service_name"), ok,
                      sa.func.count().label("total"))
            .select_from(visits.join(venues, venues.c.id == visits.c.venue_id)
                         .outerjoin(services, services.c.id == visits.c.service_id))
            .where(visits.c.created_at >= sa.bindparam("start"), visits.c.created_at < sa.bindparam("end"))
            .group_by(period, venues.c.id, venues.c.name, services.c.id, services.c.name)
            .order_by(period, venues.c.id, services.c.id)
        )
        if one_venue:
            stmt = stmt.where(visits.c.venue_id == sa.bindparam("venue"))
        _STATS[key] = Query(stmt)
    return _STATS[key]


def stats_range(group: str, first: dt.date | None, last: dt.date | None, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The CST dates asked for; by default the last 30 days (by day) or the last 12 months (by month)."""
    last = last or today_cst(now)
    if first is None:
        if group == "day":
            first = last - dt.timedelta(days=29)
        else:
            y, m = divmod(last.year * 12 + last.month - 1 - 11, 12)
            first = dt.date(y, m + 1, 1)
    if first > last:
        raise errors.field_error("from", "开始日期不能晚于结束日期")
    if (last - first).days > 366 * 5:
        raise errors.field_error("from", "统计范围不能超过5年")
    return first, last


async def visit_stats(db, *, group: str, venue_id: int | None, first: dt.date | None, last: dt.date | None,
                      now: dt.datetime) -> dict:
    """Scans and check-ins per period, venue and service: how many passed and how many were refused."""
    first, last = stats_range(group, first, last, now)
    start, end = utc_range(first, last)
    params = {"start": start, "end": end}
    if venue_id is not None:
        params["venue"] = venue_id
    rows = await db.fetchall(_stats_query(db.dialect, group, venue_id is not None), params)
    items = [{
        "period": r["period"], "venue": {"id": str(r["venue_id"]), "name": r["venue_name"]},
        "service": {"id": str(r["service_id"]), "name": r["service_name"]} if r["service_id"] else None,
        "ok": int(r["ok"] or 0), "refused": int(r["total"]) - int(r["ok"] or 0), "total": int(r["total"]),
    } for r in rows]
    return {"group": group, "from": first.isoformat(), "to": last.isoformat(), "items": items, "next_cursor": None}


def _workbook(stats: dict) -> bytes:
    from server.core.xlsx import SafeWorkbook

    buf = io.BytesIO()
    wb = SafeWorkbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("现场服务统计")
    head = wb.add_format({"bold": True, "bg_color": "#E8F0FE"})
    title = "日期" if stats["group"] == "day" else "月份"
    for c, h in enumerate([title, "服务场所", "服务项目", "核验通过", "核验未通过", "合计"]):
        ws.write(0, c, h, head)
    for i, r in enumerate(stats["items"], start=1):
        ws.write_row(i, 0, [r["period"], r["venue"]["name"], r["service"]["name"] if r["service"] else "",
                            r["ok"], r["refused"], r["total"]])
    ws.set_column(0, 0, 12)
    ws.set_column(1, 2, 26)
    ws.set_column(3, 5, 12)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


async def export_stats(db, executor, **kw) -> bytes:
    """The statistics as .xlsx with Chinese headers (built off the event loop)."""
    stats = await visit_stats(db, **kw)
    return await asyncio.get_running_loop().run_in_executor(executor, _workbook, stats)
