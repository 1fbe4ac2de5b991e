"""The green-channel catalog (SPEC §5, seed 002 §4.4–4.5): services, service windows, districts.

Public reads show active rows only; administrators see and change every row. Each change is one
transaction with its event (`service.*`, `window.*`) for the administrators' live view and the PC side.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from server import errors
from server.catalog.schemas import CATEGORY_NAMES, SERVICE_REQUIRED, STEPS, WINDOW_ORG_TYPES, WINDOW_REQUIRED
from server.core.timeutil import iso
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, orgs, services, venue_services, venues, window_services, window_staff, windows
from server.events import catalog as event
from server.events import log as events

# --------------------------------------------------------------------------- statements

_S = services.c
_W = windows.c

_SERVICE = Query(sa.select(services).where(_S.id == sa.bindparam("id")))
_SERVICE_LOCK = Query(sa.select(services).where(_S.id == sa.bindparam("id")).with_for_update())
_ACTIVE_SERVICES = Query(sa.select(services).where(_S.status == "active").order_by(_S.sort, _S.id))
# served by ix_services_category (category, status, sort)
_ACTIVE_SERVICES_OF = Query(
    sa.select(services).where(_S.category == sa.bindparam("category"), _S.status == "active").order_by(_S.sort, _S.id)
)
_CODE_TAKEN = Query(sa.select(_S.id).where(_S.code == sa.bindparam("code"), _S.id != sa.bindparam("id")))
_MAX_SORT = Query(sa.select(sa.func.max(_S.sort)))

_WINDOW_COLS = [windows, orgs.c.name.label("org_name")]
_WINDOW_FROM = windows.join(orgs, orgs.c.id == _W.org_id)
_WINDOW = Query(sa.select(*_WINDOW_COLS).select_from(_WINDOW_FROM).where(_W.id == sa.bindparam("id")))
_WINDOW_LOCK = Query(sa.select(windows).where(_W.id == sa.bindparam("id")).with_for_update())
_WINDOW_ORDER = (_W.is_city.desc(), _W.id)
# the handling windows of one service: ix_window_services_service, then the windows' primary key
_WINDOWS_OF_SERVICE = Query(
    sa.select(*_WINDOW_COLS)
    .select_from(_WINDOW_FROM.join(window_services, window_services.c.window_id == _W.id))
    .where(window_services.c.service_id == sa.bindparam("service_id"), _W.status == "active")
    .order_by(*_WINDOW_ORDER)
)
_VENUES_OF_SERVICE = Query(
    sa.select(venues.c.id, venues.c.name, venues.c.type, venues.c.district, venues.c.address)
    .select_from(venues.join(venue_services, venue_services.c.venue_id == venues.c.id))
    .where(venue_services.c.service_id == sa.bindparam("service_id"), venues.c.status == "active")
    .order_by(venues.c.id)
)
_SERVICES_OF_WINDOW = Query(
    sa.select(_S.id, _S.name, _S.category, _S.status)
    .select_from(services.join(window_services, window_services.c.service_id == _S.id))
    .where(window_services.c.window_id == sa.bindparam("window_id"))
    .order_by(_S.sort, _S.id)
)
_STAFF_OF_WINDOW = Query(
    sa.select(accounts.c.id, accounts.c.name, accounts.c.username)
    .select_from(accounts.join(window_staff, window_staff.c.account_id == accounts.c.id))
    .where(window_staff.c.window_id == sa.bindparam("window_id"))
    .order_by(accounts.c.id)
)
_DISTRICTS = Query(
    sa.select(_W.district, sa.func.count().label("window_count"))
    .where(_W.status == "active")
    .group_by(_W.district)
    .order_by(sa.func.min(_W.id))
)
_ORG = Query(sa.select(orgs.c.id, orgs.c.type).where(orgs.c.id == sa.bindparam("id")))


# --------------------------------------------------------------------------- views

def service_view(row: dict) -> dict:
    """A service as holders see it."""
    return {
        "id": str(row["id"]),
        "code": row["code"],
        "name": row["name"],
        "category": row["category"],
        "category_name": CATEGORY_NAMES.get(row["category"], row["category"]),
        "description": row["description"],
        "eligible_levels": [lv for lv in row["eligible_levels"].split(",") if lv],
        "quota_per_year": row["quota_per_year"],
        "step_limits": json.loads(row["step_limits"]) if row["step_limits"] else None,
        "step_limit_unit": row["step_limit_unit"],
    }


def _service_admin_view(row: dict) -> dict:
    return {**service_view(row), "status": row["status"], "sort": row["sort"],
            "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"])}


def window_view(row: dict) -> dict:
    """A service window as holders see it; its phone is a public office number, never masked."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "org_id": str(row["org_id"]),
        "org_name": row["org_name"],
        "district": row["district"],
        "is_city": bool(row["is_city"]),
        "contact_name": row["contact_name"],
        "phone": row["phone"],
        "address": row["address"],
        "hours": row["hours"],
    }


