"""Employers on the talent-library side (seed 002 §2.3–2.4 企业注册/入库, seed 003 关联单位).

An employer registers itself (contact phone verified by SMS); its staff account stays `pending`
(no login) until the approving org accepts the registration: the HR bureau of its district, or the city HR
bureau for a 市直 employer (administrators always may). An active employer has a 关联代码; a holder
looks it up, sees the name, asks to be linked, and the employer's staff confirm. A holder has at
most one pending or approved link (a unique key, not a check-then-insert), and an approved link is
what puts the employer's review stage first on the holder's card applications (routing.py).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlalchemy as sa

from server import errors
from server.accounts.passwords import hash_password, password_problem
from server.auth import service as auth_service
from server.core.pagination import keyset_page
from server.core.privacy import mask_phone
from server.core.timeutil import iso
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, employer_links, employers, holder_profiles, orgs, sessions
from server.events import catalog as event
from server.events import log as events

SMS_PURPOSE = "employer_reg"
# 统一社会信用代码 (GB 32100-2015): 31 characters, no I, O, S, V, Z
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}\Z", re.ASCII)
# 关联代码: 8 characters without look-alikes (0/O, 1/I/L): 30^8 ≈ 6.6e11 codes
_LINK_CODE_CHARS = "ABCDEFGHJKMNPQRSTUVWXYZ2345679"
LINK_CODE_LEN = 8
STATUS_ZH = {"pending": "待审核", "active": "已入库", "rejected": "已退回", "disabled": "已停用"}
LINK_STATUS_ZH = {"pending": "待单位确认", "approved": "已关联", "rejected": "单位未同意", "cancelled": "已取消"}


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


def valid_credit_code(code: str) -> bool:
    """18 ASCII characters of the code's alphabet with the right check character."""
    return bool(USCC_RE.match(code)) and credit_code_check_char(code[:17]) == code[17]


def new_link_code() -> str:
    return "".join(secrets.choice(_LINK_CODE_CHARS) for _ in range(LINK_CODE_LEN))


# an employer org counts while it has no registration row (loaded from the PC side) or an active one
_ACTIVE = sa.or_(employers.c.status.is_(None), employers.c.status == "active")
_EMPLOYER_ORGS = orgs.outerjoin(employers, employers.c.org_id == orgs.c.id)
_BY_LINK_CODE = Query(sa.select(orgs.c.id, orgs.c.name).select_from(_EMPLOYER_ORGS).where(
    orgs.c.association_code == sa.bindparam("code"), orgs.c.type == "employer", _ACTIVE))
_LIVE_LINK = Query(sa.select(employer_links, orgs.c.name.label("employer_name")).select_from(
    employer_links.join(orgs, orgs.c.id == employer_links.c.employer_org_id)).where(
    employer_links.c.holder_id == sa.bindparam("holder_id")).order_by(employer_links.c.id.desc()).limit(1))
_APPROVED_EMPLOYER = Query(sa.select(orgs).select_from(
    employer_links.join(orgs, orgs.c.id == employer_links.c.employer_org_id)
    .outerjoin(employers, employers.c.org_id == orgs.c.id)).where(
    employer_links.c.live_holder_id == sa.bindparam("holder_id"), employer_links.c.status == "approved", _ACTIVE))
_CITY_HR = Query(sa.select(orgs.c.id).where(orgs.c.type == "city_hr").order_by(orgs.c.id).limit(1))
_DISTRICT_HR = Query(sa.select(orgs.c.id).where(orgs.c.type == "district_hr", orgs.c.district == sa.bindparam("d")))


# --------------------------------------------------------------------------- registration

async def register(deps, data, *, ip: str) -> dict:
    """Anonymous registration: the input's own checks, then the SMS code, then the uniqueness checks,
    then one transaction for the org, its registration and its pending staff account. A rejected
    registration may be sent again, corrected, from the same contact phone."""
    if not valid_credit_code(data.credit_code):
        raise errors.field_error("credit_code", "统一社会信用代码不正确，请核对18位代码")
    problem = password_problem(data.password)
    if problem:
        raise errors.field_error("password", problem)
    db = deps.db
    district_hr = await db.fetchval(_DISTRICT_HR, {"d": data.district})
    if district_hr is None:
        raise errors.DistrictUnknown(details={"district": data.district})
    approver = await db.fetchval(_CITY_HR) if data.is_city_level else district_hr
    # the code first: who has not proved the phone learns nothing about usernames or registrations
    await auth_service.verify_sms_code(deps, phone=data.contact_phone, code=data.sms_code, purpose=SMS_PURPOSE)
    existing = await db.fetchone(sa.select(employers).where(employers.c.credit_code == data.credit_code))
    if existing is not None and not (existing["status"] == "rejected"
                                     and existing["contact_phone"] == data.contact_phone):
        raise errors.EmployerExists()
    staff_id = existing and await db.fetchval(sa.select(accounts.c.id).where(
        accounts.c.org_id == existing["org_id"], accounts.c.roles == "employer").order_by(accounts.c.id).limit(1))
    taken = await db.fetchval(sa.select(accounts.c.id).where(accounts.c.username == data.username))
    if taken and taken != staff_id:
        raise errors.UsernameTaken("该用户名已被使用，请换一个")
    now = deps.clock()
    pw = hash_password(data.password)
    try:
        async with db.transaction() as tx:
            if existing is not None:
                org_id = await _resubmit(tx, existing["org_id"], staff_id, data, approver, pw, now)
            else:
                org_id = await _create(tx, data, approver, pw, now)
            await events.record(tx, event.employer_registered(org_id=org_id, name=data.name, approver_org_id=approver),
                                now=now)
    except IntegrityError:  # a concurrent registration took the credit code or the username
        raise errors.EmployerExists("该单位或用户名已注册，请勿重复提交") from None
    return {"id": str(org_id), "status": "pending"}


