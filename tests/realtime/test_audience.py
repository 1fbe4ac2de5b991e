"""Issue 10.1: live events reach the people and records they concern, never a whole org, and
say no more than the HTTP answers do. Real flows (booking, review, scans) over real sockets."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import sqlalchemy as sa

from server.app import make_app
from server.db.tables import accounts, events, services, window_staff, windows
from server.events.log import audience, masked
from server.realtime.hub import Hub, stop_hub
from tests.realtime.test_ws import connect, emit

WHO = ("wendeng_window", "wendeng_reviewer", "city_window", "city_reviewer", "agri_reviewer",
       "airport_staff", "hospital_staff", "admin")


@pytest.fixture
def app(deps, io_loop):
    app = make_app(deps)
    app.settings["realtime_hub"] = Hub(deps.db, deps.clock, poll_seconds=0.05, recheck_seconds=0.5)
    yield app
    io_loop.run_sync(lambda: stop_hub(app))


@pytest.fixture
def ws_url(http_server, http_server_port):
    return f"ws://127.0.0.1:{http_server_port[1]}/api/v1/ws"


class Room:
    """Everyone connected at once; each socket's messages collected as they arrive."""

    def __init__(self):
        self.conns: dict[str, object] = {}
        self.got: dict[str, list[dict]] = {}
        self.tasks: list[asyncio.Task] = []
        self.token: dict[str, str] = {}

    async def join(self, url: str, name: str, token: str) -> None:
        self.token[name] = token
        conn = await connect(url, token)
        self.conns[name], self.got[name] = conn, []

        async def pump():
            while (msg := await conn.read_message()) is not None:
                self.got[name].append({**json.loads(msg), "_t": time.monotonic()})

        self.tasks.append(asyncio.create_task(pump()))

    async def settle(self, seconds: float = 0.6) -> None:
        await asyncio.sleep(seconds)

    def types(self, name: str) -> list[str]:
        return [m["type"] for m in self.got[name]]

    def clear(self) -> None:
        for v in self.got.values():
            v.clear()

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()
        for t in self.tasks:
            t.cancel()


@pytest.fixture
def room(api, ws_url, io_loop):
    r = Room()

    async def fill():
        for name in WHO:
            await r.join(ws_url, name, await api.login_password(name))
        await r.join(ws_url, "zhang", await api.login_sms("13800000001"))
        await r.join(ws_url, "lisi", await api.login_sms("13800000002"))

    io_loop.run_sync(fill)
    yield r
    r.close()


async def _ids(deps):
    svc = {r["code"]: str(r["id"]) for r in await deps.db.fetchall(sa.select(services.c.code, services.c.id))}
    win = {r["district"] if not r["is_city"] else "city": str(r["id"])
           for r in await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.is_city))}
    return svc, win


def within_a_second(msgs: list[dict], since: float, type_: str) -> dict:
    hits = [m for m in msgs if m["type"] == type_]
    assert hits, f"no {type_} in {[m['type'] for m in msgs]}"
    assert hits[0]["_t"] - since < 1.0
    return hits[0]


async def test_appointment_events_reach_the_windows_not_the_reviewers_of_the_same_bureau(api, deps, room):
    svc, win = await _ids(deps)
    zhang = room.token["zhang"]
    t0 = time.monotonic()
    r = await api.post("/api/v1/appointments", {"service_id": svc["child_school"], "window_id": win["文登区"],
                                                "content": "孩子需要转学到文登区，请协助办理。"}, token=zhang)
    assert r.status == 201, r
    await room.settle()
    for name in ("zhang", "wendeng_window", "city_window", "admin"):
        within_a_second(room.got[name], t0, "appointment.created")
    # 文登区人社局's reviewer and the city bureau's reviewer share an org with a receiving window
    for name in ("wendeng_reviewer", "city_reviewer", "agri_reviewer", "airport_staff", "hospital_staff", "lisi"):
        assert room.types(name) == [], (name, room.got[name])

    # a forward tells both windows (and the city window, admins, the holder), still no reviewer
    room.clear()
    clerk = room.token["wendeng_window"]
    appt = r.json
    t0 = time.monotonic()
    r = await api.post(f"/api/v1/staff/appointments/{appt['id']}/actions",
                       {"action": "forward", "opinion": "请市窗口办理", "to_window_id": win["city"],
                        "version": appt["version"]}, token=clerk)
    assert r.status == 200, r
    await room.settle()
    for name in ("zhang", "wendeng_window", "city_window", "admin"):
        within_a_second(room.got[name], t0, "appointment.updated")
    for name in ("wendeng_reviewer", "city_reviewer", "agri_reviewer", "lisi"):
        assert room.types(name) == [], (name, room.got[name])


