"""POST /api/v1/onsite/checkin: the holder scans the venue's poster (seed 002 §4.5.1)."""

import re

from hypothesis import strategies as st

from server.core.timeutil import today_cst
from server.db.tables import cards, quota_usage
from server.onsite import venue_code
from tests.onsite.helpers import LISI, VERDICTS, WANGWU, ZHANG, card_of, fuzz, quota_used, service_id, venue_id, visit_count


async def poster_text(api, admin, name_part: str) -> str:
    r = await api.get("/api/v1/admin/venues", token=admin)
    assert r.status == 200, r
    return next(v["checkin_url"] for v in r.json["items"] if name_part in v["name"])


async def test_zhang_checks_in_at_the_airport_poster(api, deps):
    admin = await api.login_password("admin")
    zhang = await api.login_sms(ZHANG)
    url = await poster_text(api, admin, "机场")
    assert url.startswith(deps.config.public_base_url + "/h5/#/checkin?v=V1.")
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=zhang)
    assert r.status == 200, r
    j = r.json
    assert j["verdict"] == "ok" and j["message"] == "签到成功，请向工作人员出示本页面"
    assert j["venue"]["name"] == "威海国际机场商务贵宾区" and j["service"]["name"] == "机场贵宾通道"
    assert j["holder"]["name_masked"] == "张*" and j["holder"]["photo_url"].startswith("/api/v1/uploads/")
    assert re.fullmatch(r"[A-Z2-9]{4}", j["check_code"]) and j["at"].endswith("+08:00")
    card = await card_of(deps.db, ZHANG)
    airport = await service_id(deps.db, "airport_vip")
    assert await quota_used(deps.db, card["id"], airport) == 1
    # the clerk sees the check-in with the same check code in today's log
    staff = await api.login_password("airport_staff")
    log = (await api.get("/api/v1/venue/visits", token=staff)).json["items"]
    assert log[0]["check_code"] == j["check_code"] and log[0]["method"] == "holder_checkin"
    assert log[0]["method_text"] == "持卡人扫码签到" and log[0]["staff_name"] is None

    # a double tap a moment later is the same visit: same code, not counted twice
    again = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=zhang)
    assert again.json["verdict"] == "ok" and again.json["repeated"] is True
    assert again.json["check_code"] == j["check_code"] and again.json["visit_id"] == j["visit_id"]
    assert await quota_used(deps.db, card["id"], airport) == 1
    # the bare code works as well as the URL
    bare = url.split("v=", 1)[1]
    hospital = await poster_text(api, admin, "医院")
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": hospital.split("v=", 1)[1]}, token=zhang)
    assert r.json["verdict"] == "ok" and r.json["service"]["name"] == "就医绿色通道"
    assert venue_code.verify(bare, deps.config.qr_keys) == await venue_id(deps.db, "机场")


async def test_tampered_or_foreign_codes_are_refused(api, deps):
    admin = await api.login_password("admin")
    zhang = await api.login_sms(ZHANG)
    url = await poster_text(api, admin, "机场")
    code = url.split("v=", 1)[1]
    hospital_id = await venue_id(deps.db, "医院")
    kid, _vid, mac = code.split(".")[1:]
    from server.onsite.qr import _b36

    forged = [
        url[:-1] + ("A" if url[-1] != "A" else "B"),          # edited signature
        f"V1.{kid}.{_b36(hospital_id)}.{mac}",                  # another venue, same signature
        venue_code.issue(hospital_id, {"k1": "not-our-key"}, "k1"),
        "https://example.com/h5/#/checkin?v=V1.k9.1.AAAAAAAAAAAAAAAAAAAAAA",
        "Q1.k1.1.abc.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",        # a card token is no venue code
        "你好",
    ]
    for text in forged:
        r = await api.post("/api/v1/onsite/checkin", {"venue_code": text}, token=zhang)
        assert r.status == 200 and r.json["verdict"] == "token_invalid", (text, r)
        assert r.json["check_code"] is None and r.json["venue"] is None
    card = await card_of(deps.db, ZHANG)
    assert await quota_used(deps.db, card["id"], await service_id(deps.db, "airport_vip")) == 0
    assert await visit_count(deps.db, card_id=card["id"], verdict="token_invalid") == len(forged)


async def test_checkin_refusals(api, deps):
    admin = await api.login_password("admin")
    url = await poster_text(api, admin, "机场")
    hospital_url = await poster_text(api, admin, "医院")
    # 王五: disabled card
    wang = await api.login_sms(WANGWU)
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=wang)
    assert r.json["verdict"] == "card_disabled" and r.json["check_code"] is None, r
    # 李四: no card at all
    lisi = await api.login_sms(LISI)
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=lisi)
    assert r.status == 404 and r.json["error"]["code"] == "NO_CARD"
    # the airport service named at the hospital's poster
    zhang = await api.login_sms(ZHANG)
    airport = await service_id(deps.db, "airport_vip")
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": hospital_url, "service_id": str(airport)}, token=zhang)
    assert r.json["verdict"] == "venue_service_mismatch", r
    # quota used up
    card = await card_of(deps.db, ZHANG)
    await deps.db.execute(quota_usage.insert().values(card_id=card["id"], service_id=airport,
                                                      year=today_cst(deps.clock()).year, used=12))
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=zhang)
    assert r.json["verdict"] == "quota_exhausted" and r.json["check_code"] is None
    # level C
    await deps.db.execute(cards.update().where(cards.c.id == card["id"]).values(level="C"))
    r = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=zhang)
    assert r.json["verdict"] == "not_eligible"
    # only holders check in
    staff = await api.login_password("airport_staff")
    assert (await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=staff)).status == 403


async def test_checkin_idempotency_key(api, deps):
    admin = await api.login_password("admin")
    zhang = await api.login_sms(ZHANG)
    url = await poster_text(api, admin, "机场")
    h = {"Idempotency-Key": "checkin-1"}
    a = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=zhang, headers=h)
    b = await api.post("/api/v1/onsite/checkin", {"venue_code": url}, token=zhang, headers=h)
    assert a.json == b.json and b.headers.get("Idempotent-Replayed") == "true"
    card = await card_of(deps.db, ZHANG)
    assert await visit_count(deps.db, card_id=card["id"]) == 1


async def test_garbage_venue_codes_get_a_verdict_or_a_400(api, deps):
    admin = await api.login_password("admin")
    zhang = await api.login_sms(ZHANG)
    url = await poster_text(api, admin, "机场")
    codes = st.one_of(
        st.text(max_size=1200),
        st.integers(0, len(url)).map(lambda n: url[:n]),
        st.tuples(st.integers(0, len(url) - 1), st.characters()).map(lambda t: url[:t[0]] + t[1] + url[t[0] + 1:]),
        st.integers(2, 30).map(lambda n: url * n),
        st.from_regex(r"\AV1\.[a-z0-9]{1,3}\.[0-9a-z]{1,14}\.[A-Za-z0-9_-]{22}\Z"),
        st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=3), st.floats()),
    )

    async def check(code):
        body = {"venue_code": code}
        r = await api.post("/api/v1/onsite/checkin", body, token=zhang)
        assert r.status in (200, 400), (code, r)
        if r.status == 200:
            assert r.json["verdict"] in VERDICTS
        else:
            assert r.json["error"]["code"] == "INVALID_REQUEST"

    await fuzz(codes, check, max_examples=60)
