"""The green-channel catalog over HTTP: services, windows, districts; administration and its rules."""

import sqlalchemy as sa

from server.db.tables import accounts, events, orgs, window_services, window_staff

NEW_SERVICE = {
    "code": "elder_care", "name": "父母养老服务", "category": "appointment",
    "description": "协调解决持卡人父母在本市养老机构入住等事宜。", "eligible_levels": ["B", "A"],
    "step_limits": {"submitted": 24, "accepted": 72, "prereviewed": 120},
}


async def _ids(api, path):
    r = await api.get(path)
    assert r.status == 200, r
    return {i["name"]: i["id"] for i in r.json["items"]}


async def _account_id(deps, username):
    return str(await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.username == username)))


async def _event_types(deps, entity_id):
    rows = await deps.db.fetchall(sa.select(events.c.type, events.c.audience).where(events.c.entity_id == str(entity_id)))
    return [(r["type"], r["audience"]) for r in rows]


# --------------------------------------------------------------------------- public reads

async def test_services_by_category_with_detail(api):
    r = await api.get("/api/v1/services")
    assert r.status == 200 and r.json["next_cursor"] is None
    items = r.json["items"]
    assert {i["category"] for i in items} == {"onsite", "appointment", "project", "other"}
    assert [i["name"] for i in items][:3] == ["机场贵宾通道", "就医绿色通道", "子女入学"]  # by sort
    names = {i["category"]: i["category_name"] for i in items}
    assert names == {"onsite": "现场服务", "appointment": "预约服务", "project": "项目申报", "other": "其他服务"}

    onsite = (await api.get("/api/v1/services?category=onsite")).json["items"]
    assert [s["name"] for s in onsite] == ["机场贵宾通道", "就医绿色通道"]
    airport = onsite[0]
    assert airport["eligible_levels"] == ["A", "B"] and airport["quota_per_year"] == 12
    assert airport["step_limits"] is None and onsite[1]["quota_per_year"] is None
    appointment = (await api.get("/api/v1/services?category=appointment")).json["items"]
    assert "子女入学" in [s["name"] for s in appointment] and all(s["category"] == "appointment" for s in appointment)
    assert appointment[0]["step_limits"] == {"submitted": 48, "accepted": 120, "prereviewed": 240}

    r = await api.get("/api/v1/services?category=vip")
    assert r.status == 400 and "category" in r.json["error"]["details"]["fields"]

    detail = (await api.get(f"/api/v1/services/{airport['id']}")).json
    assert [v["name"] for v in detail["venues"]] == ["威海国际机场商务贵宾区"] and detail["windows"] == []
    school = next(s for s in appointment if s["name"] == "子女入学")
    detail = (await api.get(f"/api/v1/services/{school['id']}")).json
    assert detail["venues"] == [] and len(detail["windows"]) == 9
    assert detail["windows"][0]["is_city"] is True and "文登区人才服务窗口" in [w["name"] for w in detail["windows"]]
    for bad in ("999999", "abc", "0"):
        r = await api.get(f"/api/v1/services/{bad}")
        assert r.status == 404 and r.code == "NOT_FOUND"