async def _create(tx, data, approver: int, pw: str, now: dt.datetime) -> int:
    for _ in range(5):
        code = new_link_code()
        if await tx.fetchval(sa.select(orgs.c.id).where(orgs.c.association_code == code)) is None:
            break
    org_id = await tx.insert(orgs, dict(code=f"emp_{data.credit_code}", type="employer", name=data.name,
                                        district=data.district, is_city_level=data.is_city_level,
                                        association_code=code, fixed_route=False, created_at=now))
    await tx.insert(employers, dict(org_id=org_id, credit_code=data.credit_code, contact_name=data.contact_name,
                                    contact_phone=data.contact_phone, status="pending",
                                    approver_org_id=approver, version=1, created_at=now, updated_at=now))
    await tx.insert(accounts, dict(username=data.username, name=data.contact_name, roles="employer",
                                   org_id=org_id, password_hash=pw, password_changed_at=now,
                                   status="pending", failed_logins=0, version=1, created_at=now, updated_at=now))
    return org_id


async def _resubmit(tx, org_id: int, staff_id: int | None, data, approver: int, pw: str, now: dt.datetime) -> int:
    """退回修改 (seed 002 §2.4.4): a rejected registration, corrected by the same contact phone, is
    pending again with the new details; the guard on `rejected` makes a racing resubmission lose."""
    res = await tx.execute(employers.update().where(employers.c.org_id == org_id, employers.c.status == "rejected")
                           .values(contact_name=data.contact_name, status="pending", approver_org_id=approver,
                                   opinion=None, decided_by=None, decided_at=None,
                                   version=employers.c.version + 1, updated_at=now))
    if res.rowcount != 1:
        raise errors.EmployerExists()
    await tx.execute(orgs.update().where(orgs.c.id == org_id).values(
        name=data.name, district=data.district, is_city_level=data.is_city_level))
    staff = dict(username=data.username, name=data.contact_name, password_hash=pw, password_changed_at=now,
                 status="pending", failed_logins=0, locked_until=None, updated_at=now)
    if staff_id:
        await tx.execute(accounts.update().where(accounts.c.id == staff_id).values(
            version=accounts.c.version + 1, **staff))
    else:
        await tx.insert(accounts, dict(roles="employer", org_id=org_id, version=1, created_at=now, **staff))
    return org_id


# --------------------------------------------------------------------------- approval (HR bureaus, admin)

def _employer_view(row: dict) -> dict:
    return {"id": str(row["org_id"]), "name": row["name"], "credit_code": row["credit_code"],
            "district": row["district"], "is_city_level": bool(row["is_city_level"]),
            "association_code": row["association_code"] if row["status"] == "active" else None,
            "contact_name": row["contact_name"], "contact_phone_masked": mask_phone(row["contact_phone"]),
            "status": row["status"], "status_name": STATUS_ZH.get(row["status"], row["status"]),
            "approver_org_id": str(row["approver_org_id"]), "opinion": row["opinion"],
            "decided_by": row["decided_by"], "decided_at": iso(row["decided_at"]), "version": row["version"],
            "created_at": iso(row["created_at"])}


_REGISTRATIONS = sa.select(employers, orgs.c.name, orgs.c.district, orgs.c.is_city_level,
                           orgs.c.association_code).select_from(employers.join(orgs, orgs.c.id == employers.c.org_id))


def _scope(stmt, principal):
    """Administrators see every registration; a reviewer only those their own org approves."""
    if principal.has("admin"):
        return stmt
    return stmt.where(employers.c.approver_org_id == (principal.org_id or -1))


