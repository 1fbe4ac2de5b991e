"""Account administration for the console: edit an account's roles and scope, reset its password,
create staff accounts, list orgs.

A role is only as good as its scope (a staff member reaches an object only through a record of
their own scope): a reviewer acts for one org, a window clerk for named windows, a venue clerk for one
venue (whose org is the clerk's org: server/onsite/service.py `staff_venue`). An edit that would leave a
role without its scope is refused, so no account can hold a role that reaches nothing or everything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import sqlalchemy as sa

from server import errors
from server.accounts.passwords import hash_password, password_problem
from server.accounts.service import _admin_view, get_account, set_password
from server.core.principal import ROLES
from server.core.validators import PHONE_RE
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, orgs, sessions, venues, window_staff, windows

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,63}$", re.ASCII)

_ORG = Query(sa.select(orgs.c.id, orgs.c.type).where(orgs.c.id == sa.bindparam("id")))
_VENUE = Query(sa.select(venues.c.id, venues.c.org_id).where(venues.c.id == sa.bindparam("id")))
_VENUE_OF_ORG = Query(sa.select(venues.c.id).where(venues.c.org_id == sa.bindparam("org")))


async def _scope(tx, *, roles: list[str], org_id: int | None, window_ids: list[int], venue_id: int | None) -> int | None:
    """Check the roles against their scope; returns the org the account belongs to."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise errors.field_error("roles", "角色无效" if unknown else "请至少选择一个角色")
    if "reviewer" in roles and not org_id:
        raise errors.field_error("org_id", "审核人员须指定所属单位")
    if "window_staff" in roles and not window_ids:
        raise errors.field_error("window_ids", "窗口人员须指定服务窗口")
    if "venue_staff" in roles and not venue_id:
        raise errors.field_error("venue_id", "场所人员须指定服务场所")
    if org_id is not None and await tx.fetchone(_ORG, {"id": org_id}) is None:
        raise errors.field_error("org_id", "单位不存在")
    if venue_id is not None:
        if "venue_staff" not in roles:
            raise errors.field_error("venue_id", "只有场所人员可指定服务场所")
        venue = await tx.fetchone(_VENUE, {"id": venue_id})
        if venue is None:
            raise errors.field_error("venue_id", "服务场所不存在")
        if org_id is not None and org_id != venue["org_id"]:
            raise errors.field_error("org_id", "场所人员的所属单位即其服务场所，不能另选单位")
        org_id = venue["org_id"]
    if window_ids:
        if "window_staff" not in roles:
            raise errors.field_error("window_ids", "只有窗口人员可指定服务窗口")
        found = await tx.fetchall(sa.select(windows.c.id, windows.c.org_id).where(windows.c.id.in_(window_ids)))
        if len(found) != len(set(window_ids)):
            raise errors.field_error("window_ids", "服务窗口不存在")
        if org_id is None:
            org_id = found[0]["org_id"]
    return org_id


async def _write_windows(tx, account_id: int, window_ids: list[int]) -> None:
    await tx.execute(window_staff.delete().where(window_staff.c.account_id == account_id))
    for w in sorted(set(window_ids)):
        await tx.insert(window_staff, {"account_id": account_id, "window_id": w})


async def view_with_scope(db, rows: list[dict]) -> list[dict]:
    """Admin views of accounts with their window_ids and venue_id (two queries for a whole page)."""
    ids = [r["id"] for r in rows]
    org_ids = {r["org_id"] for r in rows if r["org_id"]}
    ws: dict[int, list[str]] = {}
    if ids:
        for r in await db.fetchall(sa.select(window_staff).where(window_staff.c.account_id.in_(ids))
                                   .order_by(window_staff.c.window_id)):
            ws.setdefault(r["account_id"], []).append(str(r["window_id"]))
    venue_by_org: dict[int, int] = {}
    if org_ids:
        for r in await db.fetchall(sa.select(venues.c.id, venues.c.org_id).where(venues.c.org_id.in_(org_ids))):
            venue_by_org[r["org_id"]] = r["id"]
    out = []
    for r in rows:
        v = _admin_view(r)
        v["window_ids"] = ws.get(r["id"], [])
        venue = venue_by_org.get(r["org_id"]) if "venue_staff" in v["roles"] else None
        v["venue_id"] = str(venue) if venue else None
        out.append(v)
    return out