async def test_windows_filtered_by_district_and_service_and_the_districts(api):
    r = await api.get("/api/v1/windows")
    assert r.status == 200 and r.json["next_cursor"] is None
    items = r.json["items"]
    assert len(items) == 9 and items[0]["is_city"] is True and items[0]["phone"] == "0631-5200000"
    assert len((await api.get("/api/v1/windows?district=&service_id=")).json["items"]) == 9  # empty: any
    assert set(items[0]) >= {"id", "name", "org_name", "district", "contact_name", "phone", "address", "hours", "is_city"}
    assert items[0]["org_name"] == "威海市人力资源和社会保障局"

    r = await api.get("/api/v1/windows?district=文登区")
    [wendeng] = r.json["items"]
    assert wendeng["name"] == "文登区人才服务窗口" and wendeng["contact_name"] == "刘敏"
    assert wendeng["phone"] == "0631-8451002" and wendeng["org_name"] == "文登区人力资源和社会保障局"
    assert (await api.get("/api/v1/windows?district=不存在区")).json["items"] == []

    services = await _ids(api, "/api/v1/services")
    r = await api.get(f"/api/v1/windows?service_id={services['子女入学']}&district=环翠区")
    assert [w["is_city"] for w in r.json["items"]] == [True, False]
    assert (await api.get(f"/api/v1/windows?service_id={services['机场贵宾通道']}")).json["items"] == []
    r = await api.get("/api/v1/windows?service_id=abc")
    assert r.status == 400 and "service_id" in r.json["error"]["details"]["fields"]

    detail = (await api.get(f"/api/v1/windows/{wendeng['id']}")).json
    assert detail["name"] == "文登区人才服务窗口" and "子女入学" in [s["name"] for s in detail["services"]]
    assert "staff" not in detail  # who works there is not public
    assert (await api.get("/api/v1/windows/999999")).status == 404

    r = await api.get("/api/v1/districts")
    assert r.status == 200
    districts = r.json["items"]
    assert [d["name"] for d in districts] == ["环翠区", "文登区", "荣成市", "乳山市", "高区", "经区", "临港区", "南海新区"]
    assert districts[0]["window_count"] == 2 and districts[1]["window_count"] == 1


# --------------------------------------------------------------------------- administration: services

async def test_admin_creates_updates_and_deactivates_a_service(api, deps):
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/admin/services", NEW_SERVICE, token=admin, headers={"Idempotency-Key": "svc-1"})
    assert r.status == 201, r
    svc = r.json
    assert svc["eligible_levels"] == ["A", "B"] and svc["status"] == "active" and svc["category_name"] == "预约服务"
    again = await api.post("/api/v1/admin/services", NEW_SERVICE, token=admin, headers={"Idempotency-Key": "svc-1"})
    assert again.status == 201 and again.json["id"] == svc["id"] and again.headers.get("Idempotent-Replayed") == "true"
    public = (await api.get("/api/v1/services?category=appointment")).json["items"]
    assert public[-1]["name"] == "父母养老服务"  # new services go last
    assert ("service.created", "r:admin") in await _event_types(deps, svc["id"])

    r = await api.post("/api/v1/admin/services", {**NEW_SERVICE, "name": "另一个"}, token=admin)
    assert r.status == 409 and r.code == "DUPLICATE_CODE"

    r = await api.put(f"/api/v1/admin/services/{svc['id']}",
                      {"description": "新的说明", "step_limits": {"submitted": 8, "accepted": 24, "prereviewed": 48}},
                      token=admin)
    assert r.status == 200, r
    assert r.json["description"] == "新的说明" and r.json["step_limits"]["submitted"] == 8
    assert r.json["name"] == "父母养老服务"  # untouched
    r = await api.put(f"/api/v1/admin/services/{svc['id']}", {"code": "child_school"}, token=admin)
    assert r.status == 409 and r.code == "DUPLICATE_CODE"

    r = await api.put(f"/api/v1/admin/services/{svc['id']}", {"status": "inactive"}, token=admin)
    assert r.status == 200 and r.json["status"] == "inactive"
    assert "父母养老服务" not in await _ids(api, "/api/v1/services")
    assert (await api.get(f"/api/v1/services/{svc['id']}")).status == 404
    admin_list = (await api.get("/api/v1/admin/services?status=inactive", token=admin)).json["items"]
    assert [s["name"] for s in admin_list] == ["父母养老服务"]
    assert (await api.get(f"/api/v1/admin/services/{svc['id']}", token=admin)).json["status"] == "inactive"
    assert [t for t, _ in await _event_types(deps, svc["id"])].count("service.updated") == 2

    r = await api.put("/api/v1/admin/services/999999", {"name": "x"}, token=admin)
    assert r.status == 404 and r.code == "NOT_FOUND"