async def test_application_events_reach_the_stage_reviewers_not_the_city_window(api, room):
    lisi = room.token["lisi"]
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    t0 = time.monotonic()
    r = await api.post(f"/api/v1/applications/{draft['id']}/submit", {"version": draft["version"]}, token=lisi)
    assert r.status == 200, r
    await room.settle()
    for name in ("lisi", "agri_reviewer"):
        within_a_second(room.got[name], t0, "application.submitted")
    for name in ("city_reviewer", "wendeng_reviewer", "city_window", "wendeng_window", "zhang", "airport_staff"):
        assert room.types(name) == [], (name, room.got[name])

    # 市农业农村局 approves: the application moves to the city bureau's first review
    room.clear()
    agri = room.token["agri_reviewer"]
    app = (await api.get(f"/api/v1/applications/{draft['id']}", token=agri)).json
    t0 = time.monotonic()
    r = await api.post(f"/api/v1/review/applications/{draft['id']}/actions",
                       {"action": "approve", "opinion": "同意", "version": app["version"]}, token=agri)
    assert r.status == 200, r
    await room.settle()
    for name in ("lisi", "agri_reviewer", "city_reviewer"):
        within_a_second(room.got[name], t0, "application.updated")
    # the city window's clerks share the city bureau's org, but review is not their work
    for name in ("city_window", "wendeng_reviewer", "wendeng_window", "zhang"):
        assert room.types(name) == [], (name, room.got[name])


async def test_visit_events_reach_that_venue_only_with_the_card_number_masked(api, deps, room):
    zhang, staff = room.token["zhang"], room.token["airport_staff"]
    token = (await api.post("/api/v1/me/card/qr", token=zhang)).json["token"]
    t0 = time.monotonic()
    r = await api.post("/api/v1/venue/scan", {"token": token}, token=staff)
    assert r.json["verdict"] == "ok", r
    await room.settle()
    seen = within_a_second(room.got["airport_staff"], t0, "visit.recorded")
    mine = within_a_second(room.got["zhang"], t0, "visit.recorded")
    for msg in (seen, mine):
        assert "card_no" not in msg["data"] and msg["data"]["card_no_masked"] == r.json["card_no_masked"]
        assert "WH202400000001" not in json.dumps(msg, ensure_ascii=False)
    for name in ("hospital_staff", "wendeng_window", "city_window", "wendeng_reviewer", "lisi"):
        assert room.types(name) == [], (name, room.got[name])
    # the signed PC-side feed still carries the full number (the PC system owns the card)
    row = await deps.db.fetchone(sa.select(events).where(events.c.type == "visit.recorded"))
    assert json.loads(row["data"])["card_no"] == "WH202400000001"


async def test_card_status_changes_reach_the_holder_and_admins_only(api, room):
    admin = room.token["admin"]
    t0 = time.monotonic()
    r = await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "核查"}, token=admin)
    assert r.status == 200, r
    await room.settle()
    for name in ("zhang", "admin"):
        msg = within_a_second(room.got[name], t0, "card.status_changed")
        assert msg["data"]["card_no"] == "WH202400000001"  # both see the full number over HTTP too
    for name in set(room.got) - {"zhang", "admin"}:
        assert room.types(name) == [], (name, room.got[name])


def test_socket_payloads_mask_phones_and_id_numbers_anywhere():
    data = {"phone": "13800000001", "nested": {"id_number": "110105198001011512"},
            "items": [{"phone": "13912345678"}], "card_no": "WH202400000001", "name": "张三"}
    out = masked("holder.upserted", data)
    assert out == {"phone_masked": "138****0001", "nested": {"id_number_masked": "110105******1512"},
                   "items": [{"phone_masked": "139****5678"}], "card_no": "WH202400000001", "name": "张三"}
    assert masked("visit.recorded", {"card_no": "WH202400000001"}) == {"card_no_masked": "WH20******0001"}


async def test_a_clerk_given_another_window_hears_of_its_work_after_the_recheck(deps, room):
    """A socket's windows are read when it connects and again on every session re-check."""
    city = await deps.db.fetchval(sa.select(windows.c.id).where(windows.c.is_city == sa.true()))
    clerk = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.username == "wendeng_window"))
    await emit(deps, audience(windows=[city]), type="appointment.updated", n=1)
    await room.settle(0.3)
    assert room.types("wendeng_window") == [] and room.types("city_window") == ["appointment.updated"]
    await deps.db.execute(window_staff.insert().values(account_id=clerk, window_id=city))
    await room.settle(1.2)  # two re-check rounds
    await emit(deps, audience(windows=[city]), type="appointment.updated", n=2)
    await room.settle(0.3)
    assert [m["data"]["n"] for m in room.got["wendeng_window"]] == [2]
    # and now the clerk is a city window clerk: the whole city's work reaches him too
    await emit(deps, audience(city_window=True), type="appointment.created", n=3)
    await room.settle(0.3)
    assert [m["data"]["n"] for m in room.got["wendeng_window"]] == [2, 3]
    assert room.types("wendeng_reviewer") == []
