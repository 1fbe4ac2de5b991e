"""POST /api/v1/venue/scan: the clerk scans the holder's dynamic QR (SPEC §6, API.md "On-site")."""

import asyncio
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st

from server.core.timeutil import today_cst
from server.db.tables import cards, events, quota_usage, visits
from server.onsite import qr
from tests.onsite.helpers import (
    VERDICTS,
    WANGWU,
    ZHANG,
    card_of,
    fuzz,
    qr_token,
    quota_used,
    scan,
    service_id,
    visit_count,
)


async def test_airport_scan_ok_with_photo_then_the_same_token_is_used(api, deps):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    token = await qr_token(api, zhang)
    r = await scan(api, staff, token)
    assert r.status == 200, r
    j = r.json
    assert j["verdict"] == "ok" and j["message"]
    assert j["holder"]["name_masked"] == "张*" and j["holder"]["level"] == "A"
    assert j["holder"]["photo_url"].startswith("/api/v1/uploads/")
    assert j["card_no_masked"] == "WH20******0001"
    assert j["service"]["name"] == "机场贵宾通道" and j["venue"]["name"] == "威海国际机场商务贵宾区"
    assert j["visit_id"] and j["at"].endswith("+08:00")
    photo = await api.get(j["holder"]["photo_url"], token=staff)  # the clerk sees the holder's photo
    assert photo.status == 200 and photo.headers["Content-Type"].startswith("image/")

    again = await scan(api, staff, token)
    assert again.status == 200 and again.json["verdict"] == "token_used", again
    assert "holder" not in again.json or again.json["holder"] is None

    card = await card_of(deps.db, ZHANG)
    airport = await service_id(deps.db, "airport_vip")
    assert await quota_used(deps.db, card["id"], airport) == 1
    assert await visit_count(deps.db, card_id=card["id"], method="staff_scan") == 2
    # the event log tells the holder and the venue's clerks
    ev = await deps.db.fetchall(sa.select(events).where(events.c.type == "visit.recorded").order_by(events.c.id))
    assert [json.loads(e["data"])["verdict"] for e in ev] == ["ok", "token_used"]
    assert f"a:{card['holder_id']}" in ev[0]["audience"] and ev[0]["audience"].endswith(":venue_staff")
    assert f"a:{card['holder_id']}" in ev[1]["audience"], "the holder hears of a second use of his code"
    # /me/card shows the quota used
    quotas = (await api.get("/api/v1/me/card", token=zhang)).json["quotas"]
    assert {"service_id": str(airport), "service_name": "机场贵宾通道", "used": 1, "total": 12} in quotas
    # the clerk's visit log, newest first, masked
    log = await api.get("/api/v1/venue/visits", token=staff)
    assert log.status == 200, log
    assert [v["verdict"] for v in log.json["items"]] == ["token_used", "ok"]
    assert log.json["items"][1]["holder"] == {"name_masked": "张*", "level": "A"}
    assert log.json["items"][1]["staff_name"] == "吴婷" and log.json["venue"]["name"] == "威海国际机场商务贵宾区"
    hospital = await api.login_password("hospital_staff")
    assert (await api.get("/api/v1/venue/visits", token=hospital)).json["items"] == []
    yesterday = (today_cst(deps.clock()) - dt.timedelta(days=1)).isoformat()
    assert (await api.get(f"/api/v1/venue/visits?date={yesterday}", token=staff)).json["items"] == []
    assert (await api.get("/api/v1/me", token=staff)).json["venue_id"] == j["venue"]["id"]


async def test_hospital_staff_scanning_for_the_airport_service_is_a_mismatch(api, deps):
    zhang = await api.login_sms(ZHANG)
    hospital = await api.login_password("hospital_staff")
    airport = await service_id(deps.db, "airport_vip")
    r = await scan(api, hospital, await qr_token(api, zhang), service_id=airport)
    assert r.status == 200 and r.json["verdict"] == "venue_service_mismatch", r
    assert r.json["service"]["name"] == "机场贵宾通道" and r.json["venue"]["name"] == "威海市立医院"
    # without a service: the hospital's own on-site service, any card level
    r = await scan(api, hospital, await qr_token(api, zhang))
    assert r.json["verdict"] == "ok" and r.json["service"]["name"] == "就医绿色通道"
    # an unknown service
    r = await scan(api, hospital, await qr_token(api, zhang), service_id=999999)
    assert r.json["verdict"] == "venue_service_mismatch" and r.json["service"] is None


