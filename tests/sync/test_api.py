"""The PC-side sync API: signatures, versioned idempotent upserts, status changes, the change feed."""

import json
import secrets
import time

import pytest

from server.demo_city import id_with_check_digit
from server.sync.signature import sign

KEY, SECRET = "pc-demo", "pc-demo-secret"


class Pc:
    """The PC-side system as a client."""

    def __init__(self, api, clock):
        self.api, self.clock = api, clock

    def headers(self, method, path, query, body, *, ts=None, nonce=None, secret=SECRET, key=KEY):
        ts = str(ts if ts is not None else int(time.time() + self.clock.offset.total_seconds()))
        nonce = nonce or secrets.token_hex(12)
        return {"X-Sync-Key": key, "X-Sync-Timestamp": ts, "X-Sync-Nonce": nonce,
                "X-Sync-Signature": sign(secret, method, path, query, ts, nonce, body), "Content-Type": "application/json"}

    async def call(self, method, path, data=None, query="", **kw):
        body = json.dumps(data, ensure_ascii=False).encode() if data is not None else b""
        headers = kw.pop("headers", None) or self.headers(method, path, query, body, **kw)
        return await self.api.call(method, path + (f"?{query}" if query else ""), body=body if data is not None else None,
                                   headers=headers)


@pytest.fixture
def pc(api, clock):
    return Pc(api, clock)


ZHAO = id_with_check_digit("37100219900101001")


def holder(version, name="赵六", phone="13900000066"):
    return {"version": version, "name": name, "id_type": "resident_id", "id_number": ZHAO, "phone": phone,
            "employer_code": "91371081MA3WDJG02Y"}


def card(version, status="active", level="B"):
    return {"version": version, "holder_external_id": "PC-1001", "level": level, "status": status,
            "issued_at": "2026-01-01", "valid_until": "2029-01-01"}


async def test_push_holder_and_card_replay_and_versions(pc, api):
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-1001", holder(1))
    assert r.status == 201 and r.json == {"applied": True}
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-1001", holder(1))
    assert r.status == 200 and r.json == {"applied": False}, "a replay changes nothing"
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-1001", holder(3, name="赵六六"))
    assert r.status == 200 and r.json == {"applied": True}
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-1001", holder(2, name="旧名字"))
    assert r.json == {"applied": False}, "an older version never overwrites a newer one"

    r = await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(1))
    assert r.status == 201 and r.json == {"applied": True}
    assert (await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(1))).json == {"applied": False}
    assert (await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(2, level="A"))).json == {"applied": True}

    # the holder logs in on the phone with the pushed phone number and sees the card
    token = await api.login_sms("13900000066")
    me = (await api.get("/api/v1/me", token=token)).json
    assert me["name"] == "赵六六" and me["card"]["card_no"] == "WH202600009999" and me["card"]["level"] == "A"
    assert me["id_number_masked"] == ZHAO[:6] + "******" + ZHAO[-4:]

    r = await pc.call("PUT", "/api/v1/sync/cards/WH202600009998", {**card(1), "holder_external_id": "NOPE"})
    assert r.status == 422 and r.code == "HOLDER_UNKNOWN"


async def test_status_change_from_pc_refuses_service(pc, api):
    r = await pc.call("POST", "/api/v1/sync/cards/WH202400000001/status", {"status": "disabled", "reason": "PC端停用"})
    assert r.status == 200 and r.json["status"] == "disabled"
    zhang = await api.login_sms("13800000001")
    assert (await api.get("/api/v1/me/card", token=zhang)).json["status"] == "disabled"
    r = await pc.call("POST", "/api/v1/sync/cards/WH202400000001/status", {"status": "active"})
    assert r.status == 200 and r.json["status"] == "active"
    r = await pc.call("POST", "/api/v1/sync/cards/NOPE/status", {"status": "active"})
    assert r.status == 404


