"""Venues (服务场所) for administrators: create and edit a venue and the on-site services it offers,
give it staff accounts, and print its guide poster.

A venue is also an org of type `venue`: its clerks are accounts with the role `venue_staff` whose
`org_id` is that org, which is how a scan knows where it happens.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets

import sqlalchemy as sa

from server import errors
from server.accounts.passwords import hash_password, password_problem
from server.accounts.service import user_payload
from server.core.timeutil import iso
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, orgs, services, venue_services, venues
from server.events import catalog as event
from server.events import log as events
from server.onsite import poster, venue_code

_VENUE = Query(sa.select(venues).where(venues.c.id == sa.bindparam("id")))
_PAGE = Query(sa.select(venues).where(venues.c.id < sa.bindparam("before")).order_by(venues.c.id.desc())
              .limit(sa.bindparam("n")))
_STAFF = Query(sa.select(accounts.c.id, accounts.c.username, accounts.c.name, accounts.c.roles, accounts.c.phone,
                         accounts.c.status, accounts.c.created_at)
               .where(accounts.c.org_id == sa.bindparam("org"), accounts.c.roles.contains("venue_staff"))
               .order_by(accounts.c.id))
_BY_USERNAME = Query(sa.select(accounts.c.id).where(accounts.c.username == sa.bindparam("u")))
_BY_PHONE = Query(sa.select(accounts.c.id).where(accounts.c.phone == sa.bindparam("p")))
_FAR = 2**62




async def _services_of(db, venue_ids: list[int]) -> dict[int, list[dict]]:
    if not venue_ids:
        return {}
    rows = await db.fetchall(
        sa.select(venue_services.c.venue_id, services.c.id, services.c.name, services.c.eligible_levels,
                  services.c.quota_per_year)
        .select_from(venue_services.join(services, services.c.id == venue_services.c.service_id))
        .where(venue_services.c.venue_id.in_(venue_ids))
        .order_by(services.c.sort, services.c.id))
    out: dict[int, list[dict]] = {v: [] for v in venue_ids}
    for r in rows:
        out[r["venue_id"]].append({"id": str(r["id"]), "name": r["name"], "eligible_levels": r["eligible_levels"],
                                   "quota_per_year": r["quota_per_year"]})
    return out


async def _staff_counts(db, org_ids: list[int]) -> dict[int, int]:
    if not org_ids:
        return {}
    rows = await db.fetchall(
        sa.select(accounts.c.org_id, sa.func.count().label("n"))
        .where(accounts.c.org_id.in_(org_ids), accounts.c.roles.contains("venue_staff"))
        .group_by(accounts.c.org_id))
    return {r["org_id"]: r["n"] for r in rows}


def _view(v: dict, svcs: list[dict], staff_count: int, config) -> dict:
    code = venue_code.issue(v["id"], config.qr_keys, config.qr_active_key)
    return {
        "id": str(v["id"]), "name": v["name"], "type": v["type"], "district": v["district"], "address": v["address"],
        "status": v["status"], "org_id": str(v["org_id"]), "services": svcs, "staff_count": staff_count,
        "checkin_url": venue_code.poster_url(config.public_base_url, code),
        "created_at": iso(v["created_at"]), "updated_at": iso(v["updated_at"]),
    }


async def _load(db, venue_id: int) -> dict:
    v = await db.fetchone(_VENUE, {"id": venue_id})
    if v is None:
        raise errors.NotFound("服务场所不存在")
    return v


async def get_venue(deps, venue_id: int) -> dict:
    """One venue with its services, staff count and check-in URL."""
    v = await _load(deps.db, venue_id)
    svcs = await _services_of(deps.db, [v["id"]])
    counts = await _staff_counts(deps.db, [v["org_id"]])
    return _view(v, svcs[v["id"]], counts.get(v["org_id"], 0), deps.config)


async def list_venues(deps, *, cursor: int | None, limit: int) -> dict:
    """Venues, newest first, with their services."""
    rows = await deps.db.fetchall(_PAGE, {"before": cursor or _FAR, "n": limit + 1})
    more = len(rows) > limit
    rows = rows[:limit]
    svcs = await _services_of(deps.db, [r["id"] for r in rows])
    counts = await _staff_counts(deps.db, [r["org_id"] for r in rows])
    return {"items": [_view(r, svcs[r["id"]], counts.get(r["org_id"], 0), deps.config) for r in rows],
            "next_cursor": str(rows[-1]["id"]) if more and rows else None}


async def _check_services(tx, service_ids: list[int]) -> None:
    if not service_ids:
        return
    found = {r["id"] for r in await tx.fetchall(
        sa.select(services.c.id).where(services.c.id.in_(service_ids), services.c.category == "onsite"))}
    bad = [str(s) for s in service_ids if s not in found]
    if bad:
        msg = "以下服务不存在或不是现场服务：" + "、".join(bad)
        raise errors.field_error("service_ids", msg)


async def _set_services(tx, venue_id: int, service_ids: list[int]) -> None:
    await tx.execute(venue_services.delete().where(venue_services.c.venue_id == venue_id))
    await tx.insert_many(venue_services, [{"venue_id": venue_id, "service_id": s} for s in service_ids])


async def create_venue(deps, data, *, now: dt.datetime) -> dict:
    """A new venue (and its org) offering the given on-site services."""
    async with deps.db.transaction() as tx:
        await _check_services(tx, data.service_ids)
        org_id = await tx.insert(orgs, dict(code=f"venue_{secrets.token_hex(6)}", type="venue", name=data.name,
                                            district=data.district, is_city_level=False, fixed_route=False,
                                            created_at=now))
        venue_id = await tx.insert(venues, dict(org_id=org_id, name=data.name, type=data.type, district=data.district,
                                                address=data.address, status="active", created_at=now, updated_at=now))
        await _set_services(tx, venue_id, data.service_ids)
        await events.record(tx, event.venue_created(venue_id=venue_id, name=data.name), now=now)
    return await get_venue(deps, venue_id)


async def update_venue(deps, venue_id: int, data, *, now: dt.datetime) -> dict:
    """Change a venue's fields and, when given, replace the set of services it offers."""
    changes = data.model_dump(exclude_unset=True, exclude={"service_ids"})
    for key in ("name", "type", "status"):  # these cannot be cleared; an explicit null leaves them as they are
        if key in changes and changes[key] is None:
            del changes[key]
    async with deps.db.transaction() as tx:
        v = await tx.fetchone(_VENUE, {"id": venue_id})
        if v is None:
            raise errors.NotFound("服务场所不存在")
        if data.service_ids is not None:
            await _check_services(tx, data.service_ids)
            await _set_services(tx, venue_id, data.service_ids)
        await tx.execute(venues.update().where(venues.c.id == venue_id).values(**changes, updated_at=now))
        if changes.get("name") or "district" in changes:
            await tx.execute(orgs.update().where(orgs.c.id == v["org_id"]).values(
                **{k: changes[k] for k in ("name", "district") if k in changes}))
        fields = sorted(changes) + (["service_ids"] if data.service_ids is not None else [])
        await events.record(tx, event.venue_updated(venue_id=venue_id, org_id=v["org_id"], fields=fields), now=now)
    return await get_venue(deps, venue_id)