async def test_a_mismatch_shows_nothing_of_the_holder_and_leaves_the_token_usable(api, deps):
    """Issue 10.2: the venue and the service are checked before the token is spent and before the
    holder is read; the same code then passes at the right venue."""
    zhang = await api.login_sms(ZHANG)
    hospital = await api.login_password("hospital_staff")
    airport_staff = await api.login_password("airport_staff")
    airport = await service_id(deps.db, "airport_vip")
    token = await qr_token(api, zhang)
    r = await scan(api, hospital, token, service_id=airport)
    assert r.status == 200 and r.json["verdict"] == "venue_service_mismatch", r
    assert r.json.get("holder") is None and r.json.get("card_no_masked") is None, r.json
    assert "张".encode() not in r.body and b"WH20" not in r.body
    # the refusal is logged, but names no card or holder the hospital could look up later
    visit = await deps.db.fetchone(sa.select(visits).where(visits.c.id == int(r.json["visit_id"])))
    assert visit["verdict"] == "venue_service_mismatch" and visit["card_id"] is None and visit["holder_id"] is None
    ev = await deps.db.fetchone(sa.select(events).where(events.c.type == "visit.recorded")
                                .order_by(events.c.id.desc()).limit(1))
    assert json.loads(ev["data"])["card_no"] is None
    log = await api.get("/api/v1/venue/visits", token=hospital)
    assert all(not v.get("holder") for v in log.json["items"]), log.json
    # the token was not burnt: it passes at the airport
    ok = await scan(api, airport_staff, token, service_id=airport)
    assert ok.json["verdict"] == "ok" and ok.json["holder"]["name_masked"] == "张*", ok


async def test_a_card_disabled_after_the_token_was_issued_is_refused_at_once(api, deps):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    admin = await api.login_password("admin")
    token = await qr_token(api, zhang)
    r = await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "违规使用，停用核查"}, token=admin)
    assert r.status == 200, r
    r = await scan(api, staff, token)
    assert r.json["verdict"] == "card_disabled" and r.json["holder"]["name_masked"] == "张*", r
    card = await card_of(deps.db, ZHANG)
    assert await quota_used(deps.db, card["id"], await service_id(deps.db, "airport_vip")) == 0


async def test_wangwu_disabled_card_and_an_expired_card(api, deps, clock):
    staff = await api.login_password("airport_staff")
    cfg = deps.config
    wang = await card_of(deps.db, WANGWU)
    # 王五 gets no QR from the app; a token made for his card anyway is refused
    token = qr.issue(wang["id"], deps.clock(), cfg.qr_keys, cfg.qr_active_key)["token"]
    r = await scan(api, staff, token)
    assert r.json["verdict"] == "card_disabled", r
    zhang = await card_of(deps.db, ZHANG)
    await deps.db.execute(cards.update().where(cards.c.id == zhang["id"]).values(
        valid_until=today_cst(deps.clock()) - dt.timedelta(days=1)))
    token = qr.issue(zhang["id"], deps.clock(), cfg.qr_keys, cfg.qr_active_key)["token"]
    assert (await scan(api, staff, token)).json["verdict"] == "card_expired"


async def test_a_token_61_seconds_old_has_expired(api, clock):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    token = await qr_token(api, zhang)
    clock.advance(61)
    r = await scan(api, staff, token)
    assert r.json["verdict"] == "token_expired" and r.json.get("holder") is None, r
    # a fresh one works
    assert (await scan(api, staff, await qr_token(api, zhang))).json["verdict"] == "ok"


async def test_a_level_c_holder_is_not_eligible_at_the_airport(api, deps):
    zhang = await api.login_sms(ZHANG)
    card = await card_of(deps.db, ZHANG)
    await deps.db.execute(cards.update().where(cards.c.id == card["id"]).values(level="C"))
    r = await scan(api, await api.login_password("airport_staff"), await qr_token(api, zhang))
    assert r.json["verdict"] == "not_eligible" and r.json["holder"]["level"] == "C", r
    r = await scan(api, await api.login_password("hospital_staff"), await qr_token(api, zhang))
    assert r.json["verdict"] == "ok"  # 就医绿色通道: every level