async def test_bad_signatures_old_timestamps_and_reused_nonces(pc):
    path = "/api/v1/sync/events"
    r = await pc.call("GET", path, headers=pc.headers("GET", path, "", b"", secret="wrong"))
    assert r.status == 401 and r.code == "SIGNATURE_INVALID"
    r = await pc.call("GET", path, headers=pc.headers("GET", path, "", b"", key="unknown"))
    assert r.status == 401
    r = await pc.call("GET", path, ts=int(time.time()) - 301)
    assert r.status == 401 and "时间戳" in r.json["error"]["message"]
    h = pc.headers("GET", path, "", b"")
    assert (await pc.call("GET", path, headers=h)).status == 200
    r = await pc.call("GET", path, headers=h)
    assert r.status == 401 and r.code == "SIGNATURE_INVALID", "a reused nonce"
    # a signature over another query or body does not verify
    h = pc.headers("GET", path, "after=1", b"")
    assert (await pc.call("GET", path, query="after=2", headers=h)).status == 401
    body = json.dumps(holder(1)).encode()
    h = pc.headers("PUT", "/api/v1/sync/holders/X", "", body)
    r = await pc.call("PUT", "/api/v1/sync/holders/X", holder(9), headers=h)
    assert r.status == 401
    r = await pc.call("GET", path, headers={"X-Sync-Key": KEY})
    assert r.status == 401


async def test_query_is_signed_sorted_as_sent(pc):
    r = await pc.call("GET", "/api/v1/sync/events", query="limit=5&after=0")
    assert r.status == 200


async def test_events_in_order_without_gaps(pc, api):
    admin = await api.login_password("admin")
    for i in range(3):
        await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": f"第{i}次"}, token=admin)
        await api.post("/api/v1/admin/cards/WH202400000001/enable", {}, token=admin)
    seen, cursor = [], "0"
    while True:
        r = await pc.call("GET", "/api/v1/sync/events", query=f"after={cursor}&limit=2")
        assert r.status == 200
        if not r.json["events"]:
            break
        seen += r.json["events"]
        cursor = r.json["next_cursor"]
    ids = [int(e["id"]) for e in seen]
    assert ids == sorted(ids) and len(ids) == 6
    assert [e["data"]["status"] for e in seen] == ["disabled", "active"] * 3
    assert all(e["type"] == "card.status_changed" and e["entity"] == "card" for e in seen)
    assert seen[0]["at"].endswith("+08:00")


@pytest.mark.parametrize("data", [
    {"version": "one", "name": "x", "id_number": ZHAO},
    {"version": 1, "name": "", "id_number": ZHAO},
    {"version": 0, "name": "x", "id_number": ZHAO},
    {"version": 1, "name": "x"},
    {"version": 1, "name": "x", "id_number": ZHAO, "phone": "123"},
])
async def test_bad_holder_input(pc, data):
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-2", data)
    assert r.status == 400 and r.code == "INVALID_REQUEST"


async def test_a_cursor_beyond_any_event_id_is_a_400_not_a_500(pc):
    """A cursor past the largest 64-bit id overflowed the database driver (a 500, found by the fuzzer)."""
    r = await pc.call("GET", "/api/v1/sync/events", query="after=294049014388676493312&limit=5")
    assert r.status == 400 and r.code == "INVALID_REQUEST" and "after" in r.json["error"]["details"]["fields"]
    r = await pc.call("GET", "/api/v1/sync/events", query=f"after={2**63 - 1}&limit=5")
    assert r.status == 200 and r.json["events"] == []


async def test_every_writer_of_a_card_status_sends_one_payload(pc, api):
    """The PC's upsert, its status call and the administrator change a card's status through the card
    service: one `card.status_changed` payload whoever writes it."""
    assert (await pc.call("PUT", "/api/v1/sync/holders/PC-1001", holder(1))).status == 201
    assert (await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(1))).status == 201
    assert (await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(2, status="disabled"))).json["applied"]
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/admin/cards/WH202600009999/enable", {}, token=admin)
    assert r.status == 200, r.json
    r = await pc.call("POST", "/api/v1/sync/cards/WH202600009999/status", {"status": "disabled", "reason": "PC端停用"})
    assert r.status == 200
    r = await pc.call("GET", "/api/v1/sync/events", query="after=0&limit=500")
    mine = [e for e in r.json["events"] if e["entity_id"] == "WH202600009999"]
    assert [e["type"] for e in mine] == ["card.issued"] + ["card.status_changed"] * 3
    changes = [e["data"] for e in mine[1:]]
    assert [c["status"] for c in changes] == ["disabled", "active", "disabled"]
    assert [c["reason"] for c in changes] == ["PC端同步", "", "PC端停用"]
    assert {frozenset(c) for c in changes} == {frozenset(
        {"card_no", "status", "level", "valid_until", "holder_id", "reason"})}
    assert mine[0]["data"].keys() == changes[0].keys() - {"reason"}
    assert all(c["level"] == "B" and c["valid_until"] == "2029-01-01" for c in changes)
