"""Account administration for the console: list, create, edit roles and scope, reset password, orgs."""

import sqlalchemy as sa

from server.db.tables import orgs, venues, windows


async def _ids(deps):
    db = deps.db
    return {
        "agri": await db.fetchval(sa.select(orgs.c.id).where(orgs.c.code == "dept_agri")),
        "wendeng_window": await db.fetchval(sa.select(windows.c.id).where(windows.c.district == "文登区")),
        "airport": await db.fetchval(sa.select(venues.c.id).where(venues.c.name.contains("机场"))),
    }


async def _account(api, admin, username):
    r = await api.get(f"/api/v1/admin/accounts?q={username}", token=admin)
    assert r.status == 200, r
    return next(a for a in r.json["items"] if a["username"] == username)


async def test_list_filters_by_role_and_q_and_pages(api):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/accounts?role=reviewer", token=admin)
    names = {a["username"] for a in r.json["items"]}
    assert {"agri_reviewer", "wendeng_reviewer", "city_reviewer"} <= names and "admin" not in names
    r = await api.get("/api/v1/admin/accounts?q=wendeng", token=admin)
    assert {a["username"] for a in r.json["items"]} == {"wendeng_window", "wendeng_reviewer"}
    win = await _account(api, admin, "wendeng_window")
    assert win["window_ids"] and win["venue_id"] is None
    assert (await _account(api, admin, "airport_staff"))["venue_id"]
    r1 = await api.get("/api/v1/admin/accounts?limit=2", token=admin)
    assert len(r1.json["items"]) == 2 and r1.json["next_cursor"]
    r2 = await api.get(f"/api/v1/admin/accounts?limit=2&cursor={r1.json['next_cursor']}", token=admin)
    assert not {a["id"] for a in r1.json["items"]} & {a["id"] for a in r2.json["items"]}
    r = await api.get("/api/v1/admin/accounts?cursor=１２", token=admin)
    assert r.status == 400


async def test_scope_rules_on_edit(api, deps):
    admin = await api.login_password("admin")
    ids = await _ids(deps)
    acc = await _account(api, admin, "agri_reviewer")
    url = f"/api/v1/admin/accounts/{acc['id']}"
    r = await api.put(url, {"name": "新名字", "roles": ["reviewer"]}, token=admin)
    assert r.status == 400 and "org_id" in r.json["error"]["details"]["fields"]
    r = await api.put(url, {"name": "新名字", "roles": ["window_staff"]}, token=admin)
    assert r.status == 400 and "window_ids" in r.json["error"]["details"]["fields"]
    r = await api.put(url, {"name": "新名字", "roles": ["venue_staff"]}, token=admin)
    assert r.status == 400 and "venue_id" in r.json["error"]["details"]["fields"]
    r = await api.put(url, {"name": "新名字", "roles": ["reviewer"], "org_id": "999999"}, token=admin)
    assert r.status == 400
    r = await api.put(url, {"name": "新名字", "phone": "1380000000１", "roles": ["reviewer"],
                            "org_id": str(ids["agri"])}, token=admin)
    assert r.status == 400 and "phone" in r.json["error"]["details"]["fields"]
    r = await api.put(f"/api/v1/admin/accounts/{acc['id']}%0A", {"name": "新名字", "roles": ["admin"]}, token=admin)
    assert r.status == 404
    # a valid change: becomes a window clerk of the 文登区 window; old sessions end
    old = await api.login_password("agri_reviewer")
    r = await api.put(url, {"name": "新名字", "phone": "13900000099", "roles": ["window_staff"],
                            "window_ids": [str(ids["wendeng_window"])], "version": acc["version"]}, token=admin)
    assert r.status == 200, r
    assert r.json["name"] == "新名字" and r.json["roles"] == ["window_staff"]
    assert r.json["window_ids"] == [str(ids["wendeng_window"])] and r.json["phone_masked"] == "139****0099"
    assert "13900000099" not in r.body.decode()
    assert (await api.get("/api/v1/me", token=old)).status == 401
    new = await api.login_password("agri_reviewer")
    me = await api.get("/api/v1/me", token=new)
    assert me.json["window_ids"] == [str(ids["wendeng_window"])]
    # without a phone the stored one stays; "" clears it
    r = await api.put(url, {"name": "新名字", "roles": ["window_staff"], "window_ids": [str(ids["wendeng_window"])]},
                      token=admin)
    assert r.json["phone_masked"] == "139****0099"
    r = await api.put(url, {"name": "新名字", "phone": "", "roles": ["window_staff"],
                            "window_ids": [str(ids["wendeng_window"])]}, token=admin)
    assert r.json["phone_masked"] is None
    acc = {**acc, "version": acc["version"] + 1}  # stale still
    # stale version
    r = await api.put(url, {"name": "x", "roles": ["window_staff"], "window_ids": [str(ids["wendeng_window"])],
                            "version": acc["version"]}, token=admin)
    assert r.status == 409 and r.code == "VERSION_CONFLICT" and r.json["error"]["details"]["current"]["name"] == "新名字"
    assert r.json["error"]["details"]["current"]["version"] == acc["version"] + 2
    # a phone another account holds
    r = await api.put(url, {"name": "x", "phone": "13800000001", "roles": ["window_staff"],
                            "window_ids": [str(ids["wendeng_window"])]}, token=admin)
    assert r.status == 409 and r.code == "PHONE_IN_USE"