# --------------------------------------------------------------------------- public reads

async def list_services(db, category: str | None) -> dict:
    """Active services, optionally of one category, in display order."""
    if category:
        rows = await db.fetchall(_ACTIVE_SERVICES_OF, {"category": category})
    else:
        rows = await db.fetchall(_ACTIVE_SERVICES)
    return {"items": [service_view(r) for r in rows], "next_cursor": None}


async def get_service(db, service_id: int) -> dict:
    """One active service with the active windows that handle it (services handled at windows) or
    the active venues that offer it (on-site services)."""
    row = await db.fetchone(_SERVICE, {"id": service_id})
    if row is None or row["status"] != "active":
        raise errors.NotFound("服务不存在或已停用")
    out = service_view(row)
    out["windows"], out["venues"] = [], []
    if row["category"] == "onsite":
        out["venues"] = [{"id": str(v["id"]), "name": v["name"], "type": v["type"], "district": v["district"],
                          "address": v["address"]} for v in await db.fetchall(_VENUES_OF_SERVICE, {"service_id": row["id"]})]
    else:
        out["windows"] = [window_view(w) for w in await db.fetchall(_WINDOWS_OF_SERVICE, {"service_id": row["id"]})]
    return out


_window_shapes: dict[tuple, Query] = {}


def _windows_query(district: bool, service: bool, status: bool) -> Query:
    """The window list statement for one combination of filters, built and compiled once."""
    key = (district, service, status)
    q = _window_shapes.get(key)
    if q is None:
        stmt = sa.select(*_WINDOW_COLS).select_from(_WINDOW_FROM).order_by(*_WINDOW_ORDER)
        if status:
            stmt = stmt.where(_W.status == sa.bindparam("status"))
        if district:
            stmt = stmt.where(_W.district == sa.bindparam("district"))  # ix_windows_district
        if service:
            # ix_window_services_service
            stmt = stmt.where(_W.id.in_(sa.select(window_services.c.window_id)
                                        .where(window_services.c.service_id == sa.bindparam("service_id"))))
        q = _window_shapes[key] = Query(stmt)
    return q


async def _windows(db, district: str | None, service_id: int | None, status: str | None) -> list[dict]:
    q = _windows_query(bool(district), service_id is not None, bool(status))
    return await db.fetchall(q, {"district": district, "service_id": service_id, "status": status})


async def list_windows(db, district: str | None, service_id: int | None) -> dict:
    """Active windows, optionally of one district and/or handling one service; the city window first."""
    rows = await _windows(db, district, service_id, "active")
    return {"items": [window_view(r) for r in rows], "next_cursor": None}


async def get_window(db, window_id: int) -> dict:
    """One active window with the active services it handles."""
    row = await db.fetchone(_WINDOW, {"id": window_id})
    if row is None or row["status"] != "active":
        raise errors.NotFound("服务窗口不存在或已停用")
    out = window_view(row)
    out["services"] = [{"id": str(s["id"]), "name": s["name"], "category": s["category"],
                        "category_name": CATEGORY_NAMES.get(s["category"], s["category"])}
                       for s in await db.fetchall(_SERVICES_OF_WINDOW, {"window_id": window_id}) if s["status"] == "active"]
    return out


async def list_districts(db) -> dict:
    """The districts that have active windows, for pickers, in the order their windows were set up."""
    rows = await db.fetchall(_DISTRICTS)
    return {"items": [{"name": r["district"], "window_count": int(r["window_count"])} for r in rows],
            "next_cursor": None}


# --------------------------------------------------------------------------- administration: services

async def admin_list_services(db, category: str | None, status: str | None) -> dict:
    """Every service (both statuses unless filtered) for the administrators' catalog page."""
    stmt = sa.select(services).order_by(_S.sort, _S.id)
    if category:
        stmt = stmt.where(_S.category == category)
    if status:
        stmt = stmt.where(_S.status == status)
    return {"items": [_service_admin_view(r) for r in await db.fetchall(stmt)], "next_cursor": None}


async def admin_get_service(db, service_id: int) -> dict:
    """One service, whatever its status."""
    row = await db.fetchone(_SERVICE, {"id": service_id})
    if row is None:
        raise errors.NotFound("服务不存在")
    return _service_admin_view(row)


