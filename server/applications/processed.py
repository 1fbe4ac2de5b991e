"""人才管理 for reviewers: the applications the caller's org has acted on, each with the org's last
action (通过 / 退回补正 / 不予受理), its opinion and time; filters and an .xlsx export.

One statement per page: the org's last action per application (max id, served by
ix_application_actions_org), joined back to the action and the application, keyset-paged by that id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import sqlalchemy as sa

from server.applications.service import STATUS_ZH, TYPE_ZH
from server.core.timeutil import iso, utc_range
from server.db.tables import accounts, application_actions, applications

REVIEW_ACTIONS = ("approve", "return", "reject")
ACTION_ZH = {"approve": "通过", "return": "退回补正", "reject": "不予受理"}


def _stmt(org_id: int, *, action, type_, first, last, q):
    aa = application_actions.c
    latest = (sa.select(aa.application_id, sa.func.max(aa.id).label("last_id"))
              .where(aa.org_id == org_id, aa.action.in_(REVIEW_ACTIONS))
              .group_by(aa.application_id).subquery("latest"))
    stmt = (
        sa.select(aa.id, aa.action, aa.opinion, aa.actor_name, aa.created_at.label("acted_at"),
                  applications.c.id.label("app_id"), applications.c.type, applications.c.status,
                  applications.c.acceptance_no, accounts.c.name.label("applicant_name"))
        .select_from(latest.join(application_actions, aa.id == latest.c.last_id)
                     .join(applications, applications.c.id == aa.application_id)
                     .join(accounts, accounts.c.id == applications.c.applicant_id))
        .order_by(aa.id.desc())
    )
    if action:
        stmt = stmt.where(aa.action == action)
    if type_:
        stmt = stmt.where(applications.c.type == type_)
    if first or last:
        start, end = utc_range(first or dt.date(2000, 1, 1), last or dt.date(2999, 12, 31))
        stmt = stmt.where(aa.created_at >= start, aa.created_at < end)
    if q:
        stmt = stmt.where(sa.or_(applications.c.acceptance_no == q, accounts.c.name == q))
    return stmt


def _view(r: dict) -> dict:
    return {
        "id": str(r["app_id"]), "acceptance_no": r["acceptance_no"], "type": r["type"],
        "type_name": TYPE_ZH.get(r["type"], r["type"]), "status": r["status"],
        "status_name": STATUS_ZH.get(r["status"], r["status"]), "applicant_name": r["applicant_name"],
        "last_action": {"action": r["action"], "action_name": ACTION_ZH.get(r["action"], r["action"]),
                        "opinion": r["opinion"], "actor_name": r["actor_name"], "at": iso(r["acted_at"])},
    }


async def processed(db, org_id: int | None, *, action=None, type_=None, first=None, last=None, q=None,
                    cursor: int | None, limit: int) -> dict:
    if org_id is None:
        return {"items": [], "next_cursor": None}
    stmt = _stmt(org_id, action=action, type_=type_, first=first, last=last, q=q).limit(limit + 1)
    if cursor:
        stmt = stmt.where(application_actions.c.id < cursor)
    rows = await db.fetchall(stmt)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [_view(r) for r in rows], "next_cursor": str(rows[-1]["id"]) if more and rows else None}


async def export_processed(db, org_id: int | None, *, executor, **filters) -> bytes:
    """The filtered list as .xlsx (Chinese headers), read page by page into a constant-memory sheet."""
    from server.core.xlsx import SafeWorkbook

    buf = io.BytesIO()
    wb = SafeWorkbook(buf, {"constant_memory": True, "in_memory": False})
    ws = wb.add_worksheet("人才管理")
    head = wb.add_format({"bold": True, "bg_color": "#E8F0FE"})
    for c, h in enumerate(["受理编号", "申请人", "申领类型", "申请状态", "本单位最后办理", "审核意见", "办理人", "办理时间"]):
        ws.write(0, c, h, head)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 7, 14)
    ws.set_column(5, 5, 40)
    row_no, cursor = 1, None
    while org_id is not None:
        page = await processed(db, org_id, cursor=cursor, limit=100, **filters)
        for v in page["items"]:
            a = v["last_action"]
            ws.write_row(row_no, 0, [v["acceptance_no"] or "", v["applicant_name"], v["type_name"], v["status_name"],
                                     a["action_name"], a["opinion"] or "", a["actor_name"], a["at"]])
            row_no += 1
        if not page["next_cursor"]:
            break
        cursor = int(page["next_cursor"])
    await asyncio.get_running_loop().run_in_executor(executor, wb.close)
    return buf.getvalue()
