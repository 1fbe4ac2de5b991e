"""The dynamic card QR token and the live card check behind it."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from server.onsite import qr

KEYS = {"k1": "secret-one", "k2": "secret-two"}
T0 = dt.datetime(2026, 11, 23, 1, 0, 5)


def test_token_round_trip_and_expiry():
    t = qr.issue(42, T0, KEYS, "k1")
    assert qr.verify(t["token"], T0, KEYS) == 42
    assert qr.verify(t["token"], T0 + dt.timedelta(seconds=30), KEYS) == 42, "the previous step is still accepted"
    assert 1 <= t["refresh_in_seconds"] <= 30
    for late in (61, 90):
        try:
            qr.verify(t["token"], T0 + dt.timedelta(seconds=late), KEYS)
            raise AssertionError("expired token accepted")
        except qr.TokenError as e:
            assert e.verdict == "token_expired"
    assert "42" not in t["token"].split(".")[1]


def test_key_rotation_and_tampering():
    old = qr.issue(7, T0, KEYS, "k1")["token"]
    new = qr.issue(7, T0, KEYS, "k2")["token"]
    assert qr.verify(old, T0, KEYS) == qr.verify(new, T0, KEYS) == 7
    for bad in (old.replace(".7.", ".8."), old[:-1] + ("A" if old[-1] != "A" else "B"), old.replace("k1", "k2"),
                old, ""):
        keys = {"k2": KEYS["k2"]} if bad == old else KEYS
        try:
            qr.verify(bad, T0, keys)
            raise AssertionError(f"accepted {bad}")
        except qr.TokenError as e:
            assert e.verdict == "token_invalid"


@given(st.text(max_size=300))
def test_random_tokens_never_crash(text):
    try:
        qr.verify(text, T0, KEYS)
    except qr.TokenError as e:
        assert e.verdict in ("token_invalid", "token_expired")


async def test_qr_refused_the_moment_a_card_is_disabled(api):
    zhang = await api.login_sms("13800000001")
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/me/card/qr", token=zhang)
    assert r.status == 200 and r.json["token"].startswith("Q1.") and r.json["refresh_in_seconds"] <= 30
    await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "停用测试"}, token=admin)
    r = await api.post("/api/v1/me/card/qr", token=zhang)
    assert r.status == 403 and r.code == "CARD_DISABLED"
    await api.post("/api/v1/admin/cards/WH202400000001/enable", {}, token=admin)
    assert (await api.post("/api/v1/me/card/qr", token=zhang)).status == 200
    wangwu = await api.login_sms("13800000003")
    assert (await api.post("/api/v1/me/card/qr", token=wangwu)).code == "CARD_DISABLED"
    lisi = await api.login_sms("13800000002")
    r = await api.post("/api/v1/me/card/qr", token=lisi)
    assert r.status == 404 and r.code == "NO_CARD"


async def test_expired_card_gets_no_qr(api, clock):
    clock.advance(3 * 366 * 24 * 3600)  # past the demo card's validity
    zhang = await api.login_sms("13800000001")
    assert (await api.get("/api/v1/me/card", token=zhang)).json["status"] == "expired"
    r = await api.post("/api/v1/me/card/qr", token=zhang)
    assert r.status == 403 and r.code == "CARD_EXPIRED"