def check_service(values: dict) -> None:
    """Rules across fields: windows need the three step time limits (预约服务), only on-site services
    have a yearly quota, and on-site services have no step limits."""
    fields = {}
    category = values["category"]
    if category == "appointment" and not values.get("step_limits"):
        fields["step_limits"] = "预约服务须设置待受理、待预审、待办结各环节的办理时限（小时）"
    if category == "onsite" and values.get("step_limits"):
        fields["step_limits"] = "现场服务不设办理时限"
    limits = values.get("step_limits") or {}
    if values.get("step_limit_unit") == "working_days" and any(v > 366 for v in limits.values()):
        fields["step_limits"] = "以工作日计的办理时限不能超过366个工作日"
    if category != "onsite" and values.get("quota_per_year") is not None:
        fields["quota_per_year"] = "仅现场服务可设置年度使用次数"
    if fields:
        raise errors.InvalidRequest.fields(fields, errors.CHECK_FIELDS)


def _service_row(values: dict) -> dict:
    limits = values.get("step_limits")
    return {
        "code": values["code"], "name": values["name"], "category": values["category"],
        "description": values["description"], "eligible_levels": ",".join(values["eligible_levels"]),
        "quota_per_year": values.get("quota_per_year"),
        "step_limits": json.dumps({k: limits[k] for k in STEPS}) if limits else None,
        "step_limit_unit": values.get("step_limit_unit") or "hours",
        "status": values["status"], "sort": values["sort"],
    }


async def create_service(deps, values: dict[str, Any], actor_id: int) -> dict:
    """Add a service. `values` is a validated `ServiceIn` dump; a taken code answers 409."""
    check_service(values)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        if await tx.fetchone(_CODE_TAKEN, {"code": values["code"], "id": 0}):
            raise errors.DuplicateCode()
        if values.get("sort") is None:
            values = {**values, "sort": ((await tx.fetchval(_MAX_SORT)) or 0) + 1}
        try:
            service_id = await tx.insert(services, {**_service_row(values), "created_at": now, "updated_at": now})
        except IntegrityError:
            raise errors.DuplicateCode() from None
        row = await tx.fetchone(_SERVICE, {"id": service_id})
        await events.record(tx, event.service_created(row, by=actor_id), now=now)
    return _service_admin_view(row)


def _null_refused(changes: dict, required: tuple[str, ...]) -> None:
    nulls = {k: "不能为空" for k in required if k in changes and changes[k] is None}
    if nulls:
        raise errors.InvalidRequest.fields(nulls, errors.CHECK_FIELDS)


async def update_service(deps, service_id: int, changes: dict[str, Any], actor_id: int) -> dict:
    """Change the fields sent (`ServiceUpdate` dump with unset fields left out); deactivate with
    `status: "inactive"`. The merged service must pass the same rules as a new one."""
    _null_refused(changes, SERVICE_REQUIRED)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        current = await tx.fetchone(_SERVICE_LOCK, {"id": service_id})
        if current is None:
            raise errors.NotFound("服务不存在")
        merged = {**_service_admin_view(current), **changes}
        if (merged["category"] == "onsite") != (current["category"] == "onsite"):
            # on-site services live at venues, the others at windows: their links would not fit
            raise errors.field_error("category", "现场服务与窗口办理的服务不能互相转换，请新建服务", errors.CHECK_FIELDS)
        check_service(merged)
        if "code" in changes and await tx.fetchone(_CODE_TAKEN, {"code": merged["code"], "id": service_id}):
            raise errors.DuplicateCode()
        try:
            await tx.execute(services.update().where(_S.id == service_id)
                             .values(**_service_row(merged), updated_at=now))
        except IntegrityError:
            raise errors.DuplicateCode() from None
        row = await tx.fetchone(_SERVICE, {"id": service_id})
        await events.record(tx, event.service_updated(row, fields=changes, by=actor_id), now=now)
    return _service_admin_view(row)


# --------------------------------------------------------------------------- administration: windows

async def _window_admin_view(db_or_tx, row: dict) -> dict:
    out = window_view(row)
    out["status"] = row["status"]
    out["services"] = [{"id": str(s["id"]), "name": s["name"], "category": s["category"], "status": s["status"]}
                       for s in await db_or_tx.fetchall(_SERVICES_OF_WINDOW, {"window_id": row["id"]})]
    out["service_ids"] = [s["id"] for s in out["services"]]
    out["staff"] = [{"id": str(a["id"]), "name": a["name"], "username": a["username"]}
                    for a in await db_or_tx.fetchall(_STAFF_OF_WINDOW, {"window_id": row["id"]})]
    out["staff_account_ids"] = [a["id"] for a in out["staff"]]
    out["created_at"], out["updated_at"] = iso(row["created_at"]), iso(row["updated_at"])
    return out


