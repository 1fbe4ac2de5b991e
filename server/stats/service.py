"""Statistics for the console (administrators): appointments by period and dimension, ratings per
window, overdue work per window, cards by level and status, applications by type, stage and outcome.

Each is one or a few GROUP BY statements over indexed ranges (created_at), portable between SQLite
and MySQL; date buckets are China time, built per dialect (`period_expr`). Ranges are China-time dates,
both inclusive; without them, the last 30 days (by day) or the last 12 months.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json

import sqlalchemy as sa

from server.applications.service import STATUS_ZH as APP_STATUS_ZH
from server.applications.service import TYPE_ZH
from server.appointments.service import ACTIVE
from server.appointments.service import STATUS_ZH as APPT_STATUS_ZH
from server.cards.service import LEVELS
from server.cards.service import STATUS_ZH as CARD_STATUS_ZH
from server.core.timeutil import iso, today_cst, utc_range
from server.db.tables import applications, appointments, cards, orgs, ratings, services, windows
from server.onsite.visits import period_expr, stats_range

LEVEL_ZH = {"A": "A类", "B": "B类", "C": "C类"}


def _range(group: str, first, last, now) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    first, last = stats_range(group, first, last, now)
    start, end = utc_range(first, last)
    return first, last, start, end


# --------------------------------------------------------------------------- appointments

async def appointment_stats(db, *, group: str, by: str, first, last, now: dt.datetime) -> dict:
    """Appointments made per period, split by status, service, window or district."""
    first, last, start, end = _range(group, first, last, now)
    rows = await db.fetchall(appointment_stmt(db.dialect, group, by, start, end))
    items = [{"period": r["period"], "key": str(r["key"]),
              "label": APPT_STATUS_ZH.get(r["label"], r["label"]) if by == "status" else r["label"],
              "count": int(r["n"])} for r in rows]
    return {"group": group, "by": by, "from": first.isoformat(), "to": last.isoformat(), "items": items}


def appointment_stmt(dialect: str, group: str, by: str, start: dt.datetime, end: dt.datetime):
    """One GROUP BY over the created_at range (ix_appointments_created)."""
    a = appointments.c
    period = period_expr(dialect, group, a.created_at).label("period")
    src = appointments
    if by == "status":
        key, label = a.status, a.status
    elif by == "district":
        key, label = a.district, a.district
    elif by == "service":
        src = appointments.join(services, services.c.id == a.service_id)
        key, label = a.service_id, services.c.name
    else:  # window
        src = appointments.join(windows, windows.c.id == a.window_id)
        key, label = a.window_id, windows.c.name
    stmt = (sa.select(period, key.label("key"), label.label("label"), sa.func.count().label("n"))
            .select_from(src).where(a.created_at >= start, a.created_at < end)
            .group_by(period, key, label).order_by(period, key))
    return stmt


# --------------------------------------------------------------------------- ratings

async def rating_stats(db, *, first, last, now: dt.datetime) -> dict:
    """Per window: how many ratings, the average, the 1–5 distribution and the latest 20 comments."""
    first, last, start, end = _range("month", first, last, now)
    r, a = ratings.c, appointments.c
    src = ratings.join(appointments, a.id == r.appointment_id).join(windows, windows.c.id == a.window_id)
    rows = await db.fetchall(
        sa.select(a.window_id, windows.c.name.label("window_name"), r.stars, sa.func.count().label("n"))
        .select_from(src).where(r.created_at >= start, r.created_at < end)
        .group_by(a.window_id, windows.c.name, r.stars).order_by(a.window_id, r.stars))
    by_window: dict[int, dict] = {}
    for row in rows:
        w = by_window.setdefault(row["window_id"], {
            "window_id": str(row["window_id"]), "window_name": row["window_name"], "count": 0, "average": None,
            "distribution": {str(s): 0 for s in range(1, 6)}, "comments": [], "_sum": 0})
        w["distribution"][str(row["stars"])] = int(row["n"])
        w["count"] += int(row["n"])
        w["_sum"] += int(row["n"]) * int(row["stars"])
    for wid, w in by_window.items():
        w["average"] = round(w.pop("_sum") / w["count"], 2) if w["count"] else None
        latest = await db.fetchall(
            sa.select(r.stars, r.comment, r.created_at).select_from(ratings.join(appointments, a.id == r.appointment_id))
            .where(a.window_id == wid, r.created_at >= start, r.created_at < end, r.comment.is_not(None))
            .order_by(r.created_at.desc()).limit(20))
        w["comments"] = [{"stars": c["stars"], "comment": c["comment"], "at": iso(c["created_at"])} for c in latest]
    return {"from": first.isoformat(), "to": last.isoformat(), "items": list(by_window.values())}


# --------------------------------------------------------------------------- overdue

async def overdue_stats(db, *, first, last, now: dt.datetime) -> dict:
    """Per window: appointments made in the range and how many of them are overdue now (a step still
    running past its 办理时限)."""
    first, last, start, end = _range("month", first, last, now)
    a = appointments.c
    late = sa.func.sum(sa.case((sa.and_(a.status.in_(ACTIVE), a.deadline_at < now), 1), else_=0)).label("late")
    rows = await db.fetchall(
        sa.select(a.window_id, windows.c.name.label("window_name"), sa.func.count().label("n"), late)
        .select_from(appointments.join(windows, windows.c.id == a.window_id))
        .where(a.created_at >= start, a.created_at < end)
        .group_by(a.window_id, windows.c.name).order_by(a.window_id))
    items = []
    for r in rows:
        total, overdue = int(r["n"]), int(r["late"] or 0)
        items.append({"window_id": str(r["window_id"]), "window_name": r["window_name"], "total": total,
                      "overdue": overdue, "rate": round(overdue / total, 4) if total else 0.0})
    return {"from": first.isoformat(), "to": last.isoformat(), "items": items}


# --------------------------------------------------------------------------- cards

async def card_stats(db, *, now: dt.datetime) -> dict:
    """Cards by level and by status (expired derived from the validity date, as everywhere)."""
    today = today_cst(now)
    c = cards.c
    state = sa.case((c.status == "disabled", "disabled"), (c.valid_until < today, "expired"), else_="active")
    rows = await db.fetchall(sa.select(c.level, state.label("state"), sa.func.count().label("n"))
                             .group_by(c.level, state))
    levels = {lv: 0 for lv in LEVELS}
    states = {s: 0 for s in ("active", "disabled", "expired")}
    for r in rows:
        levels[r["level"]] = levels.get(r["level"], 0) + int(r["n"])
        states[r["state"]] += int(r["n"])
    return {"by_level": [{"level": k, "label": LEVEL_ZH.get(k, k), "count": v} for k, v in levels.items()],
            "by_status": [{"status": k, "label": CARD_STATUS_ZH[k], "count": v} for k, v in states.items()]}


# --------------------------------------------------------------------------- applications

async def application_stats(db, *, first, last, now: dt.datetime) -> dict:
    """Applications made in the range (drafts left out): by type, by the stage where the ones in review
    wait now, and by outcome (status)."""
    first, last, start, end = _range("month", first, last, now)
    ap = applications.c
    where = (ap.created_at >= start, ap.created_at < end, ap.status != "draft")
    by_type = await db.fetchall(sa.select(ap.type, sa.func.count().label("n")).where(*where)
                                .group_by(ap.type).order_by(ap.type))
    by_status = await db.fetchall(sa.select(ap.status, sa.func.count().label("n")).where(*where)
                                  .group_by(ap.status).order_by(ap.status))
    stages = await db.fetchall(
        sa.select(ap.current_org_id, ap.stage_index, orgs.c.name.label("org_name"), sa.func.count().label("n"),
                  sa.func.max(ap.id).label("sample"))
        .select_from(applications.outerjoin(orgs, orgs.c.id == ap.current_org_id))
        .where(*where, ap.status.in_(("submitted", "correction_required")))
        .group_by(ap.current_org_id, ap.stage_index, orgs.c.name).order_by(ap.current_org_id, ap.stage_index))
    by_stage = []
    for s in stages:
        # the stage's name lives in the route stored with each application: read one of the group
        route = await db.fetchval(sa.select(ap.route).where(ap.id == s["sample"]))
        try:
            stage = json.loads(route or "[]")[s["stage_index"] or 0]
        except (ValueError, IndexError, TypeError):
            stage = {"key": "unknown", "name": "审核"}
        by_stage.append({"key": f"{stage.get('key')}:{s['current_org_id']}",
                         "label": f"{stage.get('name')}（{s['org_name'] or ''}）", "count": int(s["n"])})
    return {
        "from": first.isoformat(), "to": last.isoformat(),
        "by_type": [{"key": r["type"], "label": TYPE_ZH.get(r["type"], r["type"]), "count": int(r["n"])} for r in by_type],
        "by_stage": by_stage,
        "by_outcome": [{"key": r["status"], "label": APP_STATUS_ZH.get(r["status"], r["status"]), "count": int(r["n"])}
                       for r in by_status],
    }


# --------------------------------------------------------------------------- .xlsx

def workbook(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """Sheets of (name, Chinese headers, rows), through SafeWorkbook (user text never a formula)."""
    from server.core.xlsx import SafeWorkbook

    buf = io.BytesIO()
    wb = SafeWorkbook(buf, {"in_memory": True})
    for name, headers, rows in sheets:
        ws = wb.add_worksheet(name)
        head = wb.add_format({"bold": True, "bg_color": "#E8F0FE"})
        for c, h in enumerate(headers):
            ws.write(0, c, h, head)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, ["" if v is None else v for v in row])
        ws.set_column(0, len(headers) - 1, 16)
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def sheets_for(kind: str, data: dict) -> list[tuple[str, list[str], list[list]]]:
    if kind == "appointments":
        dim = {"status": "状态", "service": "服务", "window": "窗口", "district": "区市"}[data["by"]]
        return [("预约统计", ["日期" if data["group"] == "day" else "月份", dim, "预约数"],
                 [[r["period"], r["label"], r["count"]] for r in data["items"]])]
    if kind == "ratings":
        return [("评价统计", ["窗口", "评价数", "平均星级", "1星", "2星", "3星", "4星", "5星"],
                 [[r["window_name"], r["count"], r["average"], *[r["distribution"][str(s)] for s in range(1, 6)]]
                  for r in data["items"]]),
                ("最新评价", ["窗口", "星级", "评价内容", "时间"],
                 [[r["window_name"], c["stars"], c["comment"], c["at"]] for r in data["items"] for c in r["comments"]])]
    if kind == "overdue":
        return [("超期统计", ["窗口", "预约数", "超期数", "超期率"],
                 [[r["window_name"], r["total"], r["overdue"], r["rate"]] for r in data["items"]])]
    if kind == "cards":
        return [("按等级", ["等级", "数量"], [[r["label"], r["count"]] for r in data["by_level"]]),
                ("按状态", ["状态", "数量"], [[r["label"], r["count"]] for r in data["by_status"]])]
    return [("按类型", ["类型", "数量"], [[r["label"], r["count"]] for r in data["by_type"]]),
            ("按环节", ["审核环节", "数量"], [[r["label"], r["count"]] for r in data["by_stage"]]),
            ("按结果", ["状态", "数量"], [[r["label"], r["count"]] for r in data["by_outcome"]])]


async def export(executor, kind: str, data: dict) -> bytes:
    return await asyncio.get_running_loop().run_in_executor(executor, workbook, sheets_for(kind, data))
