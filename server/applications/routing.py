"""Which orgs review a card application, in which order (SPEC §2, seed 002 §3.1.2).

1. employer is 哈工大（威海） or 山大（威海） → the city HR bureau itself (fixed route);
2. employer is 市直 → the city department in charge of the main honor title;
3. otherwise → the HR bureau of the employer's district;
then 市人社局初审 → 终审. An employer review comes first when the applicant is linked to an employer
(a link its staff approved, server/employers) that has active staff accounts (role `employer`);
a 关联代码 typed into the form alone never sends the application to an employer's staff.
"""

from __future__ import annotations

import sqlalchemy as sa

from server import errors
from server.db.database import Query
from server.db.tables import accounts, employers, honor_titles, orgs
from server.employers.service import approved_employer

FIXED_ROUTE_NAMES = ("哈尔滨工业大学（威海）", "山东大学（威海）")


# a registration still pending (or rejected, disabled) is no employer yet (server/employers)
_LIVE_EMPLOYER = sa.select(orgs).select_from(orgs.outerjoin(employers, employers.c.org_id == orgs.c.id)).where(
    orgs.c.type == "employer", sa.or_(employers.c.status.is_(None), employers.c.status == "active"))
_EMPLOYER = Query(_LIVE_EMPLOYER.where(orgs.c.association_code == sa.bindparam("code")))
_EMPLOYER_BY_NAME = Query(_LIVE_EMPLOYER.where(orgs.c.name == sa.bindparam("name")).order_by(orgs.c.id).limit(1))
_HAS_STAFF = Query(sa.select(sa.func.count()).select_from(accounts).where(
    accounts.c.org_id == sa.bindparam("org_id"), accounts.c.status == "active",
    sa.or_(accounts.c.roles == "employer", accounts.c.roles.like("employer,%"), accounts.c.roles.like("%,employer"),
           accounts.c.roles.like("%,employer,%"))))
_TITLE = Query(sa.select(orgs.c.id, orgs.c.name).select_from(honor_titles.join(orgs, orgs.c.id == honor_titles.c.dept_org_id))
               .where(honor_titles.c.name == sa.bindparam("name")))
_DISTRICT_HR = Query(sa.select(orgs.c.id, orgs.c.name).where(orgs.c.type == "district_hr",
                                                             orgs.c.district == sa.bindparam("district")))
_CITY_HR = Query(sa.select(orgs.c.id, orgs.c.name).where(orgs.c.type == "city_hr").order_by(orgs.c.id).limit(1))


_TITLES = sa.select(honor_titles.c.name.label("title"), orgs.c.name.label("org_name")).select_from(
    honor_titles.join(orgs, orgs.c.id == honor_titles.c.dept_org_id)).order_by(honor_titles.c.name)


async def honor_titles_matching(db, q: str | None, limit: int = 50) -> list[dict]:
    """The routing table's honor titles (full official names) with their competent department, those
    containing `q` when given. The one reader of the table for pickers: if the titles move, only this
    function changes."""
    stmt = _TITLES.limit(limit)
    if q:
        like = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(honor_titles.c.name.like(f"%{like}%", escape="\\"))
    return [dict(r) for r in await db.fetchall(stmt)]


def _stage(key: str, name: str, org: dict) -> dict:
    return {"key": key, "name": name, "org_id": org["id"], "org_name": org["name"]}


async def employer_of(tx, employer: dict) -> dict | None:
    """The registered employer an applicant names, by association code (or exact full name)."""
    if employer.get("association_code"):
        row = await tx.fetchone(_EMPLOYER, {"code": employer["association_code"]})
        if row:
            return row
    if employer.get("name"):
        return await tx.fetchone(_EMPLOYER_BY_NAME, {"name": employer["name"]})
    return None


async def route_application(tx, form: dict, applicant_id: int | None = None) -> list[dict]:
    """The review stages for this form, decided by the rules, never typed by the applicant. The
    applicant's linked employer, when there is one, wins over what the form names."""
    emp = form.get("employer") or {}
    title = ((form.get("talent") or {}).get("honor_title") or "").strip()
    linked = await approved_employer(tx, applicant_id) if applicant_id is not None else None
    org = linked or await employer_of(tx, emp)
    if org is not None:
        is_city_level, district = bool(org["is_city_level"]), org["district"]
        fixed = bool(org["fixed_route"]) or org["name"] in FIXED_ROUTE_NAMES
    else:
        is_city_level, district = bool(emp.get("is_city_level")), emp.get("district")
        fixed = (emp.get("name") or "").strip() in FIXED_ROUTE_NAMES
    city = await tx.fetchone(_CITY_HR)
    stages: list[dict] = []
    if linked is not None and await tx.fetchval(_HAS_STAFF, {"org_id": linked["id"]}):
        stages.append(_stage("employer", "用人单位审核", org))
    if not fixed:
        if is_city_level:
            dept = await tx.fetchone(_TITLE, {"name": title})
            if dept is None:
                raise errors.HonorTitleUnknown(details={"honor_title": title})
            stages.append(_stage("competent", "主管部门审核", dept))
        else:
            hr = await tx.fetchone(_DISTRICT_HR, {"district": district})
            if hr is None:
                raise errors.DistrictUnknown(details={"district": district})
            stages.append(_stage("competent", "区市人社部门审核", hr))
    stages.append(_stage("first_review", "市人社局初审", city))
    stages.append(_stage("final_review", "市人社局终审", city))
    return stages