async def list_employers(db, principal, *, status: str | None, cursor: int | None, limit: int) -> dict:
    stmt = _scope(_REGISTRATIONS, principal).order_by(employers.c.org_id.desc()).limit(limit + 1)
    if status:
        stmt = stmt.where(employers.c.status == status)
    if cursor:
        stmt = stmt.where(employers.c.org_id < cursor)
    rows = [dict(r, id=r["org_id"]) for r in await db.fetchall(stmt)]
    return keyset_page(rows, limit, _employer_view)


_TRANSITIONS = {"approve": (("pending", "disabled"), "active"), "reject": (("pending",), "rejected"),
                "disable": (("active",), "disabled")}


async def act_on_employer(deps, principal, org_id: int, action: str, opinion: str) -> dict:
    """approve: the registration is 入库 and its staff accounts are enabled; reject (with a reason);
    disable: the staff accounts are disabled and their sessions end at once."""
    opinion = opinion.strip()  # given for reject: handlers.EmployerActionIn
    now = deps.clock()
    async with deps.db.transaction() as tx:
        row = await tx.fetchone(_scope(_REGISTRATIONS, principal).where(employers.c.org_id == org_id)
                                .with_for_update())
        if row is None:
            raise errors.NotFound("单位不存在")
        allowed_from, to = _TRANSITIONS[action]
        if row["status"] not in allowed_from:
            raise errors.InvalidTransition(f"单位当前状态为“{STATUS_ZH.get(row['status'])}”，不能执行此操作")
        await tx.execute(employers.update().where(employers.c.org_id == org_id).values(
            status=to, opinion=opinion or ("同意" if action == "approve" else None), decided_by=principal.name,
            decided_at=now, version=employers.c.version + 1, updated_at=now))
        staff = sa.select(accounts.c.id).where(accounts.c.org_id == org_id, accounts.c.roles == "employer")
        ids = [r["id"] for r in await tx.fetchall(staff)]
        if ids:
            await tx.execute(accounts.update().where(accounts.c.id.in_(ids)).values(
                status="active" if to == "active" else "disabled", updated_at=now, version=accounts.c.version + 1))
            if to != "active":
                await tx.execute(sessions.update().where(sessions.c.account_id.in_(ids),
                                                         sessions.c.revoked_at.is_(None)).values(revoked_at=now))
        await events.record(tx, event.employer_status_changed(org_id=org_id, status=to, staff_ids=ids,
                                                              approver_org_id=row["approver_org_id"]), now=now)
        row = await tx.fetchone(_REGISTRATIONS.where(employers.c.org_id == org_id))
    return _employer_view(row)


async def profile(db, principal) -> dict:
    """The employer staff's own employer, with the 关联代码 to hand to its people."""
    row = await db.fetchone(_REGISTRATIONS.where(employers.c.org_id == (principal.org_id or -1)))
    if row is None:
        raise errors.NotFound("单位不存在")
    return _employer_view(row)


# --------------------------------------------------------------------------- holder side: 关联单位

async def lookup(deps, code: str, *, who: str) -> dict:
    """The active employer behind a 关联代码. Each caller has a bounded number of look-ups, so the
    codes cannot be walked."""
    retry = await ratelimit_hit(deps, f"emplookup:{who}")
    if retry:
        raise errors.RateLimited(retry)
    row = await deps.db.fetchone(_BY_LINK_CODE, {"code": code})
    if row is None:
        raise errors.NotFound("未找到该关联代码对应的单位，请核对后重新输入")
    return {"id": str(row["id"]), "name": row["name"]}


async def ratelimit_hit(deps, key: str) -> int | None:
    from server.auth import ratelimit

    return await ratelimit.hit(deps.db, key, limit=LOOKUPS_PER_WINDOW, window=LOOKUP_WINDOW, now=deps.clock())


LOOKUPS_PER_WINDOW = 30
LOOKUP_WINDOW = dt.timedelta(minutes=10)


def _link_view(row: dict, *, holder: dict | None = None) -> dict:
    out = {"id": str(row["id"]), "status": row["status"], "status_name": LINK_STATUS_ZH.get(row["status"]),
           "employer": {"id": str(row["employer_org_id"]), "name": row["employer_name"]},
           "opinion": row["opinion"], "decided_by": row["decided_by"], "decided_at": iso(row["decided_at"]),
           "created_at": iso(row["created_at"]), "version": row["version"]}
    if holder is not None:
        out["holder"] = holder
    return out


