"""Green-channel appointments end to end (issue: booking, the clerk's five actions, messages, ratings,
supervision, comprehensive query)."""

import asyncio
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from server.appointments import supervision
from server.db.tables import appointments, outbox, services, windows


async def ids(deps):
    svc = {r["code"]: str(r["id"]) for r in await deps.db.fetchall(sa.select(services.c.code, services.c.id))}
    win = {r["district"] if not r["is_city"] else "city": str(r["id"])
           for r in await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.is_city))}
    return svc, win


async def book(api, token, svc, win, content="孩子需要转学到文登区，请协助办理。", **kw):
    return await api.post("/api/v1/appointments", {"service_id": svc, "window_id": win, "content": content}, token=token, **kw)


async def act(api, token, appt, action, opinion="同意", **extra):
    return await api.post(f"/api/v1/staff/appointments/{appt['id']}/actions",
                          {"action": action, "opinion": opinion, "version": appt["version"], **extra}, token=token)


async def sms(api, phone):
    return (await api.get(f"/api/v1/dev/sms?phone={phone}")).json["items"]


async def deliver(deps):
    while await deps.relay.run_once():
        pass


async def test_book_accept_prereview_complete_rate(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    clerk = await api.login_password("wendeng_window")
    r = await book(api, zhang, svc["child_school"], win["文登区"])
    assert r.status == 201 and r.json["status"] == "submitted" and r.json["deadline_at"]
    appt = r.json
    await deliver(deps)
    assert (await sms(api, "13900000101"))[0]["template"] == "work_arrived"

    listed = (await api.get("/api/v1/staff/appointments?status=submitted", token=clerk)).json["items"]
    assert appt["id"] in [a["id"] for a in listed]
    for action, opinion, status in [("accept", "材料齐全，予以受理", "accepted"),
                                    ("prereview", "已与教育局对接", "prereviewed"),
                                    ("complete", "已安排入学，请按时报到", "completed")]:
        r = await act(api, clerk, appt, action, opinion)
        assert r.status == 200 and r.json["status"] == status, r
        appt = r.json
    mine = (await api.get(f"/api/v1/appointments/{appt['id']}", token=zhang)).json
    assert [h["action"] for h in mine["history"]] == ["submit", "accept", "prereview", "complete"]
    assert mine["history"][1]["opinion"] == "材料齐全，予以受理" and mine["history"][1]["actor_name"] == "刘敏"
    assert mine["deadline_at"] is None and mine["overdue"] is False
    await deliver(deps)
    texts = [m for m in await sms(api, "13800000001") if m["template"] in ("appointment_feedback", "rating_invite")]
    assert [m["template"] for m in texts][:4] == ["rating_invite", "appointment_feedback", "appointment_feedback",
                                                  "appointment_feedback"]
    assert "已安排入学" in texts[1]["text"] and "子女入学" in texts[1]["text"]

    r = await api.post(f"/api/v1/appointments/{appt['id']}/rating", {"stars": 5, "comment": "办理很快"}, token=zhang)
    assert r.status == 201 and r.json["stars"] == 5
    r = await api.post(f"/api/v1/appointments/{appt['id']}/rating", {"stars": 4}, token=zhang)
    assert r.status == 409 and r.code == "ALREADY_RATED"
    assert (await api.get(f"/api/v1/appointments/{appt['id']}", token=zhang)).json["rating"]["stars"] == 5


async def test_demo_completed_appointment_can_be_rated_once(api):
    zhang = await api.login_sms("13800000001")
    done = (await api.get("/api/v1/me/appointments?status=completed", token=zhang)).json["items"]
    assert len(done) == 1 and done[0]["service"]["name"] == "子女入学"
    assert (await api.post(f"/api/v1/appointments/{done[0]['id']}/rating", {"stars": 5}, token=zhang)).status == 201


async def test_forward_moves_work_to_the_city_window_and_return_allows_resubmit(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    wendeng = await api.login_password("wendeng_window")
    city = await api.login_password("city_window")
    appt = (await book(api, zhang, svc["talent_housing"], win["文登区"])).json
    r = await act(api, wendeng, appt, "forward", "属市级人才公寓，转市级窗口办理")
    assert r.status == 400 and "to_window_id" in r.json["error"]["details"]["fields"]
    r = await act(api, wendeng, appt, "forward", "属市级人才公寓，转市级窗口办理", to_window_id=win["city"])
    assert r.status == 200 and r.json["status"] == "submitted" and r.json["window"]["id"] == win["city"]
    assert r.json["history"][-1]["to_window"] == "威海市人才服务中心（市级窗口）"
    assert appt["id"] not in [a["id"] for a in (await api.get("/api/v1/staff/appointments", token=wendeng)).json["items"]]
    city_list = (await api.get(f"/api/v1/staff/appointments?window_id={win['city']}", token=city)).json["items"]
    assert appt["id"] in [a["id"] for a in city_list]
    # the forwarder keeps read access (read-only) and finds it under 已转办
    r = await api.get(f"/api/v1/appointments/{appt['id']}", token=wendeng)
    assert r.status == 200 and r.json["read_only"] is True
    fwd = (await api.get("/api/v1/staff/appointments?forwarded=true", token=wendeng)).json["items"]
    assert [a["id"] for a in fwd] == [appt["id"]]
    r = await act(api, wendeng, (await api.get(f"/api/v1/appointments/{appt['id']}", token=wendeng)).json, "accept", "受理")
    assert r.status in (403, 404), "read access only"
    await deliver(deps)
    assert (await sms(api, "13900000102"))[0]["template"] == "work_arrived"

    current = (await api.get(f"/api/v1/appointments/{appt['id']}", token=city)).json
    r = await act(api, city, current, "return", "请补充房产情况说明")
    assert r.status == 200 and r.json["status"] == "returned"
    mine = (await api.get(f"/api/v1/appointments/{appt['id']}", token=zhang)).json
    assert mine["history"][-1]["opinion"] == "请补充房产情况说明"
    r = await api.post(f"/api/v1/appointments/{appt['id']}/resubmit",
                       {"content": "已补充：本人及配偶在威海无自有住房。", "version": mine["version"]}, token=zhang)
    assert r.status == 200 and r.json["status"] == "submitted" and r.json["content"].startswith("已补充")
    r = await api.post(f"/api/v1/appointments/{appt['id']}/cancel", {"version": r.json["version"]}, token=zhang)
    assert r.status == 200 and r.json["status"] == "cancelled"


async def test_disabled_or_missing_card_cannot_book(api, deps):
    svc, win = await ids(deps)
    wangwu = await api.login_sms("13800000003")
    r = await book(api, wangwu, svc["child_school"], win["文登区"])
    assert r.status == 403 and r.code == "CARD_DISABLED"
    lisi = await api.login_sms("13800000002")
    r = await book(api, lisi, svc["child_school"], win["文登区"])
    assert r.status == 403 and r.code == "NO_CARD"
    zhang = await api.login_sms("13800000001")
    admin = await api.login_password("admin")
    await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "核查"}, token=admin)
    r = await book(api, zhang, svc["child_school"], win["文登区"])
    assert r.status == 403 and r.code == "CARD_DISABLED"
    await api.post("/api/v1/admin/cards/WH202400000001/enable", {}, token=admin)
    assert (await book(api, zhang, svc["child_school"], win["文登区"])).status == 201


