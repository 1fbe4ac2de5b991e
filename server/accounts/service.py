"""Accounts and orgs: look-ups, holder creation, the `/me` view, administration."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from server import errors
from server.core.pagination import keyset_page
from server.core.privacy import mask_phone
from server.core.validators import PHONE_RE
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, orgs, sessions

_BY_PHONE = Query(sa.select(accounts).where(accounts.c.phone == sa.bindparam("phone")))
_BY_ID = Query(sa.select(accounts).where(accounts.c.id == sa.bindparam("id")))
_BY_USERNAME = Query(sa.select(accounts).where(accounts.c.username == sa.bindparam("u")))
_ORG = Query(sa.select(orgs.c.id, orgs.c.name, orgs.c.type).where(orgs.c.id == sa.bindparam("id")))
_NEW_HOLDER = Query(accounts.insert().values(
    name=sa.bindparam("name"), phone=sa.bindparam("phone"), roles="holder", status="active",
    failed_logins=0, version=1, created_at=sa.bindparam("now"), updated_at=sa.bindparam("now"),
))
_SET_PASSWORD = Query(accounts.update().where(accounts.c.id == sa.bindparam("id")).values(
    password_hash=sa.bindparam("h"), password_changed_at=sa.bindparam("now"), failed_logins=0,
    locked_until=None, updated_at=sa.bindparam("now"), version=accounts.c.version + 1))


def roles_of(account: dict) -> list[str]:
    return [r for r in account["roles"].split(",") if r]


def user_payload(account: dict) -> dict:
    """The contract's `user`: {id, name, roles, phone_masked}."""
    return {"id": str(account["id"]), "name": account["name"], "roles": roles_of(account),
            "phone_masked": mask_phone(account["phone"])}


async def get_account(db, account_id: int) -> dict:
    row = await db.fetchone(_BY_ID, {"id": account_id})
    if row is None:
        raise errors.NotFound("账号不存在")
    return row


async def find_for_password_login(db, username: str) -> dict | None:
    row = await db.fetchone(_BY_USERNAME, {"u": username})
    if row is None and PHONE_RE.match(username):
        row = await db.fetchone(_BY_PHONE, {"phone": username})
    return row


async def find_or_create_holder(tx, phone: str, now: dt.datetime) -> dict:
    """The account that owns this phone; an unknown phone becomes a new holder account."""
    row = await tx.fetchone(_BY_PHONE, {"phone": phone})
    if row is not None:
        return row
    try:
        res = await tx.execute(_NEW_HOLDER, {"name": f"用户{phone[-4:]}", "phone": phone, "now": now})
    except IntegrityError:  # created by a concurrent login a moment ago
        row = await tx.fetchone(_BY_PHONE, {"phone": phone})
        if row is None:
            raise
        return row
    return await tx.fetchone(_BY_ID, {"id": res.lastrowid})


async def set_password(tx, account_id: int, password_hash: str, now: dt.datetime) -> None:
    await tx.execute(_SET_PASSWORD, {"id": account_id, "h": password_hash, "now": now})


async def own_view(db, account: dict) -> dict:
    """The caller's own account, masked: the first piece of `GET /api/v1/me` (`accounts.me`)."""
    out = user_payload(account)
    out["id_number_masked"] = account["id_number_masked"]
    out["has_password"] = bool(account["password_hash"])
    out["org"] = None
    if account["org_id"]:
        org = await db.fetchone(_ORG, {"id": account["org_id"]})
        if org:
            out["org"] = {"id": str(org["id"]), "name": org["name"], "type": org["type"]}
    return out


# --------------------------------------------------------------------------- administration

def _admin_view(row: dict) -> dict:
    out = user_payload(row)
    out.update({"username": row["username"], "status": row["status"], "org_id": str(row["org_id"]) if row["org_id"] else None,
                "id_number_masked": row["id_number_masked"], "version": row["version"],
                "locked": bool(row["locked_until"])})
    return out


async def list_accounts(db, *, role: str | None, q: str | None, status: str | None,
                        cursor: int | None, limit: int, render=None) -> dict:
    stmt = sa.select(accounts).order_by(accounts.c.id.desc()).limit(limit + 1)
    if role:
        stmt = stmt.where(sa.or_(accounts.c.roles == role, accounts.c.roles.like(f"{role},%"),
                                 accounts.c.roles.like(f"%,{role}"), accounts.c.roles.like(f"%,{role},%")))
    if status:
        stmt = stmt.where(accounts.c.status == status)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(accounts.c.name.like(like, escape="\\"), accounts.c.username.like(like, escape="\\"),
                                 accounts.c.phone == q))
    if cursor:
        stmt = stmt.where(accounts.c.id < cursor)
    rows = await db.fetchall(stmt)
    return keyset_page(rows, limit, render or _admin_view)


async def set_account_status(db, *, account_id: int, status: str, now: dt.datetime, actor_id: int) -> dict:
    """Disable or enable an account. Disabling revokes every session at once."""
    if account_id == actor_id and status == "disabled":
        raise errors.InvalidTransition("不能停用自己的账号")
    async with db.transaction() as tx:
        row = await tx.fetchone(sa.select(accounts).where(accounts.c.id == account_id).with_for_update())
        if row is None:
            raise errors.NotFound("账号不存在")
        await tx.execute(accounts.update().where(accounts.c.id == account_id).values(
            status=status, updated_at=now, version=accounts.c.version + 1,
            failed_logins=0 if status == "active" else accounts.c.failed_logins,
            locked_until=None if status == "active" else accounts.c.locked_until))
        if status == "disabled":
            await tx.execute(sessions.update().where(sessions.c.account_id == account_id,
                                                     sessions.c.revoked_at.is_(None)).values(revoked_at=now))
        row = await tx.fetchone(sa.select(accounts).where(accounts.c.id == account_id))
    return _admin_view(row)
