"""Listings (企业需求, 人才项目资源, 平台载体资源, 通报公告) over HTTP: browsing, search, pagination,
administration and validation."""

import json

import sqlalchemy as sa

from server.db.tables import events
from server.listings.schemas import BODY_MAX
from server.listings.service import list_query

BASE = {"kind": "demand", "title": "软件工程师", "category": "信息技术", "body": "招聘软件工程师若干名。",
        "contact": "人事部 0631-5200001"}


async def _all(api, path, token=None):
    r = await api.get(path, token=token)
    assert r.status == 200, r
    return r.json["items"]


async def _post(api, token, **fields):
    r = await api.post("/api/v1/admin/listings", {**BASE, **fields}, token=token)
    assert r.status == 201, r
    return r.json


async def test_published_listings_newest_first_by_kind_with_detail(api):
    items = await _all(api, "/api/v1/listings?limit=100")
    assert {i["kind"] for i in items} == {"demand", "project", "platform", "notice"}
    ids = [int(i["id"]) for i in items]
    assert ids == sorted(ids, reverse=True)
    assert all("（草稿）" not in i["title"] for i in items)  # the demo draft is not public
    assert set(items[0]) == {"id", "kind", "kind_name", "title", "category", "summary", "contact", "published_at"}
    assert items[0]["published_at"].endswith("+08:00")
    assert all(len(i["summary"]) <= 81 for i in items) and any(i["summary"].endswith("…") for i in items)

    assert await _all(api, "/api/v1/listings?limit=100&kind=&q=") == items  # empty filters: any
    notices = await _all(api, "/api/v1/listings?kind=notice")
    assert notices and all(i["kind"] == "notice" and i["kind_name"] == "通报公告" for i in notices)
    names = {i["kind"]: i["kind_name"] for i in items}
    assert names == {"demand": "企业需求", "project": "人才项目资源", "platform": "平台载体资源", "notice": "通报公告"}

    r = await api.get(f"/api/v1/listings/{notices[-1]['id']}")
    assert r.status == 200 and r.json["title"] == notices[-1]["title"]
    assert r.json["body"].startswith(r.json["summary"][:10]) and len(r.json["body"]) > 81
    for bad in ("999999", "abc", "-1"):
        assert (await api.get(f"/api/v1/listings/{bad}")).status == 404

    admin = await api.login_password("admin")
    drafts = await _all(api, "/api/v1/admin/listings?status=draft", token=admin)
    assert [d["status"] for d in drafts] == ["draft"]
    assert (await api.get(f"/api/v1/listings/{drafts[0]['id']}")).status == 404
    assert (await api.get(f"/api/v1/admin/listings/{drafts[0]['id']}", token=admin)).json["body"]

    r = await api.get("/api/v1/listings?kind=job")
    assert r.status == 400 and "kind" in r.json["error"]["details"]["fields"]
    for q in ("limit=0", "limit=101", "cursor=abc"):
        r = await api.get(f"/api/v1/listings?{q}")
        assert r.status == 400 and r.code == "INVALID_REQUEST", q


