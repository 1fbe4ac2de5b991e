"""Demo data for APP_ENV=dev (API.md "Demo data"): a small 威海-like city.

`load_demo(deps)` fills an empty database in one transaction. Later features append their own
loaders to `LOADERS`; each gets the transaction, the ids created so far (`ctx`) and the deps.
"""

from __future__ import annotations

import functools
import logging

import sqlalchemy as sa

from server.accounts.passwords import hash_password
from server.core.privacy import mask_id_number
from server.db.tables import accounts, orgs

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Demo@12345"

DISTRICTS = ["环翠区", "文登区", "荣成市", "乳山市", "高区", "经区", "临港区", "南海新区"]
DISTRICT_CODES = ["huancui", "wendeng", "rongcheng", "rushan", "gaoqu", "jingqu", "lingang", "nanhai"]


def id_with_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


HOLDERS = [
    # key, name, phone, ID number
    ("zhangsan", "张三", "13800000001", id_with_check_digit("37108119800101123")),
    ("lisi", "李四", "13800000002", id_with_check_digit("37100219850315456")),
    ("wangwu", "王五", "13800000003", id_with_check_digit("37108219790720789")),
]

STAFF = [
    # username, name, roles, org code
    ("wendeng_window", "刘敏", "window_staff", "hr_wendeng"),
    ("city_window", "陈静", "window_staff", "city_hr"),
    ("agri_reviewer", "赵刚", "reviewer", "dept_agri"),
    ("wendeng_reviewer", "孙丽", "reviewer", "hr_wendeng"),
    ("city_reviewer", "周强", "reviewer", "city_hr"),
    ("airport_staff", "吴婷", "venue_staff", "venue_airport"),
    ("hospital_staff", "郑华", "venue_staff", "venue_hospital"),
    ("admin", "系统管理员", "admin", "city_hr"),
]


def org_rows() -> list[dict]:
    rows = [dict(code="city_hr", type="city_hr", name="威海市人力资源和社会保障局", district="环翠区")]
    for d, code in zip(DISTRICTS, DISTRICT_CODES):
        rows.append(dict(code=f"hr_{code}", type="district_hr", name=f"{d}人力资源和社会保障局", district=d))
    rows += [
        dict(code="dept_agri", type="city_dept", name="威海市农业农村局", district="环翠区"),
        dict(code="dept_sci", type="city_dept", name="威海市科学技术局", district="环翠区"),
        dict(code="dept_health", type="city_dept", name="威海市卫生健康委员会", district="环翠区"),
        dict(code="emp_hit", type="employer", name="哈尔滨工业大学（威海）", district="环翠区",
             association_code="121000004000019720", fixed_route=True),
        dict(code="emp_sdu", type="employer", name="山东大学（威海）", district="环翠区",
             association_code="12100000495571069K", fixed_route=True),
        dict(code="emp_city_co", type="employer", name="威海市海洋科技发展有限公司", district="环翠区",
             association_code="91371000MA3CITY01X", is_city_level=True),
        dict(code="emp_wendeng_co", type="employer", name="威海文登精工机械有限公司", district="文登区",
             association_code="91371081MA3WDJG02Y"),
        dict(code="venue_airport", type="venue", name="威海国际机场商务贵宾区", district="文登区"),
        dict(code="venue_hospital", type="venue", name="威海市立医院", district="环翠区"),
    ]
    return rows


@functools.lru_cache(maxsize=1)
def demo_password_hash() -> str:
    # one hash for every demo account: the loader runs before every test, scrypt is slow on purpose
    return hash_password(DEMO_PASSWORD)


async def _load_base(tx, ctx: dict, deps) -> None:
    now = deps.clock()
    for row in org_rows():
        values = {"district": None, "is_city_level": False, "association_code": None, "fixed_route": False,
                  **row, "created_at": now}
        ctx.setdefault("orgs", {})[row["code"]] = await tx.insert(orgs, values)
    pw = demo_password_hash()
    for key, name, phone, id_number in HOLDERS:
        ctx.setdefault("accounts", {})[key] = await tx.insert(accounts, dict(
            name=name, phone=phone, roles="holder", id_type="resident_id",
            id_number_enc=deps.cipher.encrypt(id_number), id_number_hash=deps.cipher.lookup_hash(id_number),
            id_number_masked=mask_id_number(id_number), password_hash=None, status="active",
            failed_logins=0, version=1, created_at=now, updated_at=now))
    for username, name, roles, org_code in STAFF:
        ctx["accounts"][username] = await tx.insert(accounts, dict(
            username=username, name=name, roles=roles, org_id=ctx["orgs"][org_code], password_hash=pw,
            password_changed_at=now, status="active", failed_logins=0, version=1, created_at=now, updated_at=now))


async def _load_applications(tx, ctx, deps) -> None:
    from server.applications.demo import load

    await load(tx, ctx, deps)


async def _load_catalog(tx, ctx, deps) -> None:
    from server.catalog.demo import load, load_appointments

    await load(tx, ctx, deps)
    await load_appointments(tx, ctx, deps)


async def _load_listings(tx, ctx, deps) -> None:
    from server.listings.demo import load

    await load(tx, ctx, deps)


# each feature's demo rows, in order: (name, async fn(tx, ctx, deps))
LOADERS: list = [("accounts and orgs", _load_base), ("cards and applications", _load_applications),
                 ("services, windows and venues", _load_catalog)]
LOADERS.append(("listings", _load_listings))


async def _load_employers(tx, ctx, deps) -> None:
    from server.employers.demo import load

    await load(tx, ctx, deps)


LOADERS.append(("employers", _load_employers))


async def load_demo(deps, force: bool = False) -> bool:
    """Load the demo data into an empty database. Returns False when there was data already."""
    async with deps.db.transaction() as tx:
        if not force and await tx.fetchval(sa.select(sa.func.count()).select_from(accounts)):
            return False
        ctx: dict = {}
        for _name, loader in LOADERS:
            await loader(tx, ctx, deps)
    log.info("demo data loaded")
    return True