async def admin_list_windows(db, district: str | None, service_id: int | None, status: str | None) -> dict:
    """Every window (both statuses unless filtered) for the administrators."""
    rows = await _windows(db, district, service_id, status)
    return {"items": [{**window_view(r), "status": r["status"]} for r in rows], "next_cursor": None}


async def admin_get_window(db, window_id: int) -> dict:
    """One window, whatever its status, with its services and staff."""
    row = await db.fetchone(_WINDOW, {"id": window_id})
    if row is None:
        raise errors.NotFound("服务窗口不存在")
    return await _window_admin_view(db, row)


async def _check_window_refs(tx, values: dict) -> None:
    """The org runs windows, the services exist and are handled at windows, the staff are window staff."""
    fields = {}
    if "org_id" in values:
        org = await tx.fetchone(_ORG, {"id": int(values["org_id"])})
        if org is None or org["type"] not in WINDOW_ORG_TYPES:
            fields["org_id"] = "所属单位不存在，或不是人社部门、市直主管部门"
    ids = [int(i) for i in dict.fromkeys(values.get("service_ids") or [])]
    if ids:
        found = {r["id"]: r for r in await tx.fetchall(
            sa.select(_S.id, _S.category).where(_S.id.in_(ids)))}
        if len(found) != len(ids):
            fields["service_ids"] = "服务不存在：" + "、".join(str(i) for i in ids if i not in found)
        elif any(r["category"] == "onsite" for r in found.values()):
            fields["service_ids"] = "现场服务在服务场所提供，不能分配给服务窗口"
    ids = [int(i) for i in dict.fromkeys(values.get("staff_account_ids") or [])]
    if ids:
        found = {r["id"]: r["roles"] for r in await tx.fetchall(
            sa.select(accounts.c.id, accounts.c.roles).where(accounts.c.id.in_(ids)))}
        bad = [i for i in ids if "window_staff" not in (found.get(i) or "").split(",")]
        if bad:
            fields["staff_account_ids"] = "账号不存在或不是窗口工作人员：" + "、".join(str(i) for i in bad)
    if fields:
        raise errors.InvalidRequest.fields(fields, errors.CHECK_FIELDS)


async def _replace_links(tx, window_id: int, values: dict) -> None:
    if "service_ids" in values:
        await tx.execute(window_services.delete().where(window_services.c.window_id == window_id))
        await tx.insert_many(window_services, [{"window_id": window_id, "service_id": int(i)}
                                               for i in dict.fromkeys(values["service_ids"])])
    if "staff_account_ids" in values:
        await tx.execute(window_staff.delete().where(window_staff.c.window_id == window_id))
        await tx.insert_many(window_staff, [{"window_id": window_id, "account_id": int(i)}
                                            for i in dict.fromkeys(values["staff_account_ids"])])


_WINDOW_FIELDS = ("name", "district", "is_city", "contact_name", "phone", "address", "hours", "status")


async def create_window(deps, values: dict[str, Any], actor_id: int) -> dict:
    """Add a service window with the services it handles and its staff (`WindowIn` dump)."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        await _check_window_refs(tx, values)
        window_id = await tx.insert(windows, {**{k: values[k] for k in _WINDOW_FIELDS}, "org_id": int(values["org_id"]),
                                              "created_at": now, "updated_at": now})
        await _replace_links(tx, window_id, values)
        view = await _window_admin_view(tx, await tx.fetchone(_WINDOW, {"id": window_id}))
        await events.record(tx, event.window_created(window_id=window_id, name=view["name"], district=view["district"],
                                                     by=actor_id), now=now)
    return view


async def update_window(deps, window_id: int, changes: dict[str, Any], actor_id: int) -> dict:
    """Change the fields sent (`WindowUpdate` dump, unset fields left out); `service_ids` and
    `staff_account_ids` replace the window's lists; deactivate with `status: "inactive"`."""
    _null_refused(changes, WINDOW_REQUIRED)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        if await tx.fetchone(_WINDOW_LOCK, {"id": window_id}) is None:
            raise errors.NotFound("服务窗口不存在")
        await _check_window_refs(tx, changes)
        values = {k: changes[k] for k in _WINDOW_FIELDS if k in changes}
        if "org_id" in changes:
            values["org_id"] = int(changes["org_id"])
        await tx.execute(windows.update().where(_W.id == window_id).values(**values, updated_at=now))
        await _replace_links(tx, window_id, changes)
        view = await _window_admin_view(tx, await tx.fetchone(_WINDOW, {"id": window_id}))
        await events.record(tx, event.window_updated(window_id=window_id, fields=changes, status=view["status"],
                                                     by=actor_id), now=now)
    return view
