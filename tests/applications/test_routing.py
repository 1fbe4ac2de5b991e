"""Routing of card applications (SPEC §2; seed 002 §3.1.2, the two worked examples word for word)."""

import pytest
import sqlalchemy as sa

from server.applications.routing import route_application
from server.db.tables import accounts, employer_links, orgs
from server.errors import DistrictUnknown, HonorTitleUnknown


async def route(deps, form, applicant_id=None):
    async with deps.db.transaction() as tx:
        stages = await route_application(tx, form, applicant_id)
    return "->".join(s["org_name"] for s in stages)


async def test_example_1_city_level_company_with_rural_star(deps):
    """举例1：张三教授，所在单位为“威海市***公司”，该公司为威海市直单位，张三教授的主要依据荣誉称号为
    “威海市乡村之星”，则张三教授申领流程为：张三->威海市农业农村局即“威海市乡村之星”称号的主管部门->
    威海市人力资源和社会保障局初审->威海市人力资源和社会保障局终审->领卡"""
    form = {"employer": {"name": "威海市某某公司", "is_city_level": True, "district": "环翠区"},
            "talent": {"honor_title": "威海市乡村之星"}}
    assert await route(deps, form) == "威海市农业农村局->威海市人力资源和社会保障局->威海市人力资源和社会保障局"
    async with deps.db.transaction() as tx:
        names = [s["name"] for s in await route_application(tx, form)]
    assert names == ["主管部门审核", "市人社局初审", "市人社局终审"]


async def test_example_2_district_company(deps):
    """举例2：张三教授，所在单位为“威海市***公司”，该公司非威海市直单位，单位所在地是：“文登区”，
    则张三教授申领流程为：张三->文登区人力资源和社会保障局->威海市人力资源和社会保障局初审->
    威海市人力资源和社会保障局终审->领卡"""
    form = {"employer": {"name": "威海市某某公司", "is_city_level": False, "district": "文登区"},
            "talent": {"honor_title": "威海市乡村之星"}}
    assert await route(deps, form) == "文登区人力资源和社会保障局->威海市人力资源和社会保障局->威海市人力资源和社会保障局"


@pytest.mark.parametrize("name", ["哈尔滨工业大学（威海）", "山东大学（威海）"])
async def test_fixed_route_universities(deps, name):
    form = {"employer": {"name": name, "is_city_level": False, "district": "环翠区"},
            "talent": {"honor_title": "威海市乡村之星"}}
    assert await route(deps, form) == "威海市人力资源和社会保障局->威海市人力资源和社会保障局"


async def test_registered_employer_attributes_win_over_typed_ones(deps):
    # the association code links to the 市直 company: 是否市直 comes from the registered employer
    form = {"employer": {"association_code": "91371000MA3CITY01X", "is_city_level": False, "district": "文登区"},
            "talent": {"honor_title": "威海市名医"}}
    assert (await route(deps, form)).startswith("威海市卫生健康委员会->")


async def test_employer_review_first_only_for_a_linked_holder_of_an_employer_with_staff(deps):
    """The employer stage comes from a link the employer's staff approved, never from a 关联代码
    typed into the form (that would hand a stranger's application to the employer's staff)."""
    now = deps.clock()
    emp = await deps.db.fetchval(sa.select(orgs.c.id).where(orgs.c.code == "emp_wendeng_co"))
    holder = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000003"))
    await deps.db.execute(accounts.insert().values(username="wdjg_hr", name="人事专员", roles="employer", org_id=emp,
                                                   status="active", failed_logins=0, version=1, created_at=now,
                                                   updated_at=now))
    form = {"employer": {"association_code": "91371081MA3WDJG02Y"}, "talent": {"honor_title": "x"}}
    without = "文登区人力资源和社会保障局->威海市人力资源和社会保障局->威海市人力资源和社会保障局"
    assert await route(deps, form) == without
    assert await route(deps, form, holder) == without  # typed code, no link
    await deps.db.execute(employer_links.insert().values(holder_id=holder, employer_org_id=emp, status="pending",
                                                         live_holder_id=holder, version=1, created_at=now,
                                                         updated_at=now))
    assert await route(deps, form, holder) == without  # not confirmed yet
    await deps.db.execute(employer_links.update().values(status="approved"))
    # the linked employer wins even over another employer typed into the form
    other = {"employer": {"association_code": "91371000MA3CITY01X"}, "talent": {"honor_title": "x"}}
    assert await route(deps, other, holder) == "威海文登精工机械有限公司->" + without
    await deps.db.execute(accounts.update().where(accounts.c.username == "wdjg_hr").values(status="disabled"))
    assert await route(deps, form, holder) == without  # no active staff: nobody to review


async def test_abbreviated_title_and_unknown_district_are_refused(deps):
    with pytest.raises(HonorTitleUnknown):
        await route(deps, {"employer": {"is_city_level": True}, "talent": {"honor_title": "乡村之星"}})
    with pytest.raises(DistrictUnknown):
        await route(deps, {"employer": {"is_city_level": False, "district": "火星区"}, "talent": {}})