async def test_the_yearly_quota_runs_out_after_12_uses(api, deps):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    card = await card_of(deps.db, ZHANG)
    airport = await service_id(deps.db, "airport_vip")
    year = today_cst(deps.clock()).year
    await deps.db.execute(quota_usage.insert().values(card_id=card["id"], service_id=airport, year=year, used=11))
    assert (await scan(api, staff, await qr_token(api, zhang))).json["verdict"] == "ok"
    assert await quota_used(deps.db, card["id"], airport) == 12
    r = await scan(api, staff, await qr_token(api, zhang))
    assert r.json["verdict"] == "quota_exhausted" and r.json["message"] == "持卡人本年度该项服务次数已用完", r
    assert await quota_used(deps.db, card["id"], airport) == 12
    quotas = (await api.get("/api/v1/me/card", token=zhang)).json["quotas"]
    assert [q["used"] for q in quotas if q["service_id"] == str(airport)] == [12]
    # last year's uses do not count against this year
    await deps.db.execute(quota_usage.update().values(year=year - 1))
    assert (await scan(api, staff, await qr_token(api, zhang))).json["verdict"] == "ok"


async def test_concurrent_scans_of_one_token_pass_exactly_once(api, deps):
    zhang = await api.login_sms(ZHANG)
    staffs = [await api.login_password("airport_staff") for _ in range(3)]
    token = await qr_token(api, zhang)
    results = await asyncio.gather(*[scan(api, staffs[i % 3], token) for i in range(8)])
    verdicts = sorted(r.json["verdict"] for r in results)
    assert verdicts == ["ok"] + ["token_used"] * 7, verdicts
    card = await card_of(deps.db, ZHANG)
    assert await quota_used(deps.db, card["id"], await service_id(deps.db, "airport_vip")) == 1


async def test_concurrent_scans_never_pass_the_quota(api, deps):
    await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    card = await card_of(deps.db, ZHANG)
    airport = await service_id(deps.db, "airport_vip")
    await deps.db.execute(quota_usage.insert().values(card_id=card["id"], service_id=airport,
                                                      year=today_cst(deps.clock()).year, used=9))
    cfg = deps.config
    tokens = [qr.issue(card["id"], deps.clock(), cfg.qr_keys, cfg.qr_active_key)["token"] for _ in range(8)]
    results = await asyncio.gather(*[scan(api, staff, t) for t in tokens])
    verdicts = sorted(r.json["verdict"] for r in results)
    assert verdicts == ["ok"] * 3 + ["quota_exhausted"] * 5, verdicts
    assert await quota_used(deps.db, card["id"], airport) == 12


async def test_an_idempotency_key_retry_replays_and_counts_once(api, deps):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    token = await qr_token(api, zhang)
    h = {"Idempotency-Key": "scan-7f3a"}
    first = await scan(api, staff, token, headers=h)
    retry = await scan(api, staff, token, headers=h)
    assert first.json["verdict"] == "ok" and retry.json == first.json
    assert retry.headers.get("Idempotent-Replayed") == "true"
    card = await card_of(deps.db, ZHANG)
    assert await quota_used(deps.db, card["id"], await service_id(deps.db, "airport_vip")) == 1
    assert await visit_count(deps.db, card_id=card["id"]) == 1


async def test_only_venue_staff_scan_and_a_clerk_without_a_venue_is_told(api, deps):
    zhang = await api.login_sms(ZHANG)
    token = await qr_token(api, zhang)
    assert (await scan(api, zhang, token)).status == 403
    assert (await scan(api, await api.login_password("admin"), token)).status == 403
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/admin/venues/999999/staff", {"username": "x_staff", "name": "某某", "password": "Abc@12345"},
                       token=admin)
    assert r.status == 404
    # a venue_staff account whose org is not a venue
    from server.db.tables import accounts

    await deps.db.execute(accounts.update().where(accounts.c.username == "hospital_staff").values(org_id=None))
    r = await scan(api, await api.login_password("hospital_staff"), token)
    assert r.status == 403 and r.json["error"]["code"] == "NOT_VENUE_STAFF"