async def test_admin_cannot_drop_own_admin_role(api):
    admin = await api.login_password("admin")
    me = await api.get("/api/v1/me", token=admin)
    r = await api.put(f"/api/v1/admin/accounts/{me.json['id']}", {"name": "管理员", "roles": ["reviewer"],
                                                                   "org_id": "1"}, token=admin)
    assert r.status == 400


async def test_create_venue_clerk_takes_the_venue_org(api, deps):
    admin = await api.login_password("admin")
    ids = await _ids(deps)
    body = {"username": "airport2", "name": "新场所员", "password": "Strong@2026", "roles": ["venue_staff"],
            "venue_id": str(ids["airport"])}
    r = await api.post("/api/v1/admin/accounts", {**body, "password": "weak"}, token=admin)
    assert r.status == 400 and "password" in r.json["error"]["details"]["fields"]
    r = await api.post("/api/v1/admin/accounts", body, token=admin)
    assert r.status == 201, r
    assert r.json["venue_id"] == str(ids["airport"])
    staff = await api.login_password("airport2", "Strong@2026")
    r = await api.get("/api/v1/venue/visits", token=staff)
    assert r.status == 200 and "机场" in r.json["venue"]["name"]
    r = await api.post("/api/v1/admin/accounts", {**body, "name": "重复"}, token=admin)
    assert r.status == 409 and r.code == "USERNAME_TAKEN"


async def test_reset_password_ends_every_session(api):
    admin = await api.login_password("admin")
    acc = await _account(api, admin, "city_window")
    s1 = await api.login_password("city_window")
    url = f"/api/v1/admin/accounts/{acc['id']}/reset-password"
    r = await api.post(url, {"new_password": "abc"}, token=admin)
    assert r.status == 400 and "new_password" in r.json["error"]["details"]["fields"]
    assert (await api.get("/api/v1/me", token=s1)).status == 200
    r = await api.post(url, {"new_password": "New@Pass2026"}, token=admin)
    assert r.status == 204, r
    assert (await api.get("/api/v1/me", token=s1)).status == 401
    r = await api.post("/api/v1/auth/password/login", {"username": "city_window", "password": "Demo@12345"})
    assert r.status == 401
    await api.login_password("city_window", "New@Pass2026")
    r = await api.post("/api/v1/admin/accounts/999999/reset-password", {"new_password": "New@Pass2026"}, token=admin)
    assert r.status == 404
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in acc["id"])  # "６" is not 6
    r = await api.post(f"/api/v1/admin/accounts/{full_width}/reset-password", {"new_password": "Other@Pass2026"},
                       token=admin)
    assert r.status == 404
    await api.login_password("city_window", "New@Pass2026")


async def test_orgs(api):
    admin = await api.login_password("admin")
    r = await api.get("/api/v1/admin/orgs", token=admin)
    assert r.status == 200
    kinds = {o["kind"] for o in r.json["items"]}
    assert {"city_hr", "district_hr", "city_dept"} <= kinds
    agri = next(o for o in r.json["items"] if o["name"] == "威海市农业农村局")
    assert isinstance(agri["id"], str)
    r = await api.get("/api/v1/admin/orgs?kind=district_hr", token=admin)
    assert {o["kind"] for o in r.json["items"]} == {"district_hr"}