async def test_service_validation(api):
    admin = await api.login_password("admin")

    async def fields(body, method="post", path="/api/v1/admin/services"):
        r = await getattr(api, method)(path, body, token=admin)
        assert r.status == 400 and r.code == "INVALID_REQUEST", r
        return r.json["error"]["details"]["fields"]

    assert set(await fields({})) >= {"code", "name", "category", "eligible_levels"}
    f = await fields({**NEW_SERVICE, "name": 123, "eligible_levels": "A", "quota_per_year": "many"})
    assert f["name"] == "应为字符串" and "eligible_levels" in f and "quota_per_year" in f
    assert "category" in await fields({**NEW_SERVICE, "category": "vip"})
    assert "eligible_levels" in await fields({**NEW_SERVICE, "eligible_levels": []})
    assert "eligible_levels.0" in await fields({**NEW_SERVICE, "eligible_levels": ["D"]})
    assert "code" in await fields({**NEW_SERVICE, "code": "有中文"})
    assert "name" in await fields({**NEW_SERVICE, "name": "   "})
    f = await fields({k: v for k, v in NEW_SERVICE.items() if k != "step_limits"})
    assert "办理时限" in f["step_limits"]
    f = await fields({**NEW_SERVICE, "step_limits": {"submitted": 0, "accepted": -5, "prereviewed": 24}})
    assert set(f) == {"step_limits.submitted", "step_limits.accepted"}
    assert "step_limits.prereviewed" in await fields({**NEW_SERVICE, "step_limits": {"submitted": 1, "accepted": 1}})
    assert "quota_per_year" in await fields({**NEW_SERVICE, "quota_per_year": 5})
    assert "step_limits" in await fields({**NEW_SERVICE, "category": "onsite", "quota_per_year": 5})

    services = await _ids(api, "/api/v1/services")
    path = f"/api/v1/admin/services/{services['子女入学']}"
    assert (await fields({"name": None}, "put", path)) == {"name": "不能为空"}
    assert "step_limits" in await fields({"step_limits": None}, "put", path)
    assert "category" in await fields({"category": "onsite"}, "put", path)
    r = await api.put(f"/api/v1/admin/services/{services['机场贵宾通道']}", {"quota_per_year": None}, token=admin)
    assert r.status == 200 and r.json["quota_per_year"] is None  # null clears the quota


# --------------------------------------------------------------------------- administration: windows

async def test_admin_creates_and_updates_a_window(api, deps):
    admin = await api.login_password("admin")
    services = await _ids(api, "/api/v1/services")
    wendeng = (await api.get("/api/v1/windows?district=文登区")).json["items"][0]
    staff = await _account_id(deps, "wendeng_window")
    body = {"org_id": wendeng["org_id"], "name": "文登区人才服务窗口（开发区分中心）", "district": "文登区",
            "contact_name": "高洁", "phone": "0631-8451009", "address": "文登区世纪大道99号", "hours": "工作日 8:30-17:00",
            "service_ids": [services["子女入学"], services["人才住房"]], "staff_account_ids": [staff]}
    r = await api.post("/api/v1/admin/windows", body, token=admin)
    assert r.status == 201, r
    win = r.json
    assert win["org_name"] == "文登区人力资源和社会保障局" and win["status"] == "active" and win["is_city"] is False
    assert sorted(win["service_ids"]) == sorted([services["子女入学"], services["人才住房"]])
    assert win["staff_account_ids"] == [staff] and win["staff"][0]["name"] == "刘敏"
    assert ("window.created", "r:admin") in await _event_types(deps, win["id"])

    listed = (await api.get("/api/v1/windows?district=文登区")).json["items"]
    assert [w["name"] for w in listed] == ["文登区人才服务窗口", "文登区人才服务窗口（开发区分中心）"]
    r = await api.get(f"/api/v1/windows?service_id={services['落户服务']}&district=文登区")
    assert [w["name"] for w in r.json["items"]] == ["文登区人才服务窗口"]
    detail = (await api.get(f"/api/v1/services/{services['人才住房']}")).json
    assert win["id"] in [w["id"] for w in detail["windows"]]

    # service_ids and staff replace the lists; other fields stay
    r = await api.put(f"/api/v1/admin/windows/{win['id']}",
                      {"service_ids": [services["落户服务"]], "staff_account_ids": [], "phone": "0631-8451010"},
                      token=admin)
    assert r.status == 200, r
    assert r.json["service_ids"] == [services["落户服务"]] and r.json["staff"] == []
    assert r.json["phone"] == "0631-8451010" and r.json["contact_name"] == "高洁"
    links = await deps.db.fetchall(sa.select(window_services).where(window_services.c.window_id == int(win["id"])))
    assert [str(row["service_id"]) for row in links] == [services["落户服务"]]
    assert await deps.db.fetchall(sa.select(window_staff).where(window_staff.c.window_id == int(win["id"]))) == []

    r = await api.put(f"/api/v1/admin/windows/{win['id']}", {"status": "inactive"}, token=admin)
    assert r.status == 200 and r.json["status"] == "inactive"
    assert len((await api.get("/api/v1/windows?district=文登区")).json["items"]) == 1
    assert (await api.get(f"/api/v1/windows/{win['id']}")).status == 404
    assert (await api.get(f"/api/v1/admin/windows/{win['id']}", token=admin)).json["status"] == "inactive"
    statuses = {w["id"]: w["status"] for w in (await api.get("/api/v1/admin/windows", token=admin)).json["items"]}
    assert len(statuses) == 10 and statuses[win["id"]] == "inactive"
    assert (await api.put("/api/v1/admin/windows/999999", {"name": "x"}, token=admin)).status == 404