async def test_the_scan_issues_a_fixed_small_number_of_statements(api, deps, statements):
    """The hot path's queries are counted (Zulip style): session, venue+service+card, token use, quota,
    visit, event."""
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    hospital = await api.login_password("hospital_staff")
    tokens = [await qr_token(api, zhang) for _ in range(3)]

    async def count(staff_token, token):
        with statements.capture() as got:
            r = await scan(api, staff_token, token)
        assert r.json["verdict"] == "ok", r
        return got

    first = await count(staff, tokens[0])   # first use of the year: the quota row is created
    steady = await count(staff, tokens[1])  # later uses: the same one guarded upsert
    no_quota = await count(hospital, tokens[2])
    assert (len(first), len(steady), len(no_quota)) == (6, 6, 5), statements.listing(first + steady + no_quota)


async def test_garbage_tokens_get_a_verdict_or_a_400_never_a_500(api, deps):
    zhang = await api.login_sms(ZHANG)
    staff = await api.login_password("airport_staff")
    real = await qr_token(api, zhang)
    tokens = st.one_of(
        st.text(max_size=300),
        st.integers(0, len(real)).map(lambda n: real[:n]),  # truncated
        st.tuples(st.integers(0, len(real) - 1), st.characters()).map(lambda t: real[:t[0]] + t[1] + real[t[0] + 1:]),
        st.integers(2, 40).map(lambda n: real * n),  # oversized
        st.from_regex(r"\AQ1\.[a-z0-9]{1,3}\.[0-9a-z]{1,14}\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{22}\Z"),
        st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=3), st.booleans()),
    )

    answered: dict[str, str] = {}  # visit_id → the verdict the clerk was shown

    async def check(token):
        r = await api.post("/api/v1/venue/scan", {"token": token}, token=staff)
        assert r.status in (200, 400), r
        if r.status == 200:
            assert r.json["verdict"] in VERDICTS - {"ok"} or token == real, (token, r)
            assert r.json["visit_id"] not in answered, r
            answered[r.json["visit_id"]] = r.json["verdict"]
        else:
            assert r.json["error"]["code"] == "INVALID_REQUEST" and r.json["error"]["message"]

    await fuzz(tokens, check, max_examples=80)
    # every verdict, each refusal among them, was logged as it was answered: one visits row and one
    # visit.recorded event each, with that verdict, and nothing else
    assert answered and list(answered.values()).count("ok") <= 1
    logged = {str(v["id"]): v["verdict"] for v in await deps.db.fetchall(sa.select(visits.c.id, visits.c.verdict))}
    assert logged == answered
    told = {e["entity_id"]: json.loads(e["data"]) for e in await deps.db.fetchall(
        sa.select(events.c.entity_id, events.c.data).where(events.c.type == "visit.recorded"))}
    assert {k: d["verdict"] for k, d in told.items()} == answered
    assert all(d["visit_id"] == k and d["method"] == "staff_scan" for k, d in told.items())


# --------------------------------------------------------------------------- each refusal, logged

def qr_token_of(deps, card: dict, late: int = 0) -> str:
    """A token for any card, as the holder's page would have made it `late` seconds ago."""
    cfg = deps.config
    return qr.issue(card["id"], deps.clock() - dt.timedelta(seconds=late), cfg.qr_keys, cfg.qr_active_key)["token"]


async def _refuse_invalid(api, deps, ctx):
    return "airport_staff", "Q1.not-a-token", None


async def _refuse_expired(api, deps, ctx):
    return "airport_staff", qr_token_of(deps, ctx["zhang"], late=61), None


async def _refuse_used(api, deps, ctx):
    token = await qr_token(api, ctx["zhang_token"])
    assert (await scan(api, await api.login_password("airport_staff"), token)).json["verdict"] == "ok"
    return "airport_staff", token, None


async def _refuse_disabled(api, deps, ctx):
    ctx["card"] = await card_of(deps.db, WANGWU)
    return "airport_staff", qr_token_of(deps, ctx["card"]), None