async def request_link(deps, holder_id: int, code: str) -> dict:
    row = await deps.db.fetchone(_BY_LINK_CODE, {"code": code})
    if row is None:
        raise errors.NotFound("未找到该关联代码对应的单位，请核对后重新输入")
    now = deps.clock()
    try:
        async with deps.db.transaction() as tx:
            link_id = await tx.insert(employer_links, dict(
                holder_id=holder_id, employer_org_id=row["id"], status="pending", live_holder_id=holder_id,
                version=1, created_at=now, updated_at=now))
            await events.record(tx, event.employer_link_requested(link_id=link_id, employer_org_id=row["id"]), now=now)
    except IntegrityError:
        raise errors.EmployerLinkExists() from None
    return {"id": str(link_id), "status": "pending", "employer": {"id": str(row["id"]), "name": row["name"]}}


async def my_link(db, holder_id: int) -> dict:
    """The holder's latest link request (pending, approved, or how the last one ended), or none."""
    row = await db.fetchone(_LIVE_LINK, {"holder_id": holder_id})
    return {"link": _link_view(row) if row else None}


async def cancel_link(deps, holder_id: int) -> dict:
    """The holder withdraws a pending request or leaves the employer."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        row = await tx.fetchone(sa.select(employer_links).where(employer_links.c.live_holder_id == holder_id)
                                .with_for_update())
        if row is None:
            raise errors.NotFound("您没有待确认或已生效的单位关联")
        await tx.execute(employer_links.update().where(employer_links.c.id == row["id"]).values(
            status="cancelled", live_holder_id=None, updated_at=now, version=employer_links.c.version + 1))
        if row["status"] == "approved":
            await tx.execute(holder_profiles.update().where(
                holder_profiles.c.account_id == holder_id,
                holder_profiles.c.employer_org_id == row["employer_org_id"]).values(employer_org_id=None, updated_at=now))
    return await my_link(deps.db, holder_id)


async def approved_employer(tx, holder_id: int) -> dict | None:
    """The active employer the holder is linked to (approved by its staff), for routing and prefill."""
    return await tx.fetchone(_APPROVED_EMPLOYER, {"holder_id": holder_id})


# --------------------------------------------------------------------------- employer staff: link requests

_LINKS = sa.select(employer_links, orgs.c.name.label("employer_name"), accounts.c.name.label("holder_name"),
                   accounts.c.phone.label("holder_phone")).select_from(
    employer_links.join(orgs, orgs.c.id == employer_links.c.employer_org_id)
    .join(accounts, accounts.c.id == employer_links.c.holder_id))


def _staff_link_view(row: dict) -> dict:
    return _link_view(row, holder={"id": str(row["holder_id"]), "name": row["holder_name"],
                                   "phone_masked": mask_phone(row["holder_phone"])})


async def list_links(db, principal, *, status: str | None, cursor: int | None, limit: int) -> dict:
    stmt = _LINKS.where(employer_links.c.employer_org_id == (principal.org_id or -1)) \
        .order_by(employer_links.c.id.desc()).limit(limit + 1)
    if status:
        stmt = stmt.where(employer_links.c.status == status)
    if cursor:
        stmt = stmt.where(employer_links.c.id < cursor)
    return keyset_page(await db.fetchall(stmt), limit, _staff_link_view)


async def act_on_link(deps, principal, link_id: int, action: str, opinion: str) -> dict:
    """The employer's staff confirm (approve) or refuse (reject, with a reason) a pending request of
    their own employer; an approved link also becomes the holder profile's employer."""
    opinion = opinion.strip()  # given for reject: handlers.LinkActionIn
    now = deps.clock()
    async with deps.db.transaction() as tx:
        row = await tx.fetchone(sa.select(employer_links).where(
            employer_links.c.id == link_id, employer_links.c.employer_org_id == (principal.org_id or -1))
            .with_for_update())
        if row is None:
            raise errors.NotFound("关联申请不存在")
        if row["status"] != "pending":
            raise errors.InvalidTransition("该关联申请已处理")
        values = dict(status="approved" if action == "approve" else "rejected", opinion=opinion or "同意",
                      decided_by=principal.name, decided_at=now, updated_at=now, version=employer_links.c.version + 1)
        if action == "reject":
            values["live_holder_id"] = None
        await tx.execute(employer_links.update().where(employer_links.c.id == link_id).values(**values))
        if action == "approve":
            holder = row["holder_id"]
            if await tx.fetchval(sa.select(holder_profiles.c.account_id).where(holder_profiles.c.account_id == holder)):
                await tx.execute(holder_profiles.update().where(holder_profiles.c.account_id == holder).values(
                    employer_org_id=row["employer_org_id"], updated_at=now))
            else:
                await tx.insert(holder_profiles, dict(account_id=holder, employer_org_id=row["employer_org_id"],
                                                      sync_version=0, updated_at=now))
        await events.record(tx, event.employer_link_updated(link_id=link_id, status=values["status"],
                                                            holder_id=row["holder_id"],
                                                            employer_org_id=row["employer_org_id"]), now=now)
        row = await tx.fetchone(_LINKS.where(employer_links.c.id == link_id))
    return _staff_link_view(row)
