"""好差评 closed loop (the national government-service evaluation practice: 差评 → 整改 → 回访).

A holder's rating of one or two stars opens, in the rating's own transaction, a follow-up (整改) for
the org of the window that handled the appointment, due in 5 working days (Mon–Fri) at 17:30 China
time. The org's window clerks record what they changed (rectify); the org or an administrator then
revisits the holder and records the answer, which closes it. Clerks reach a follow-up only through
their own windows' orgs; a stale `version` gets 409 with the follow-up as it is now.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from server import errors
from server.core.privacy import mask_phone
from server.core.timeutil import from_cst, iso, today_cst
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, followups, orgs, ratings, window_staff, windows
from server.events import catalog as event
from server.events import log as events

WORKING_DAYS = 5
DUE_TIME = dt.time(17, 30)
BAD_STARS = 2  # 1–2 stars: 差评

STATUS_ZH = {"open": "待整改", "rectified": "待回访", "closed": "已办结"}


def deadline_after(now: dt.datetime, days: int = WORKING_DAYS) -> dt.datetime:
    """17:30 China time on the `days`-th working day (Mon–Fri) after the day of `now` (naive UTC)."""
    day = today_cst(now)
    left = days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return from_cst(dt.datetime.combine(day, DUE_TIME))


async def open_for_rating(tx, *, appt: dict, stars: int, now: dt.datetime) -> int | None:
    """Called in the rating's transaction: a 差评 opens a 整改 for the window's org."""
    if stars > BAD_STARS:
        return None
    window = await tx.fetchone(sa.select(windows.c.id, windows.c.org_id).where(windows.c.id == appt["window_id"]))
    try:
        fid = await tx.insert(followups, dict(
            appointment_id=appt["id"], window_id=window["id"], org_id=window["org_id"], stars=stars, status="open",
            deadline_at=deadline_after(now), version=1, created_at=now, updated_at=now))
    except IntegrityError:  # one per appointment; a rating is one per appointment too
        return None
    await events.record(tx, event.followup_opened(followup_id=fid, appointment_id=appt["id"], stars=stars, window=window,
                                                  deadline_at=iso(deadline_after(now))), now=now)
    return fid


# --------------------------------------------------------------------------- reading

def _select(with_rater: bool):
    cols = [followups, windows.c.name.label("window_name"), orgs.c.name.label("org_name"),
            ratings.c.comment, ratings.c.holder_id]
    src = (followups.join(windows, windows.c.id == followups.c.window_id)
           .join(orgs, orgs.c.id == followups.c.org_id)
           .outerjoin(ratings, ratings.c.appointment_id == followups.c.appointment_id))
    if with_rater:
        cols += [accounts.c.name.label("rater_name"), accounts.c.phone.label("rater_phone")]
        src = src.outerjoin(accounts, accounts.c.id == ratings.c.holder_id)
    return sa.select(*cols).select_from(src)


def view(r: dict, now: dt.datetime, *, with_rater: bool) -> dict:
    out = {
        "id": str(r["id"]), "appointment_id": str(r["appointment_id"]), "window_id": str(r["window_id"]),
        "window_name": r["window_name"], "org_id": str(r["org_id"]), "org_name": r["org_name"],
        "stars": r["stars"], "comment": r["comment"], "status": r["status"], "status_text": STATUS_ZH[r["status"]],
        "overdue": r["status"] == "open" and r["deadline_at"] < now, "deadline_at": iso(r["deadline_at"]),
        "rectification": {"action_taken": r["rectification"], "by": r["rectified_by"], "at": iso(r["rectified_at"])}
        if r["rectified_at"] else None,
        "revisit": {"holder_response": r["revisit_response"], "satisfied": bool(r["revisit_satisfied"]),
                    "by": r["revisit_by"], "at": iso(r["revisit_at"])} if r["revisit_at"] else None,
        "version": r["version"], "created_at": iso(r["created_at"]),
    }
    if with_rater:
        out["rater"] = {"name": r.get("rater_name"), "phone_masked": mask_phone(r.get("rater_phone"))}
    return out


_STAFF_ORGS = Query(
    sa.select(windows.c.org_id).distinct()
    .select_from(window_staff.join(windows, windows.c.id == window_staff.c.window_id))
    .where(window_staff.c.account_id == sa.bindparam("account"))
)


async def staff_orgs(db, principal) -> set[int]:
    """The orgs whose follow-ups a window clerk handles: the orgs of their own windows."""
    if not principal.has("window_staff"):
        return set()
    return {r["org_id"] for r in await db.fetchall(_STAFF_ORGS, {"account": principal.id})}


async def list_followups(db, *, status: str | None, org_ids: set[int] | None, cursor: int | None, limit: int,
                         now: dt.datetime, with_rater: bool) -> dict:
    """Newest first. `org_ids` None: every org (administrators); otherwise only those orgs."""
    stmt = _select(with_rater).order_by(followups.c.id.desc()).limit(limit + 1)
    if org_ids is not None:
        if not org_ids:
            return {"items": [], "next_cursor": None}
        stmt = stmt.where(followups.c.org_id.in_(sorted(org_ids)))
    if status == "overdue":
        stmt = stmt.where(followups.c.status == "open", followups.c.deadline_at < now)
    elif status:
        stmt = stmt.where(followups.c.status == status)
    if cursor:
        stmt = stmt.where(followups.c.id < cursor)
    rows = await db.fetchall(stmt)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [view(r, now, with_rater=with_rater) for r in rows],
            "next_cursor": str(rows[-1]["id"]) if more and rows else None}


# --------------------------------------------------------------------------- acting

async def _locked(tx, principal, followup_id: int, *, admin_ok: bool) -> dict:
    row = await tx.fetchone(sa.select(followups).where(followups.c.id == followup_id).with_for_update())
    if row is None:
        raise errors.NotFound("整改记录不存在")
    if admin_ok and principal.has("admin"):
        return row
    if row["org_id"] not in await staff_orgs(tx, principal):
        raise errors.NotFound("整改记录不存在")  # other orgs' follow-ups do not exist for this clerk
    return row


async def _current(tx, followup_id: int, now: dt.datetime, with_rater: bool) -> dict:
    return view(await tx.fetchone(_select(with_rater).where(followups.c.id == followup_id)), now,
                with_rater=with_rater)


async def rectify(deps, principal, followup_id: int, *, action_taken: str, version: int) -> dict:
    """The org records what it changed (整改措施): open → rectified."""
    now = deps.clock()
    action_taken = action_taken.strip()
    if not action_taken:
        raise errors.field_error("action_taken", "请填写整改措施")
    async with deps.db.transaction() as tx:
        row = await _locked(tx, principal, followup_id, admin_ok=False)
        if row["version"] != version:
            raise errors.VersionConflict(details={"current": await _current(tx, followup_id, now, False)})
        if row["status"] != "open":
            raise errors.InvalidTransition("该整改已提交，不能重复提交",
                                           details={"current": await _current(tx, followup_id, now, False)})
        await tx.execute(followups.update().where(followups.c.id == followup_id).values(
            status="rectified", rectification=action_taken, rectified_by=principal.name, rectified_at=now,
            version=followups.c.version + 1, updated_at=now))
        await events.record(tx, event.followup_rectified(row, late=row["deadline_at"] < now), now=now)
        return await _current(tx, followup_id, now, False)


async def revisit(deps, principal, followup_id: int, *, holder_response: str, satisfied: bool, version: int) -> dict:
    """The holder is asked again (回访) and the answer recorded: rectified → closed."""
    now = deps.clock()
    holder_response = holder_response.strip()
    if not holder_response:
        raise errors.field_error("holder_response", "请填写回访情况")
    is_admin = principal.has("admin")
    async with deps.db.transaction() as tx:
        row = await _locked(tx, principal, followup_id, admin_ok=True)
        if row["version"] != version:
            raise errors.VersionConflict(details={"current": await _current(tx, followup_id, now, is_admin)})
        if row["status"] != "rectified":
            msg = "请先提交整改措施再回访" if row["status"] == "open" else "该整改已办结"
            raise errors.InvalidTransition(msg, details={"current": await _current(tx, followup_id, now, is_admin)})
        await tx.execute(followups.update().where(followups.c.id == followup_id).values(
            status="closed", revisit_response=holder_response, revisit_satisfied=satisfied, revisit_by=principal.name,
            revisit_at=now, version=followups.c.version + 1, updated_at=now))
        await events.record(tx, event.followup_closed(row, satisfied=satisfied), now=now)
        return await _current(tx, followup_id, now, is_admin)
