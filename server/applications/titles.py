"""The routing table the administrator edits: 荣誉称号 → the city department in charge (SPEC §2),
and a preview of the route an application would take, computed by `route_application` itself (the
function submission uses), so what the console shows is what submission does."""

from __future__ import annotations

import sqlalchemy as sa

from server import errors
from server.applications.routing import route_application
from server.core.pagination import keyset_page
from server.db.database import IntegrityError
from server.db.tables import honor_titles, orgs

# the departments an honor title can be in the charge of
DEPT_TYPES = ("city_dept", "city_hr")


def _view(r: dict) -> dict:
    return {"id": str(r["id"]), "title": r["name"], "org_id": str(r["dept_org_id"]), "org_name": r["org_name"]}


def _select():
    return (sa.select(honor_titles.c.id, honor_titles.c.name, honor_titles.c.dept_org_id,
                      orgs.c.name.label("org_name"))
            .select_from(honor_titles.join(orgs, orgs.c.id == honor_titles.c.dept_org_id)))


async def list_titles(db, *, q: str | None, cursor: int | None, limit: int) -> dict:
    stmt = _select().order_by(honor_titles.c.id.desc()).limit(limit + 1)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(honor_titles.c.name.like(like, escape="\\"), orgs.c.name.like(like, escape="\\")))
    if cursor:
        stmt = stmt.where(honor_titles.c.id < cursor)
    return keyset_page(await db.fetchall(stmt), limit, _view)


async def _dept(tx, org_id: int) -> None:
    row = await tx.fetchone(sa.select(orgs.c.type).where(orgs.c.id == org_id))
    if row is None or row["type"] not in DEPT_TYPES:
        raise errors.field_error("org_id", "主管部门须为市直部门")


async def _taken(tx, title: str, except_id: int | None) -> None:
    stmt = sa.select(honor_titles.c.id).where(honor_titles.c.name == title)
    if except_id:
        stmt = stmt.where(honor_titles.c.id != except_id)
    if await tx.fetchone(stmt):
        raise errors.HonorTitleTaken.fields({"title": "该荣誉称号已存在"})


async def create_title(db, *, title: str, org_id: int) -> dict:
    async with db.transaction() as tx:
        await _dept(tx, org_id)
        await _taken(tx, title, None)
        try:
            new_id = await tx.insert(honor_titles, {"name": title, "dept_org_id": org_id})
        except IntegrityError:
            raise errors.HonorTitleTaken() from None
        return _view(await tx.fetchone(_select().where(honor_titles.c.id == new_id)))


async def update_title(db, title_id: int, *, title: str, org_id: int) -> dict:
    async with db.transaction() as tx:
        if await tx.fetchone(sa.select(honor_titles.c.id).where(honor_titles.c.id == title_id)) is None:
            raise errors.NotFound("荣誉称号不存在")
        await _dept(tx, org_id)
        await _taken(tx, title, title_id)
        try:
            await tx.execute(honor_titles.update().where(honor_titles.c.id == title_id)
                             .values(name=title, dept_org_id=org_id))
        except IntegrityError:
            raise errors.HonorTitleTaken() from None
        return _view(await tx.fetchone(_select().where(honor_titles.c.id == title_id)))


async def delete_title(db, title_id: int) -> None:
    """Applications already submitted keep the route they were given (it is stored with them)."""
    async with db.transaction() as tx:
        res = await tx.execute(honor_titles.delete().where(honor_titles.c.id == title_id))
        if res.rowcount == 0:
            raise errors.NotFound("荣誉称号不存在")


async def preview_route(db, *, honor_title: str | None, employer_code: str | None, employer_name: str | None,
                        employer_district: str | None, is_city_level: bool | None) -> dict:
    """The stages an application with these facts would be routed through (HONOR_TITLE_UNKNOWN /
    DISTRICT_UNKNOWN exactly as submission would answer)."""
    form = {"employer": {"association_code": employer_code, "name": employer_name, "district": employer_district,
                         "is_city_level": bool(is_city_level)},
            "talent": {"honor_title": honor_title or ""}}
    stages = await route_application(db, form)
    return {"route": [{"stage": s["name"], "key": s["key"], "org_id": str(s["org_id"]), "org_name": s["org_name"]}
                      for s in stages]}