async def _refuse_expired_card(api, deps, ctx):
    await deps.db.execute(cards.update().where(cards.c.id == ctx["zhang"]["id"]).values(
        valid_until=today_cst(deps.clock()) - dt.timedelta(days=1)))
    return "airport_staff", qr_token_of(deps, ctx["zhang"]), None


async def _refuse_level(api, deps, ctx):
    await deps.db.execute(cards.update().where(cards.c.id == ctx["zhang"]["id"]).values(level="C"))
    return "airport_staff", await qr_token(api, ctx["zhang_token"]), None


async def _refuse_quota(api, deps, ctx):
    airport = await service_id(deps.db, "airport_vip")
    await deps.db.execute(quota_usage.insert().values(card_id=ctx["zhang"]["id"], service_id=airport,
                                                      year=today_cst(deps.clock()).year, used=12))
    return "airport_staff", await qr_token(api, ctx["zhang_token"]), None


async def _refuse_mismatch(api, deps, ctx):
    return "hospital_staff", await qr_token(api, ctx["zhang_token"]), await service_id(deps.db, "airport_vip")


# refusal → (how to bring it about, whether the visit names the card and its holder)
REFUSALS = {
    "token_invalid": (_refuse_invalid, False),
    "token_expired": (_refuse_expired, True),   # correctly signed: the holder is told of the late use
    "token_used": (_refuse_used, True),
    "card_disabled": (_refuse_disabled, True),
    "card_expired": (_refuse_expired_card, True),
    "not_eligible": (_refuse_level, True),
    "quota_exhausted": (_refuse_quota, True),
    "venue_service_mismatch": (_refuse_mismatch, False),  # checked before the card is read
}


def test_every_refusal_verdict_is_tried():
    assert set(REFUSALS) == VERDICTS - {"ok"}


@pytest.mark.parametrize("verdict", sorted(REFUSALS))
async def test_each_refusal_is_logged_with_its_verdict(api, deps, verdict):
    """One visits row and one visit.recorded event per refusal, each with the verdict the clerk saw."""
    make, names_card = REFUSALS[verdict]
    ctx = {"zhang_token": await api.login_sms(ZHANG), "zhang": await card_of(deps.db, ZHANG)}
    ctx["card"] = ctx["zhang"]
    staff_name, token, svc = await make(api, deps, ctx)
    before = await visit_count(deps.db)
    r = await scan(api, await api.login_password(staff_name), token, service_id=svc)
    assert r.status == 200 and r.json["verdict"] == verdict and r.json["message"], r
    assert await visit_count(deps.db) == before + 1
    visit = await deps.db.fetchone(sa.select(visits).where(visits.c.id == int(r.json["visit_id"])))
    assert visit["verdict"] == verdict and visit["method"] == "staff_scan"
    assert visit["staff_id"] is not None and visit["venue_id"] == int(r.json["venue"]["id"])
    card = ctx["card"]
    if names_card:
        assert (visit["card_id"], visit["holder_id"]) == (card["id"], card["holder_id"]), dict(visit)
    else:
        assert (visit["card_id"], visit["holder_id"]) == (None, None), dict(visit)
    [ev] = await deps.db.fetchall(sa.select(events).where(events.c.type == "visit.recorded",
                                                          events.c.entity_id == str(visit["id"])))
    data = json.loads(ev["data"])
    assert data["verdict"] == verdict and data["visit_id"] == str(visit["id"]) and data["method"] == "staff_scan"
    assert data["card_no"] == (card["card_no"] if names_card and verdict not in ("token_expired", "token_used")
                               else None), data
    assert ev["audience"].endswith(":venue_staff")
    assert (f"a:{card['holder_id']}" in ev["audience"]) is names_card, ev["audience"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
async def test_visit_log_of_a_day_at_the_ends_of_the_calendar_is_a_400(api, day):
    """The day's CST bounds overflowed for the first and last dates there are (a 500)."""
    staff = await api.login_password("airport_staff")
    r = await api.get(f"/api/v1/venue/visits?date={day}", token=staff)
    assert r.status == 400 and r.code == "INVALID_REQUEST" and "date" in r.json["error"]["details"]["fields"], r