async def test_window_validation(api, deps):
    admin = await api.login_password("admin")
    services = await _ids(api, "/api/v1/services")
    wendeng = (await api.get("/api/v1/windows?district=文登区")).json["items"][0]
    holder = str(await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000002")))
    base = {"org_id": wendeng["org_id"], "name": "新窗口", "district": "文登区", "contact_name": "高洁",
            "phone": "0631-8451009", "address": "文登区世纪大道99号", "hours": "工作日"}

    async def fields(body, method="post", path="/api/v1/admin/windows"):
        r = await getattr(api, method)(path, body, token=admin)
        assert r.status == 400 and r.code == "INVALID_REQUEST", r
        return r.json["error"]["details"]["fields"]

    assert set(await fields({})) >= {"org_id", "name", "district", "contact_name", "phone", "address", "hours"}
    assert "phone" in await fields({**base, "phone": "请拨打"})
    assert "is_city" in await fields({**base, "is_city": "maybe"})
    assert "service_ids.0" in await fields({**base, "service_ids": ["abc"]})
    assert "服务不存在" in (await fields({**base, "service_ids": ["999999"]}))["service_ids"]
    assert "现场服务" in (await fields({**base, "service_ids": [services["机场贵宾通道"]]}))["service_ids"]
    assert "窗口工作人员" in (await fields({**base, "staff_account_ids": [holder]}))["staff_account_ids"]
    venue_org = await deps.db.fetchval(sa.select(orgs.c.id).where(orgs.c.code == "venue_airport"))
    assert "org_id" in await fields({**base, "org_id": "999999"})
    assert "org_id" in await fields({**base, "org_id": venue_org})  # a venue runs no window
    path = f"/api/v1/admin/windows/{wendeng['id']}"
    assert (await fields({"address": None}, "put", path)) == {"address": "不能为空"}
    assert "staff_account_ids" in await fields({"staff_account_ids": [holder]}, "put", path)
    # nothing changed by the refused updates
    assert (await api.get(path, token=admin)).json["staff"][0]["name"] == "刘敏"


async def test_holder_and_anonymous_cannot_administer_the_catalog(api):
    holder = await api.login_sms("13800000001")
    for method, path in (("post", "/api/v1/admin/services"), ("put", "/api/v1/admin/services/1"),
                         ("post", "/api/v1/admin/windows"), ("put", "/api/v1/admin/windows/1")):
        r = await getattr(api, method)(path, NEW_SERVICE, token=holder)
        assert r.status == 403 and r.code == "FORBIDDEN", (method, path, r)
        r = await getattr(api, method)(path, NEW_SERVICE)
        assert r.status == 401 and r.code == "UNAUTHORIZED", (method, path, r)
    assert (await api.get("/api/v1/admin/services", token=holder)).status == 403
    assert "父母养老服务" not in await _ids(api, "/api/v1/services")
