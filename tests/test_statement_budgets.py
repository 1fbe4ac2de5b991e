"""Statement budgets of the hot endpoints (API.md "Performance", docs/benchmarks.md "Statement budgets").

Each request's statements are counted through the data layer's hook (the `statements` fixture): the
session look-up counts, BEGIN / COMMIT / ROLLBACK do not. On failure the statements are listed, so a
new query on a hot path shows up here with its SQL.
"""

from __future__ import annotations

import sqlalchemy as sa

from server.db.tables import services, windows
from tests.onsite.helpers import ZHANG, qr_token, scan

BUDGETS = {
    "scan": 6,
    "card_qr": 3,
    "my_card": 3,
    "list": 3,
    "staff_action": 8,
    "sms_login": 6,
    # chosen after measuring and cutting (docs/benchmarks.md): a review step (approve to the next
    # stage, return, reject) and the final approval that issues the card (the verified identity, the
    # photo, the card and its event besides the step's own statements)
    "review_action": 7,
    # an outcome the applicant hears (return, reject): + the phone, the SMS, the WeChat subscription
    "review_outcome": 10,
    "final_approval": 17,  # + the 副卡 step (the family members marked for a dependent card)
}


async def within(statements, budget: str, request):
    """Await `request` (one request's coroutine: nothing runs before it is awaited) and assert it sent
    at most its budget of statements; returns (response, count)."""
    with statements.capture() as got:
        r = await request
    assert r.status in (200, 201), r
    assert len(got) <= BUDGETS[budget], f"{budget} over its budget of {BUDGETS[budget]}: " + statements.listing(got)
    return r, len(got)


async def _ids(deps):
    svc = {r["code"]: str(r["id"]) for r in await deps.db.fetchall(sa.select(services.c.code, services.c.id))}
    win = {r["district"] if not r["is_city"] else "city": str(r["id"])
           for r in await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.is_city))}
    return svc, win


async def _book(api, token, svc, win, content="孩子需要转学到文登区，请协助办理。"):
    r = await api.post("/api/v1/appointments", {"service_id": svc, "window_id": win, "content": content}, token=token)
    assert r.status == 201, r
    return r.json


def _action(api, token, appt, action, opinion="同意", **extra):
    return api.post(f"/api/v1/staff/appointments/{appt['id']}/actions",
                    {"action": action, "opinion": opinion, "version": appt["version"], **extra}, token=token)


async def test_scan(api, statements):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    hospital = await api.login_password("hospital_staff")
    tokens = [await qr_token(api, zhang) for _ in range(3)]
    counts = []
    for staff_token, token in ((staff, tokens[0]), (staff, tokens[1]), (hospital, tokens[2])):
        r, n = await within(statements, "scan", scan(api, staff_token, token))
        assert r.json["verdict"] == "ok", r
        counts.append(n)
    # first use of the year creates the quota row, later uses the same guarded upsert; no quota, one less
    assert counts == [6, 6, 5]


async def test_card_qr_and_my_card(api, statements):
    zhang = await api.login_sms(ZHANG)
    await within(statements, "card_qr", api.post("/api/v1/me/card/qr", token=zhang))
    await within(statements, "my_card", api.get("/api/v1/me/card", token=zhang))


async def test_sms_login(api, statements):
    r = await api.post("/api/v1/auth/sms/send", {"phone": ZHANG, "purpose": "login"})
    assert r.status == 200, r
    code = await api.last_sms_code(ZHANG)
    await within(statements, "sms_login", api.post("/api/v1/auth/sms/login", {"phone": ZHANG, "code": code}))


async def test_lists(api, deps, statements):
    svc, win = await _ids(deps)
    zhang = await api.login_sms(ZHANG)
    for i in range(4):
        await _book(api, zhang, svc["child_school"], win["文登区"], content=f"第{i}件事项，请协助办理。")
    city = await api.login_password("city_window")
    clerk = await api.login_password("wendeng_window")
    await within(statements, "list", api.get("/api/v1/me/appointments", token=zhang))
    for token in (city, clerk):
        r, _ = await within(statements, "list", api.get("/api/v1/staff/appointments?limit=2", token=token))
        cursor = r.json["next_cursor"]
        assert cursor
        r, _ = await within(statements, "list",
                            api.get(f"/api/v1/staff/appointments?limit=2&cursor={cursor}", token=token))
        assert r.json["items"]


async def test_staff_actions_each_of_the_five(api, deps, statements):
    svc, win = await _ids(deps)
    zhang = await api.login_sms(ZHANG)
    clerk = await api.login_password("wendeng_window")
    appt = await _book(api, zhang, svc["child_school"], win["文登区"])
    for action in ("accept", "prereview", "complete"):
        r, _ = await within(statements, "staff_action", _action(api, clerk, appt, action))
        appt = r.json
        # the answer is built from the rows the action held: it must be what a fresh read shows
        assert (await api.get(f"/api/v1/appointments/{appt['id']}", token=clerk)).json == appt
    other = await _book(api, zhang, svc["talent_housing"], win["文登区"])
    r, _ = await within(statements, "staff_action",
                        _action(api, clerk, other, "forward", "转市级窗口办理", to_window_id=win["city"]))
    assert r.json["window"]["id"] == win["city"]
    city = await api.login_password("city_window")
    assert (await api.get(f"/api/v1/appointments/{other['id']}", token=city)).json == r.json
    r, _ = await within(statements, "staff_action", _action(api, city, r.json, "return", "请补充材料"))
    assert r.json["status"] == "returned"


async def test_review_actions(api, statements):
    lisi = await api.login_sms("13800000002")
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {"version": draft["version"]}, token=lisi)
    assert r.status == 200, r
    app = r.json

    async def review(token, action, opinion="同意", budget="review_action", **extra):
        nonlocal app
        r, n = await within(statements, budget, api.post(
            f"/api/v1/review/applications/{app['id']}/actions",
            {"action": action, "opinion": opinion, "version": app["version"], **extra}, token=token))
        app = r.json
        return n

    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    await review(agri, "approve")
    await review(city, "return", "请补充材料", budget="review_outcome")
    r = await api.post(f"/api/v1/applications/{app['id']}/submit", {"version": app["version"]}, token=lisi)
    assert r.status == 200, r
    app = r.json
    await review(city, "approve")
    await review(city, "approve", "同意发卡", budget="final_approval")  # the last stage issues the card
    assert app["status"] == "approved" and app["card_no"]
    # built from the rows the review held: the same as a fresh read
    assert (await api.get(f"/api/v1/applications/{app['id']}", token=city)).json == app
    card = await api.get("/api/v1/me/card", token=lisi)
    assert card.json["card_no"] == app["card_no"] and card.json["holder"]["photo_url"]