async def test_pages_cover_everything_once(api):
    admin = await api.login_password("admin")
    for n in range(7):
        await _post(api, admin, title=f"分页测试需求{n}")
    for path in ("/api/v1/listings?kind=demand", "/api/v1/listings?q=分页测试", "/api/v1/listings"):
        everything = [i["id"] for i in await _all(api, path + ("&" if "?" in path else "?") + "limit=100")]
        seen, cursor, pages = [], None, 0
        while True:
            sep = "&" if "?" in path else "?"
            r = await api.get(f"{path}{sep}limit=3" + (f"&cursor={cursor}" if cursor else ""))
            assert r.status == 200, r
            seen += [i["id"] for i in r.json["items"]]
            pages += 1
            cursor = r.json["next_cursor"]
            if cursor is None:
                break
        assert seen == everything and len(set(seen)) == len(seen), path
        assert pages == -(-len(everything) // 3)
    assert len(everything) >= 19  # 12 published demo entries and the 7 new ones


async def test_search_takes_wildcards_literally(api):
    admin = await api.login_password("admin")
    pct = await _post(api, admin, title="产值增长37%的技改项目")
    await _post(api, admin, title="产值增长370万的技改项目")
    under = await _post(api, admin, kind="platform", title="A_B联合实验室")
    await _post(api, admin, kind="platform", title="AXB联合实验室")
    in_body = await _post(api, admin, title="普通标题", body="正文里才有的关键词：蓝色海湾\\计划")

    assert [i["id"] for i in await _all(api, "/api/v1/listings?q=37%25")] == [pct["id"]]
    assert [i["id"] for i in await _all(api, "/api/v1/listings?q=A_B")] == [under["id"]]
    assert [i["id"] for i in await _all(api, "/api/v1/listings?q=A_B&kind=platform")] == [under["id"]]
    assert await _all(api, "/api/v1/listings?q=A_B&kind=demand") == []
    assert [i["id"] for i in await _all(api, "/api/v1/listings?q=蓝色海湾%5C计划")] == [in_body["id"]]
    assert len(await _all(api, "/api/v1/listings?q=技改项目")) == 2
    assert await _all(api, "/api/v1/listings?q=%25%25%25") == []
    r = await api.get("/api/v1/listings?q=" + "长" * 65)
    assert r.status == 400 and "q" in r.json["error"]["details"]["fields"]


async def test_admin_publishes_edits_and_archives(api, deps):
    admin = await api.login_password("admin")
    created = await _post(api, admin, kind="notice", title="关于举办人才政策宣讲会的通知", category="通知",
                          body="定于下周三在市民服务中心举办人才政策宣讲会。\n欢迎参加。")
    assert created["status"] == "published" and created["kind_name"] == "通报公告"
    listing_id = created["id"]
    assert (await _all(api, "/api/v1/listings"))[0]["id"] == listing_id
    assert (await api.get(f"/api/v1/listings/{listing_id}")).json["body"].endswith("欢迎参加。")

    r = await api.put(f"/api/v1/admin/listings/{listing_id}", {"title": "关于举办人才政策宣讲会的通知（更新）",
                                                               "contact": None}, token=admin)
    assert r.status == 200 and r.json["title"].endswith("（更新）") and r.json["contact"] is None
    assert r.json["body"] == created["body"]  # untouched

    r = await api.put(f"/api/v1/admin/listings/{listing_id}", {"status": "draft"}, token=admin)
    assert r.status == 200 and (await api.get(f"/api/v1/listings/{listing_id}")).status == 404
    deps.clock.advance(3600)
    r = await api.put(f"/api/v1/admin/listings/{listing_id}", {"status": "published"}, token=admin)
    assert r.status == 200 and r.json["published_at"] > created["published_at"]  # a draft published now

    r = await api.delete(f"/api/v1/admin/listings/{listing_id}", token=admin)
    assert r.status == 204
    assert (await api.get(f"/api/v1/listings/{listing_id}")).status == 404
    assert listing_id not in [i["id"] for i in await _all(api, "/api/v1/listings?kind=notice")]
    archived = (await api.get(f"/api/v1/admin/listings/{listing_id}", token=admin)).json
    assert archived["status"] == "archived"
    assert listing_id in [i["id"] for i in await _all(api, "/api/v1/admin/listings?status=archived", token=admin)]
    assert (await api.delete(f"/api/v1/admin/listings/{listing_id}", token=admin)).status == 204  # again: harmless
    assert (await api.delete("/api/v1/admin/listings/999999", token=admin)).status == 404
    assert (await api.put("/api/v1/admin/listings/999999", {"title": "x"}, token=admin)).status == 404

    # republishing an archived entry keeps its date
    r = await api.put(f"/api/v1/admin/listings/{listing_id}", {"status": "published"}, token=admin)
    assert r.json["published_at"] == archived["published_at"]
    types = [r["type"] for r in await deps.db.fetchall(
        sa.select(events.c.type).where(events.c.entity == "listing", events.c.entity_id == listing_id)
        .order_by(events.c.id))]
    assert types == ["listing.created"] + ["listing.updated"] * 3 + ["listing.archived", "listing.updated"]


async def test_create_is_idempotent_with_a_key(api):
    admin = await api.login_password("admin")
    h = {"Idempotency-Key": "listing-1"}
    first = await api.post("/api/v1/admin/listings", BASE, token=admin, headers=h)
    again = await api.post("/api/v1/admin/listings", BASE, token=admin, headers=h)
    assert first.status == again.status == 201 and first.json["id"] == again.json["id"]
    other = await api.post("/api/v1/admin/listings", {**BASE, "title": "别的"}, token=admin, headers=h)
    assert other.status == 422 and other.code == "IDEMPOTENCY_CONFLICT"
    assert len(await _all(api, "/api/v1/listings?q=软件工程师")) == 1


async def test_listing_validation(api):
    admin = await api.login_password("admin")

    async def fields(body, method="post", path="/api/v1/admin/listings"):
        r = await getattr(api, method)(path, body, token=admin)
        assert r.status == 400 and r.code == "INVALID_REQUEST", r
        assert r.json["error"]["message"]
        return r.json["error"]["details"]["fields"]

    assert set(await fields({})) == {"kind", "title", "body"}
    f = await fields({**BASE, "title": 123, "body": ["x"], "contact": {"a": 1}})
    assert f == {"title": "应为字符串", "body": "应为字符串", "contact": "应为字符串"}
    assert "title" in await fields({**BASE, "title": ""})
    assert "title" in await fields({**BASE, "title": "   "})
    assert "title" in await fields({**BASE, "title": "第一行\n第二行"})
    assert "title" in await fields({**BASE, "title": "长" * 201})
    assert "kind" in await fields({**BASE, "kind": "job"})
    assert "status" in await fields({**BASE, "status": "archived"})  # archive with DELETE
    assert "body" in await fields({**BASE, "body": "x\u0000y"})
    assert (await fields({**BASE, "body": "字" * (BODY_MAX + 1)})) == {"body": f"长度不能超过{BODY_MAX}"}
    r = await api.post("/api/v1/admin/listings", {**BASE, "body": "字" * BODY_MAX}, token=admin)
    assert r.status == 201  # exactly at the limit
    r = await api.call("POST", "/api/v1/admin/listings", token=admin, headers={"Content-Type": "application/json"},
                       body=json.dumps({**BASE, "body": "x" * (2 * 1024 * 1024)}).encode())
    assert r.status == 413 and r.code == "PAYLOAD_TOO_LARGE"

    listing_id = (await _all(api, "/api/v1/listings?kind=demand"))[0]["id"]
    path = f"/api/v1/admin/listings/{listing_id}"
    assert (await fields({"title": None, "body": None}, "put", path)) == {"title": "不能为空", "body": "不能为空"}
    assert "status" in await fields({"status": "deleted"}, "put", path)
    assert (await api.get(f"/api/v1/listings/{listing_id}")).status == 200


async def test_holders_and_anonymous_cannot_publish(api):
    holder = await api.login_sms("13800000001")
    some_id = (await _all(api, "/api/v1/listings"))[0]["id"]
    for token, status in ((holder, 403), (None, 401)):
        assert (await api.post("/api/v1/admin/listings", BASE, token=token)).status == status
        assert (await api.put(f"/api/v1/admin/listings/{some_id}", {"title": "x"}, token=token)).status == status
        assert (await api.delete(f"/api/v1/admin/listings/{some_id}", token=token)).status == status
        assert (await api.get("/api/v1/admin/listings", token=token)).status == status
    # the public side works for both
    assert (await api.get(f"/api/v1/listings/{some_id}", token=holder)).status == 200
    assert await _all(api, "/api/v1/listings?q=软件工程师") == []


async def test_list_queries_are_served_by_indexes(deps):
    """The page statements use ix_listings_kind (kind, status, id) or the primary key: no sort, no table scan."""
    db = deps.db
    kind_sql, defaults = list_query(kind=True, status=True, search=False, cursor=True).compiled(db.dialect)
    all_sql, _ = list_query(kind=False, status=True, search=True, cursor=True).compiled(db.dialect)
    params = {**defaults, "kind": "demand", "status": "published", "cursor": 10**9, "n": 21, "like": "%x%"}
    async with db.connection() as c:
        if db.dialect == "sqlite":
            plan = " ".join(r["detail"] for r in await c._run("EXPLAIN QUERY PLAN " + kind_sql, params, "all"))
            assert "USING INDEX ix_listings_kind" in plan and "TEMP B-TREE" not in plan, plan
            plan = " ".join(r["detail"] for r in await c._run("EXPLAIN QUERY PLAN " + all_sql, params, "all"))
            assert "USING INTEGER PRIMARY KEY" in plan and "TEMP B-TREE" not in plan, plan
        else:
            [row] = await c._run("EXPLAIN " + kind_sql, params, "all")
            assert row["key"] in ("ix_listings_kind", "PRIMARY") and "filesort" not in (row["Extra"] or ""), row
            assert "ix_listings_kind" in row["possible_keys"], row
            [row] = await c._run("EXPLAIN " + all_sql, params, "all")
            assert row["key"] == "PRIMARY" and "filesort" not in (row["Extra"] or ""), row