async def update_account(db, *, account_id: int, actor_id: int, name: str, phone: str | None, roles: list[str],
                         org_id: int | None, window_ids: list[int], venue_id: int | None, version: int | None,
                         now: dt.datetime) -> dict:
    """Edit name, phone, roles and scope (the scope is replaced as given). `phone` None keeps the stored
    one, "" clears it. A changed role or scope ends the account's sessions, so the new rights apply from
    the next request on."""
    roles = list(dict.fromkeys(roles))
    if phone is not None and phone != "" and not PHONE_RE.fullmatch(phone):
        raise errors.field_error("phone", "手机号格式不正确")
    if account_id == actor_id and "admin" not in roles:
        raise errors.field_error("roles", "不能取消自己的管理员角色")
    async with db.transaction() as tx:
        row = await tx.fetchone(sa.select(accounts).where(accounts.c.id == account_id).with_for_update())
        if row is None:
            raise errors.NotFound("账号不存在")
        if version is not None and version != row["version"]:
            raise errors.VersionConflict(details={"current": (await view_with_scope(tx, [row]))[0]})
        org = await _scope(tx, roles=roles, org_id=org_id, window_ids=window_ids, venue_id=venue_id)
        old_windows = {r["window_id"] for r in await tx.fetchall(
            sa.select(window_staff.c.window_id).where(window_staff.c.account_id == account_id))}
        try:
            await tx.execute(accounts.update().where(accounts.c.id == account_id).values(
                name=name, phone=row["phone"] if phone is None else (phone or None), roles=",".join(roles),
                org_id=org, updated_at=now, version=accounts.c.version + 1))
        except IntegrityError:
            raise errors.PhoneInUse() from None
        await _write_windows(tx, account_id, window_ids if "window_staff" in roles else [])
        rights_changed = (set(roles) != set(filter(None, row["roles"].split(","))) or org != row["org_id"]
                          or old_windows != set(window_ids if "window_staff" in roles else []))
        if rights_changed and account_id != actor_id:
            await tx.execute(sessions.update().where(sessions.c.account_id == account_id,
                                                     sessions.c.revoked_at.is_(None)).values(revoked_at=now))
        row = await tx.fetchone(sa.select(accounts).where(accounts.c.id == account_id))
        return (await view_with_scope(tx, [row]))[0]


async def create_account(deps, *, username: str, name: str, phone: str | None, password: str, roles: list[str],
                         org_id: int | None, window_ids: list[int], venue_id: int | None) -> dict:
    """A new staff account with a password that follows the usual rules."""
    if not USERNAME.fullmatch(username):
        raise errors.field_error("username", "用户名须以字母开头，由3-64位字母、数字、下划线、点或短横线组成")
    if phone and not PHONE_RE.fullmatch(phone):
        raise errors.field_error("phone", "手机号格式不正确")
    problem = password_problem(password)
    if problem:
        raise errors.field_error("password", problem)
    pw = await asyncio.get_running_loop().run_in_executor(deps.executor, hash_password, password)
    now = deps.clock()
    roles = list(dict.fromkeys(roles))
    async with deps.db.transaction() as tx:
        org = await _scope(tx, roles=roles, org_id=org_id, window_ids=window_ids, venue_id=venue_id)
        same = [accounts.c.username == username] + ([accounts.c.phone == phone] if phone else [])
        taken = await tx.fetchone(sa.select(accounts.c.id, accounts.c.username, accounts.c.phone)
                                  .where(sa.or_(*same)).limit(1))
        if taken is not None:
            if taken["username"] == username:
                raise errors.UsernameTaken.field("username", "用户名已被使用")
            raise errors.PhoneInUse()
        try:
            account_id = await tx.insert(accounts, dict(
                username=username, name=name, phone=phone or None, roles=",".join(roles), org_id=org,
                password_hash=pw, password_changed_at=now, failed_logins=0, status="active", version=1,
                created_at=now, updated_at=now))
        except IntegrityError:
            raise errors.UsernameTaken("用户名或手机号已被使用") from None
        await _write_windows(tx, account_id, window_ids if "window_staff" in roles else [])
        row = await tx.fetchone(sa.select(accounts).where(accounts.c.id == account_id))
        return (await view_with_scope(tx, [row]))[0]


async def reset_password(deps, *, account_id: int, new_password: str) -> None:
    """Set a new password (the usual rules) and end every session of that account."""
    problem = password_problem(new_password)
    if problem:
        raise errors.field_error("new_password", problem)
    await get_account(deps.db, account_id)
    pw = await asyncio.get_running_loop().run_in_executor(deps.executor, hash_password, new_password)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        await set_password(tx, account_id, pw, now)
        await tx.execute(sessions.update().where(sessions.c.account_id == account_id,
                                                 sessions.c.revoked_at.is_(None)).values(revoked_at=now))


async def list_orgs(db, *, kind: str | None) -> dict:
    stmt = sa.select(orgs.c.id, orgs.c.name, orgs.c.type, orgs.c.district).order_by(orgs.c.type, orgs.c.id)
    if kind:
        stmt = stmt.where(orgs.c.type == kind)
    rows = await db.fetchall(stmt)
    return {"items": [{"id": str(r["id"]), "name": r["name"], "kind": r["type"], "district": r["district"]}
                      for r in rows], "next_cursor": None}
