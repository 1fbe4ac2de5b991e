"""The routing table in the console: honor titles CRUD and the route preview, both read by submission."""

import sqlalchemy as sa

from server.db.tables import orgs

CITY_HR = "威海市人力资源和社会保障局"


async def _org(deps, code):
    return str(await deps.db.fetchval(sa.select(orgs.c.id).where(orgs.c.code == code)))


async def _title(api, admin, title):
    r = await api.get(f"/api/v1/admin/honor-titles?q={title}", token=admin)
    assert r.status == 200, r
    return next(t for t in r.json["items"] if t["title"] == title)


async def test_crud_and_search(api, deps):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/honor-titles", token=admin)
    assert r.status == 200 and len(r.json["items"]) >= 6 and r.json["next_cursor"] is None
    star = await _title(api, admin, "威海市乡村之星")
    assert star["org_name"] == "威海市农业农村局"
    sci = await _org(deps, "dept_sci")
    r = await api.post("/api/v1/admin/honor-titles", {"title": "威海市海洋英才", "org_id": sci}, token=admin)
    assert r.status == 201 and r.json["org_name"] == "威海市科学技术局" and r.json["title"] == "威海市海洋英才"
    new_id = r.json["id"]
    r = await api.post("/api/v1/admin/honor-titles", {"title": "威海市海洋英才", "org_id": sci}, token=admin)
    assert r.status == 409 and r.code == "HONOR_TITLE_TAKEN"
    # an employer or a district bureau is not a competent department
    r = await api.post("/api/v1/admin/honor-titles", {"title": "某称号", "org_id": await _org(deps, "emp_hit")},
                       token=admin)
    assert r.status == 400 and "org_id" in r.json["error"]["details"]["fields"]
    r = await api.put(f"/api/v1/admin/honor-titles/{new_id}", {"title": "威海市乡村之星", "org_id": sci}, token=admin)
    assert r.status == 409
    r = await api.delete(f"/api/v1/admin/honor-titles/{new_id}", token=admin)
    assert r.status == 204
    assert (await api.delete(f"/api/v1/admin/honor-titles/{new_id}", token=admin)).status == 404
    r = await api.get("/api/v1/admin/honor-titles?q=海洋英才", token=admin)
    assert r.json["items"] == []
    r = await api.get("/api/v1/admin/honor-titles?limit=2", token=admin)
    assert len(r.json["items"]) == 2 and r.json["next_cursor"]


async def test_an_edit_changes_preview_and_real_submission_alike(api, deps):
    admin = await api.login_password("admin")
    body = {"honor_title": "威海市乡村之星", "employer_name": "某市直公司", "is_city_level": True}
    r = await api.post("/api/v1/admin/routing/preview", body, token=admin)
    assert r.status == 200, r
    assert [s["org_name"] for s in r.json["route"]] == ["威海市农业农村局", CITY_HR, CITY_HR]
    assert r.json["route"][0]["stage"] == "主管部门审核"
    star = await _title(api, admin, "威海市乡村之星")
    r = await api.put(f"/api/v1/admin/honor-titles/{star['id']}",
                      {"title": "威海市乡村之星", "org_id": await _org(deps, "dept_health")}, token=admin)
    assert r.status == 200 and r.json["org_name"] == "威海市卫生健康委员会"
    r = await api.post("/api/v1/admin/routing/preview", body, token=admin)
    assert r.json["route"][0]["org_name"] == "威海市卫生健康委员会"
    # 李四's demo draft (市直 employer, 威海市乡村之星) now goes to the new department
    lisi = await api.login_sms("13800000002")
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {}, token=lisi)
    assert r.status == 200, r
    assert r.json["stages"][1]["org_name"] == "威海市卫生健康委员会"


async def test_preview_by_association_code_district_and_fixed_route(api):
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/admin/routing/preview", {"employer_district": "文登区"}, token=admin)
    assert [s["org_name"] for s in r.json["route"]] == ["文登区人力资源和社会保障局", CITY_HR, CITY_HR]
    r = await api.post("/api/v1/admin/routing/preview", {"employer_code": "121000004000019720"}, token=admin)
    assert [s["org_name"] for s in r.json["route"]] == [CITY_HR, CITY_HR]
    r = await api.post("/api/v1/admin/routing/preview", {"is_city_level": True, "honor_title": "乡村之星"}, token=admin)
    assert r.status == 422 and r.code == "HONOR_TITLE_UNKNOWN"
    r = await api.post("/api/v1/admin/routing/preview", {"employer_district": "火星区"}, token=admin)
    assert r.status == 422 and r.code == "DISTRICT_UNKNOWN"