async def test_booking_rules_and_idempotency(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    r = await book(api, zhang, svc["airport_vip"], win["文登区"])
    assert r.status == 422 and r.code == "SERVICE_NOT_BOOKABLE"
    r = await book(api, zhang, "999999", win["文登区"])
    assert r.status == 404
    h = {"Idempotency-Key": "book-1"}
    a = await book(api, zhang, svc["hukou"], win["文登区"], headers=h)
    b = await book(api, zhang, svc["hukou"], win["文登区"], headers=h)
    assert a.status == b.status == 201 and a.json["id"] == b.json["id"]
    count = sa.select(sa.func.count()).select_from(appointments)
    n = await deps.db.fetchval(count.where(appointments.c.service_id == int(svc["hukou"])))
    assert n == 1


async def test_not_eligible_level(api, deps):
    svc, win = await ids(deps)
    # 张三 holds an A card; a service for B only refuses him
    await deps.db.execute(services.update().where(services.c.code == "spouse_job").values(eligible_levels="B"))
    zhang = await api.login_sms("13800000001")
    r = await book(api, zhang, svc["spouse_job"], win["文登区"])
    assert r.status == 403 and r.code == "NOT_ELIGIBLE"


async def test_two_clerks_accept_at_once_one_wins(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    appt = (await book(api, zhang, svc["child_school"], win["city"])).json
    city = await api.login_password("city_window")
    pc, phone = await asyncio.gather(act(api, city, appt, "accept", "PC端受理"), act(api, city, appt, "accept", "手机端受理"))
    assert sorted([pc.status, phone.status]) == [200, 409]
    loser = pc if pc.status == 409 else phone
    assert loser.code == "VERSION_CONFLICT" and loser.json["error"]["details"]["current"]["status"] == "accepted"
    final = (await api.get(f"/api/v1/appointments/{appt['id']}", token=zhang)).json
    assert [h["action"] for h in final["history"]] == ["submit", "accept"]


async def test_actions_out_of_order_and_bad_input(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    clerk = await api.login_password("wendeng_window")
    appt = (await book(api, zhang, svc["child_school"], win["文登区"])).json
    r = await act(api, clerk, appt, "complete")
    assert r.status == 409 and r.code == "INVALID_TRANSITION" and r.json["error"]["details"]["current"]["status"] == "submitted"
    r = await act(api, clerk, appt, "accept", "")
    assert r.status == 400 and "opinion" in r.json["error"]["details"]["fields"]
    r = await api.post(f"/api/v1/staff/appointments/{appt['id']}/actions", {"action": "approve", "version": 1}, token=clerk)
    assert r.status == 400
    r = await api.post(f"/api/v1/appointments/{appt['id']}/rating", {"stars": 5}, token=zhang)
    assert r.status == 409 and r.code == "INVALID_TRANSITION"
    for stars in (0, 6, "five"):
        assert (await api.post(f"/api/v1/appointments/{appt['id']}/rating", {"stars": stars}, token=zhang)).status == 400
    r = await api.post("/api/v1/appointments", {"service_id": svc["child_school"], "window_id": win["文登区"], "content": ""},
                       token=zhang)
    assert r.status == 400
    r = await api.post("/api/v1/appointments", {"service_id": 5, "window_id": win["文登区"], "content": "x"}, token=zhang)
    assert r.status == 400
    # another window's clerk cannot see or act on it
    other = await api.login_password("city_window")
    assert (await act(api, other, appt, "accept")).status == 200, "the city window may act on every window's work"
    lisi = await api.login_sms("13800000002")
    assert (await api.get(f"/api/v1/appointments/{appt['id']}", token=lisi)).status == 404


async def test_supervision_once_a_day_per_window(api, deps, clock):
    from tests.calendar.test_calendar import set_clock
    svc, win = await ids(deps)
    set_clock(clock, "2026-12-07T10:00")  # a Monday: 督办 runs on working days only
    zhang = await api.login_sms("13800000001")
    await book(api, zhang, svc["child_school"], win["文登区"])
    await book(api, zhang, svc["hukou"], win["city"])
    clock.advance(3 * 24 * 3600)  # Thursday: past the 48-hour acceptance limit
    clerk = await api.login_password("wendeng_window")
    listed = (await api.get("/api/v1/staff/appointments?overdue=true", token=clerk)).json["items"]
    assert listed and all(a["overdue"] for a in listed)
    first, second = await asyncio.gather(supervision.run_daily(deps), supervision.run_daily(deps))
    assert first + second == 2, "one per overdue window, even with two workers at once"
    assert await supervision.run_daily(deps) == 0
    await deliver(deps)
    assert [m["template"] for m in await sms(api, "13900000101")].count("supervision") == 1
    assert [m["template"] for m in await sms(api, "13900000102")].count("supervision") == 1
    clock.advance(24 * 3600)
    assert await supervision.run_daily(deps) == 2, "the next day, again"

    city = await api.login_password("city_window")
    clerk = await api.login_password("wendeng_window")  # a day later: staff sessions end after 2 idle hours
    r = await api.post("/api/v1/staff/supervision", {"window_id": win["文登区"]}, token=city)
    assert r.status == 202 and r.json["overdue_count"] == 1
    r = await api.post("/api/v1/staff/supervision", {"window_id": win["文登区"]}, token=clerk)
    assert r.status == 403
    r = await api.post("/api/v1/staff/supervision", {"window_id": win["荣成市"]}, token=city)
    assert r.status == 422 and r.code == "NOTHING_OVERDUE"


async def test_staff_list_filters_scope_and_pages(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    for i in range(5):
        await book(api, zhang, svc["child_school"], win["文登区"], content=f"第{i}件")
    await book(api, zhang, svc["hukou"], win["city"])
    clerk = await api.login_password("wendeng_window")
    city = await api.login_password("city_window")
    mine = (await api.get("/api/v1/staff/appointments?limit=100", token=clerk)).json["items"]
    assert {a["window"]["id"] for a in mine} == {win["文登区"]}, "window staff see their windows only"
    everything = (await api.get("/api/v1/staff/appointments?limit=100", token=city)).json["items"]
    assert len(everything) == len(mine) + 1
    seen, cursor = [], None
    while True:
        r = await api.get("/api/v1/staff/appointments?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=city)
        seen += [a["id"] for a in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    assert seen == [a["id"] for a in everything]
    q = f"service_id={svc['hukou']}&district=环翠区&status=submitted&overdue=false"
    r = (await api.get(f"/api/v1/staff/appointments?{q}", token=city)).json["items"]
    assert len(r) == 1 and r[0]["service"]["name"] == "落户服务"
    today = (await api.get("/api/v1/staff/appointments?limit=1", token=city)).json["items"][0]["created_at"][:10]
    r = (await api.get(f"/api/v1/staff/appointments?from={today}&to={today}&limit=100", token=city)).json["items"]
    assert len(r) == 6
    r = (await api.get("/api/v1/staff/appointments?from=2000-01-01&to=2000-01-02", token=city)).json["items"]
    assert r == []
    r = (await api.get("/api/v1/staff/appointments?q=张三&limit=100", token=city)).json["items"]
    assert len(r) == 7
    for bad in ("status=nope", "from=yesterday", "overdue=maybe", "limit=0", "cursor=abc", "window_id=x"):
        assert (await api.get(f"/api/v1/staff/appointments?{bad}", token=city)).status == 400, bad


async def test_export_opens_with_chinese_headers_and_filtered_rows(api, deps):
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    for _ in range(3):
        await book(api, zhang, svc["child_school"], win["文登区"])
    clerk = await api.login_password("wendeng_window")
    r = await api.get("/api/v1/staff/appointments/export.xlsx?status=submitted", token=clerk)
    assert r.status == 200 and "spreadsheetml" in r.headers["Content-Type"]
    rows = list(openpyxl.load_workbook(io.BytesIO(r.body)).active.values)
    assert rows[0][:4] == ("编号", "状态", "是否超时", "服务")
    assert len(rows) == 4 and {row[1] for row in rows[1:]} == {"待受理"}
    assert rows[1][7] == "138****0001"


async def test_wechat_subscribe_message_is_queued_for_subscribers(api, deps):
    from server.db.tables import accounts, wechat_bindings
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    zid = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    now = deps.clock()
    await deps.db.execute(wechat_bindings.insert().values(app_id=deps.config.wechat_mp_app_id, openid="o-zhang",
                                                          account_id=zid, created_at=now, updated_at=now))
    r = await api.post("/api/v1/me/wechat-subscriptions", {"template": "appointment_progress"}, token=zhang)
    assert r.status == 200 and r.json["remaining"] == 1
    appt = (await book(api, zhang, svc["child_school"], win["文登区"])).json
    clerk = await api.login_password("wendeng_window")
    appt = (await act(api, clerk, appt, "accept", "受理")).json
    await act(api, clerk, appt, "prereview", "预审")
    rows = await deps.db.fetchall(sa.select(outbox).where(outbox.c.channel == "wechat_subscribe"))
    assert len(rows) == 1, "one message per subscription"
    assert rows[0]["recipient"] == "o-zhang" and json.loads(rows[0]["params"])["status"] == "待预审"


async def test_me_names_a_clerks_windows(api, deps):
    svc, win = await ids(deps)
    me = (await api.get("/api/v1/me", token=await api.login_password("wendeng_window"))).json
    assert me["window_ids"] == [win["文登区"]] and me["sees_all_windows"] is False
    me = (await api.get("/api/v1/me", token=await api.login_password("city_window"))).json
    assert me["window_ids"] == [win["city"]] and me["sees_all_windows"] is True
    me = (await api.get("/api/v1/me", token=await api.login_sms("13800000001"))).json
    assert "window_ids" not in me or me["window_ids"] is None


@pytest.mark.parametrize("role", ["holder", "reviewer"])
async def test_staff_endpoints_refuse_others(api, role):
    token = await (api.login_sms("13800000001") if role == "holder" else api.login_password("agri_reviewer"))
    assert (await api.get("/api/v1/staff/appointments", token=token)).status == 403


async def test_subscribe_message_goes_through_wechatpy_to_the_fake(api, deps, fake_wechat):
    """The relay delivers the queued subscribe message through wechatpy to (fake) WeChat."""
    from server.db.tables import accounts, wechat_bindings
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    zid = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    now = deps.clock()
    await deps.db.execute(wechat_bindings.insert().values(app_id=deps.config.wechat_mp_app_id, openid="o-zhang",
                                                          account_id=zid, created_at=now, updated_at=now))
    await api.post("/api/v1/me/wechat-subscriptions", {"template": "appointment_progress"}, token=zhang)
    appt = (await book(api, zhang, svc["child_school"], win["文登区"])).json
    clerk = await api.login_password("wendeng_window")
    await act(api, clerk, appt, "accept", "材料齐全，予以受理")
    await deliver(deps)
    assert len(fake_wechat.subscribe_messages) == 1
    msg = fake_wechat.subscribe_messages[0]
    assert msg["touser"] == "o-zhang" and msg["data"]["thing1"]["value"] == "子女入学"
    assert msg["data"]["phrase2"]["value"] == "待预审"
    sent = await deps.db.fetchval(sa.select(outbox.c.status).where(outbox.c.channel == "wechat_subscribe"))
    assert sent == "sent"


async def test_cancel_needs_the_version_the_holder_saw(api, deps):
    """400 without a version, 409 VERSION_CONFLICT (with the appointment as it is now) when stale."""
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    appt = (await book(api, zhang, svc["child_school"], win["文登区"])).json
    for body in ({}, {"version": None}, {"version": "x"}):
        r = await api.post(f"/api/v1/appointments/{appt['id']}/cancel", body, token=zhang)
        assert r.status == 400 and r.code == "INVALID_REQUEST" and "version" in r.json["error"]["details"]["fields"], r
    r = await api.post(f"/api/v1/appointments/{appt['id']}/cancel", {"version": appt["version"] + 1}, token=zhang)
    assert r.status == 409 and r.code == "VERSION_CONFLICT" and r.json["error"]["details"]["current"]["status"] == "submitted"
    r = await api.post(f"/api/v1/appointments/{appt['id']}/cancel", {"version": appt["version"]}, token=zhang)
    assert r.status == 200 and r.json["status"] == "cancelled"


@pytest.mark.parametrize("attachment", ["abc", "1.5", "", "9" * 40, "١٢"])
async def test_an_attachment_id_that_is_not_a_number_is_a_400(api, deps, attachment):
    """A non-numeric attachment id reached int() in the service: a 500 (found by the fuzzer)."""
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    r = await api.post("/api/v1/appointments", {"service_id": svc["child_school"], "window_id": win["文登区"],
                                                "content": "请协助办理", "attachments": [attachment]}, token=zhang)
    assert r.status == 400 and r.code == "INVALID_REQUEST", r
    assert any(k.startswith("attachments") for k in r.json["error"]["details"]["fields"])


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=0014-11-29&to=9999-12-31"])
async def test_dates_at_the_ends_of_the_calendar_are_a_400(api, query):
    """`to=9999-12-31` overflowed `date + 1 day` in the filter (a 500, found by the fuzzer)."""
    clerk = await api.login_password("city_window")
    for path in ("/api/v1/staff/appointments", "/api/v1/staff/appointments/export.xlsx"):
        r = await api.get(f"{path}?{query}", token=clerk)
        assert r.status == 400 and r.code == "INVALID_REQUEST", r


async def test_export_writes_submission_times_as_excel_date_times(api, deps):
    import datetime as dt
    svc, win = await ids(deps)
    zhang = await api.login_sms("13800000001")
    await book(api, zhang, svc["child_school"], win["文登区"])
    clerk = await api.login_password("wendeng_window")
    r = await api.get("/api/v1/staff/appointments/export.xlsx?status=submitted", token=clerk)
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
    cell = ws.cell(row=2, column=10)  # 提交时间
    assert isinstance(cell.value, dt.datetime) and cell.number_format == 'yyyy"年"m"月"d"日" hh:mm:ss'
    created = (await api.get("/api/v1/staff/appointments?status=submitted", token=clerk)).json["items"][0]["created_at"]
    assert abs((cell.value - dt.datetime.fromisoformat(created).replace(tzinfo=None)).total_seconds()) < 1


async def test_first_subscription_grants_at_once_both_count(api, deps):
    """Two first grants of one template at once (a double tap): one upsert each, no duplicate-key 500,
    and the counter ends at 2; the cap holds (50)."""
    zhang = await api.login_sms("13800000001")
    answers = await asyncio.gather(*(api.post("/api/v1/me/wechat-subscriptions", {"template": "appointment_progress"},
                                              token=zhang) for _ in range(2)))
    assert [r.status for r in answers] == [200, 200], answers
    assert sorted(r.json["remaining"] for r in answers)[-1] == 2
    for _ in range(60):
        r = await api.post("/api/v1/me/wechat-subscriptions", {"template": "appointment_progress"}, token=zhang)
    assert r.status == 200 and r.json["remaining"] == 50
    r = await api.post("/api/v1/me/wechat-subscriptions", {"template": "appointment_progress", "accepted": False},
                       token=zhang)
    assert r.json["remaining"] == 50