def _staff_view(r: dict, venue_id: int) -> dict:
    return {**user_payload(r), "username": r["username"], "status": r["status"], "venue_id": str(venue_id),
            "created_at": iso(r["created_at"])}


async def list_staff(deps, venue_id: int) -> dict:
    """The venue's clerk accounts."""
    v = await _load(deps.db, venue_id)
    rows = await deps.db.fetchall(_STAFF, {"org": v["org_id"]})
    return {"items": [_staff_view(r, v["id"]) for r in rows], "next_cursor": None}


async def add_staff(deps, venue_id: int, data, *, now: dt.datetime) -> dict:
    """A venue_staff account tied to the venue, with an initial password (hashed off the event loop)."""
    v = await _load(deps.db, venue_id)
    problem = password_problem(data.password)
    if problem:
        raise errors.field_error("password", problem)
    if await deps.db.fetchone(_BY_USERNAME, {"u": data.username}):
        raise errors.UsernameTaken()
    if data.phone and await deps.db.fetchone(_BY_PHONE, {"p": data.phone}):
        raise errors.PhoneInUse()
    pw_hash = await asyncio.get_running_loop().run_in_executor(deps.executor, hash_password, data.password)
    async with deps.db.transaction() as tx:
        try:
            account_id = await tx.insert(accounts, dict(
                username=data.username, name=data.name, phone=data.phone, roles="venue_staff", org_id=v["org_id"],
                password_hash=pw_hash, password_changed_at=now, status="active", failed_logins=0, version=1,
                created_at=now, updated_at=now))
        except IntegrityError:
            raise errors.UsernameTaken("该用户名或手机号已被使用") from None
        await events.record(tx, event.account_created(account_id=account_id, roles=["venue_staff"], venue_id=v["id"]),
                            now=now)
    row = {"id": account_id, "username": data.username, "name": data.name, "roles": "venue_staff",
           "phone": data.phone, "status": "active", "created_at": now}
    return _staff_view(row, v["id"])


async def poster_png(deps, venue_id: int) -> tuple[bytes, str]:
    """The venue's guide poster as PNG (drawn in the executor) and a file name for it."""
    v = await _load(deps.db, venue_id)
    svcs = (await _services_of(deps.db, [v["id"]]))[v["id"]]
    cfg = deps.config
    code = venue_code.issue(v["id"], cfg.qr_keys, cfg.qr_active_key)
    png = await asyncio.get_running_loop().run_in_executor(deps.executor, lambda: poster.draw_poster(
        venue_name=v["name"], service_names=[s["name"] for s in svcs], url=venue_code.poster_url(cfg.public_base_url, code),
        code=code))
    return png, f"{v['name']}-引导图.png"
