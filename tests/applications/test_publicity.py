"""公示 (issue 14 item 6): approved → publicizing → the worker issues the card when the period ends;
an objection returns it to review. PUBLICITY_DAYS counts working days."""

import asyncio

import pytest

from server.applications import publicity
from server.worker import JOBS, run_once
from tests.calendar.test_calendar import set_clock


@pytest.fixture
def config_overrides():
    return {"PUBLICITY_DAYS": "5"}


async def _version(api, token, app_id):
    return (await api.get(f"/api/v1/applications/{app_id}", token=token)).json["version"]


async def approve_through(api, lisi, app_id):
    """李四's draft: submit, then 市农业农村局 → 初审 → 终审 approve."""
    r = await api.post(f"/api/v1/applications/{app_id}/submit", {"version": await _version(api, lisi, app_id)},
                       token=lisi)
    assert r.status == 200, r
    for who in ("agri_reviewer", "city_reviewer", "city_reviewer"):
        token = await api.login_password(who)
        r = await api.post(f"/api/v1/review/applications/{app_id}/actions",
                           {"action": "approve", "opinion": "同意", "version": await _version(api, token, app_id)},
                           token=token)
        assert r.status == 200, r
    return r.json


async def lisi_draft(api):
    """李四's token and the id of his draft (one SMS login: the code is limited to one a minute)."""
    lisi = await api.login_sms("13800000002")
    return lisi, (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]["id"]


async def test_publicity_then_the_worker_issues_the_card(api, deps, clock):
    set_clock(clock, "2026-12-07T10:00")  # a Monday
    lisi, app_id = await lisi_draft(api)
    app = await approve_through(api, lisi, app_id)
    assert app["status"] == "publicizing" and app["status_name"] == "公示中" and not app.get("card_no")
    assert app["current_stage"]["name"] == "公示"
    assert [s["state"] for s in app["stages"]][-2:] == ["current", "pending"]
    assert (await api.get("/api/v1/me/card", token=lisi)).code == "NO_CARD"

    r = await api.get("/api/v1/publicity")  # anonymous
    assert r.status == 200 and len(r.json["items"]) == 1, r
    item = r.json["items"][0]
    assert item["name_masked"] == "李*" and item["level"] == "B" and item["employer"]
    # five working days: 12-08 … 12-11 and 12-14
    assert item["ends_at"] == "2026-12-15T00:00:00+08:00"
    assert "13800000002" not in r.body.decode() and "李四" not in r.body.decode()

    set_clock(clock, "2026-12-14T23:00")
    assert await publicity.issue_due(deps) == 0
    set_clock(clock, "2026-12-15T00:05")
    # two workers at once: one card
    first, second = await asyncio.gather(publicity.issue_due(deps), publicity.issue_due(deps))
    assert first + second == 1
    await run_once(deps, [j for j in JOBS if j.name == "publicity"])  # the scheduled job: nothing left
    lisi = await api.login_sms("13800000002")
    card = await api.get("/api/v1/me/card", token=lisi)
    assert card.status == 200 and card.json["level"] == "B", card
    app = (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json
    assert app["status"] == "approved" and app["card_no"] == card.json["card_no"]
    assert [h["action"] for h in app["history"]][-1] == "issue"
    assert [s["name"] for s in app["stages"]][-2:] == ["公示", "领卡"] and app["stages"][-1]["state"] == "done"
    assert (await api.get("/api/v1/publicity")).json["items"] == []


async def test_an_objection_returns_it_to_final_review(api, deps, clock):
    set_clock(clock, "2026-12-07T10:00")
    lisi, app_id = await lisi_draft(api)
    await approve_through(api, lisi, app_id)
    admin = await api.login_password("admin")
    path = f"/api/v1/admin/publicity/{app_id}/objection"
    assert (await api.post(path, {"opinion": " "}, token=admin)).status == 400
    r = await api.post(path, {"opinion": "群众反映荣誉称号证明存疑"}, token=admin)
    assert r.status == 200 and r.json["status"] == "submitted", r
    assert r.json["current_stage"]["name"] == "市人社局终审"
    assert r.json["history"][-1]["action"] == "objection" and "存疑" in r.json["history"][-1]["opinion"]
    r = await api.post(path, {"opinion": "再次异议"}, token=admin)
    assert r.status == 409 and r.code == "INVALID_TRANSITION"
    assert (await api.post("/api/v1/admin/publicity/999999/objection", {"opinion": "x"}, token=admin)).status == 404
    assert (await api.get("/api/v1/publicity")).json["items"] == []
    set_clock(clock, "2026-12-16T10:00")
    assert await publicity.issue_due(deps) == 0, "no card after an objection"
    city = await api.login_password("city_reviewer")
    queue = (await api.get("/api/v1/review/applications", token=city)).json["items"]
    assert app_id in [a["id"] for a in queue]
    # the final reviewer approves again: a new period begins
    r = await api.post(f"/api/v1/review/applications/{app_id}/actions",
                       {"action": "approve", "opinion": "核实无误", "version": await _version(api, city, app_id)},
                       token=city)
    assert r.json["status"] == "publicizing" and r.json["current_stage"]["ends_at"] == "2026-12-24T00:00:00+08:00"


async def test_one_application_at_a_time_includes_publicity(api, clock):
    set_clock(clock, "2026-12-07T10:00")
    lisi, app_id = await lisi_draft(api)
    await approve_through(api, lisi, app_id)
    # said when the draft is started (not only at its submission)
    r = await api.post("/api/v1/applications", {"type": "new", "form": {}}, token=lisi)
    assert r.status == 409 and r.code == "APPLICATION_IN_PROGRESS", "a card in 公示 is still in progress"
