"""WeChat logins end to end (API.md Auth; SPEC §10): the app's real WechatGateway (wechatpy over
HTTP) against the fake WeChat server of tests/fakes/wechat_server.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import threading
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import tornado.httpclient

from server.auth.wechat_service import SESSION_KEY_PURPOSE, login_redirect, safe_next
from server.db.tables import kv_store
from server.integrations.wechat import DbSessionStorage
from tests.fakes.wechat_server import RATE_LIMITED, make_gateway

MP_LOGIN = "/api/v1/auth/wechat/mp-login"
MP_PHONE_LOGIN = "/api/v1/auth/wechat/mp-phone-login"
BIND = "/api/v1/auth/wechat/bind"
OAUTH = "/api/v1/auth/wechat/oauth"
CALLBACK = "/api/v1/auth/wechat/oauth/callback"
EXCHANGE = "/api/v1/auth/wechat/oauth/exchange"
JSSDK = "/api/v1/wechat/jssdk"


async def sms_code(api, phone: str) -> str:
    r = await api.post("/api/v1/auth/sms/send", {"phone": phone, "purpose": "bind"})
    assert r.status == 200, r
    return await api.last_sms_code(phone)


async def bind_ticket_for(api, fake, openid: str) -> str:
    r = await api.post(MP_LOGIN, {"code": fake.new_login_code(openid)})
    assert r.status == 200 and r.json["bind_required"] is True, r
    return r.json["bind_ticket"]


# --------------------------------------------------------------------------- mini-program


async def test_mp_login_unbound_then_bind_then_straight_in(api, deps, fake_wechat, caplog):
    caplog.set_level(logging.DEBUG)
    bodies = []
    r = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_alice", unionid="u_alice")})
    bodies.append(r.body)
    assert r.status == 200, r
    assert set(r.json) == {"bind_required", "bind_ticket"} and r.json["bind_required"] is True

    code = await sms_code(api, "13900001111")
    r = await api.post(BIND, {"bind_ticket": r.json["bind_ticket"], "phone": "13900001111", "code": code})
    bodies.append(r.body)
    assert r.status == 200, r
    assert set(r.json) == {"token", "expires_at", "user"}
    user = r.json["user"]
    assert user["roles"] == ["holder"] and user["phone_masked"] == "139****1111"
    me = await api.get("/api/v1/me", token=r.json["token"])
    bodies.append(me.body)
    assert me.status == 200 and me.json["id"] == user["id"]

    # the next wx.login (a new code, the same openid) logs straight in
    r = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_alice")})
    bodies.append(r.body)
    assert r.status == 200, r
    assert r.json["user"]["id"] == user["id"] and "bind_ticket" not in r.json
    assert (await api.get("/api/v1/me", token=r.json["token"])).status == 200

    # the session_key stays on the server: encrypted at rest, in no answer, in no log line
    row = await deps.db.fetchone("SELECT * FROM wechat_bindings WHERE openid = 'o_alice'")
    assert row["app_id"] == deps.config.wechat_mp_app_id and str(row["account_id"]) == user["id"]
    assert row["unionid"] == "u_alice"
    assert deps.cipher.decrypt_secret(row["session_key_enc"], SESSION_KEY_PURPOSE) == fake_wechat.session_keys[-1]
    tickets = await deps.db.fetchall("SELECT payload FROM auth_tickets")
    sessions = await deps.db.fetchall("SELECT method FROM sessions WHERE account_id = :a", {"a": int(user["id"])})
    assert {s["method"] for s in sessions} == {"wechat_mp"}
    assert len(fake_wechat.session_keys) == 2
    for key in fake_wechat.session_keys:
        assert key not in row["session_key_enc"]
        assert not any(key in t["payload"] for t in tickets)
        assert not any(key.encode() in b or key.replace("/", "\\/").encode() in b for b in bodies)
        assert key not in caplog.text


async def test_bind_ticket_is_single_use_and_expires(api, fake_wechat, clock):
    ticket = await bind_ticket_for(api, fake_wechat, "o_bob")
    # a wrong SMS code does not use the ticket up
    await sms_code(api, "13900002222")
    r = await api.post(BIND, {"bind_ticket": ticket, "phone": "13900002222", "code": "000000"})
    assert r.status == 400 and r.code == "SMS_CODE_INVALID"
    code = await api.last_sms_code("13900002222")
    r = await api.post(BIND, {"bind_ticket": ticket, "phone": "13900002222", "code": code})
    assert r.status == 200, r

    clock.advance(61)
    r = await api.post(BIND, {"bind_ticket": ticket, "phone": "13900002222", "code": await sms_code(api, "13900002222")})
    assert r.status == 400 and r.code == "BIND_TICKET_INVALID"
    assert "绑定凭证" in r.json["error"]["message"]

    clock.advance(61)
    r = await api.post(BIND, {"bind_ticket": "not-a-ticket", "phone": "13900002222",
                              "code": await sms_code(api, "13900002222")})
    assert r.status == 400 and r.code == "BIND_TICKET_INVALID"

    late = await bind_ticket_for(api, fake_wechat, "o_bob_2")
    clock.advance(601)
    r = await api.post(BIND, {"bind_ticket": late, "phone": "13900002222", "code": await sms_code(api, "13900002222")})
    assert r.status == 400 and r.code == "BIND_TICKET_INVALID"


async def test_openid_bound_to_another_account_is_409(api, fake_wechat):
    first = await bind_ticket_for(api, fake_wechat, "o_carol")
    second = await bind_ticket_for(api, fake_wechat, "o_carol")
    r = await api.post(BIND, {"bind_ticket": first, "phone": "13900003333", "code": await sms_code(api, "13900003333")})
    assert r.status == 200, r
    r = await api.post(BIND, {"bind_ticket": second, "phone": "13900004444", "code": await sms_code(api, "13900004444")})
    assert r.status == 409 and r.code == "WECHAT_ALREADY_BOUND"


async def test_invalid_and_reused_codes_are_400(api, fake_wechat):
    r = await api.post(MP_LOGIN, {"code": "never-issued"})
    assert r.status == 400 and r.code == "WECHAT_CODE_INVALID" and r.json["error"]["message"]
    code = fake_wechat.new_login_code("o_dave")
    assert (await api.post(MP_LOGIN, {"code": code})).status == 200
    r = await api.post(MP_LOGIN, {"code": code})  # 40163 code been used
    assert r.status == 400 and r.code == "WECHAT_CODE_INVALID"
    fake_wechat.fail_next("sns/jscode2session", {"errcode": 40029, "errmsg": "invalid code"})
    r = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_dave")})
    assert r.status == 400 and r.code == "WECHAT_CODE_INVALID"


async def test_rate_limit_is_429_and_outage_503(api, fake_wechat):
    fake_wechat.fail_next("sns/jscode2session", RATE_LIMITED)
    r = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_erin")})
    assert r.status == 429 and r.code == "WECHAT_RATE_LIMITED"
    fake_wechat.fail_next("sns/jscode2session", {"errcode": -1, "errmsg": "system error"})
    r = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_erin")})
    assert r.status == 503 and r.code == "WECHAT_UNAVAILABLE"
    fake_wechat.fail_next("sns/jscode2session", status=502)
    r = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_erin")})
    assert r.status == 503 and r.code == "WECHAT_UNAVAILABLE"
    fake_wechat.fail_next("cgi-bin/token", {"errcode": 40125, "errmsg": "invalid appsecret"})
    r = await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code("o_erin"),
                                        "phone_code": fake_wechat.new_phone_code("13900005555")})
    assert r.status == 503 and r.code == "WECHAT_UNAVAILABLE"
    assert fake_wechat.count("cgi-bin/token") == 1  # a refused token fetch is not retried


async def test_wechat_unreachable_is_503(api, deps, fake_wechat):
    fake_wechat.stop()
    r = await api.post(MP_LOGIN, {"code": "any"})
    assert r.status == 503 and r.code == "WECHAT_UNAVAILABLE"


async def test_mp_phone_login_creates_binds_and_finds(api, deps, fake_wechat):
    r = await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code("o_frank"),
                                        "phone_code": fake_wechat.new_phone_code("13900006666")})
    assert r.status == 200, r
    assert r.json["user"]["phone_masked"] == "139****6666" and r.json["user"]["roles"] == ["holder"]
    assert "13900006666" not in r.body.decode()
    # bound: the plain wx.login now logs straight in as the same account
    r2 = await api.post(MP_LOGIN, {"code": fake_wechat.new_login_code("o_frank")})
    assert r2.status == 200 and r2.json["user"]["id"] == r.json["user"]["id"]
    # an existing holder (demo 张三) is found, not duplicated
    r = await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code("o_zhang"),
                                        "phone_code": fake_wechat.new_phone_code("13800000001")})
    assert r.status == 200 and r.json["user"]["name"] == "张三"
    # the same WeChat user cannot be bound to a second phone
    r = await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code("o_zhang"),
                                        "phone_code": fake_wechat.new_phone_code("13900007777")})
    assert r.status == 409 and r.code == "WECHAT_ALREADY_BOUND"
    # a phone code WeChat refuses, and a number we cannot use
    r = await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code("o_gina"), "phone_code": "bad"})
    assert r.status == 400 and r.code == "WECHAT_CODE_INVALID" and "手机号" in r.json["error"]["message"]
    r = await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code("o_gina"),
                                        "phone_code": fake_wechat.new_phone_code("2025550123")})
    assert r.status == 400 and r.code == "INVALID_REQUEST"
    assert fake_wechat.count("cgi-bin/token") == 1  # one shared token for all of it


async def test_expired_access_token_is_refetched_and_retried_once(api, fake_wechat):
    async def phone_login(openid, phone):
        return await api.post(MP_PHONE_LOGIN, {"login_code": fake_wechat.new_login_code(openid),
                                               "phone_code": fake_wechat.new_phone_code(phone)})

    assert (await phone_login("o_h1", "13900008881")).status == 200
    assert (fake_wechat.count("cgi-bin/token"), fake_wechat.count("wxa/business/getuserphonenumber")) == (1, 1)
    fake_wechat.expire_tokens()  # WeChat now answers 42001 to the stored token
    r = await phone_login("o_h2", "13900008882")
    assert r.status == 200, r
    assert (fake_wechat.count("cgi-bin/token"), fake_wechat.count("wxa/business/getuserphonenumber")) == (2, 3)
    # refused again after the refetch: exactly one retry, then 503
    fake_wechat.fail_next("wxa/business/getuserphonenumber",
                          {"errcode": 40001, "errmsg": "invalid credential"}, times=2)
    r = await phone_login("o_h3", "13900008883")
    assert r.status == 503 and r.code == "WECHAT_UNAVAILABLE"
    assert (fake_wechat.count("cgi-bin/token"), fake_wechat.count("wxa/business/getuserphonenumber")) == (3, 5)


async def test_bad_input_is_4xx(api, fake_wechat):
    for path, body in [(MP_LOGIN, {}), (MP_LOGIN, {"code": "x" * 500}), (MP_LOGIN, {"code": 5}),
                       (MP_PHONE_LOGIN, {"login_code": "a"}), (BIND, {"bind_ticket": "t", "phone": "123", "code": "1"}),
                       (EXCHANGE, {}), (EXCHANGE, {"login_ticket": ["x"]})]:
        r = await api.post(path, body)
        assert r.status == 400 and r.code == "INVALID_REQUEST", (path, body, r)
    r = await api.post(MP_LOGIN, body=b"not json")
    assert r.status == 400 and r.code == "INVALID_REQUEST"
    for path in [CALLBACK, CALLBACK + "?code=x", JSSDK, OAUTH + "?next=" + "a" * 600]:
        r = await api.get(path)
        assert r.status == 400 and r.code == "INVALID_REQUEST", (path, r)
    assert sum(fake_wechat.counts.values()) == 0


# --------------------------------------------------------------------------- H5 OAuth


class Browser:
    """One browser: keeps the OAuth cookie, and plays WeChat's authorize page via the fake."""

    def __init__(self, api, fake):
        self.api, self.fake = api, fake
        self.cookies: dict[str, str] = {}

    def _keep(self, r) -> None:
        for header in r.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def start(self, next_path: str | None = None):
        path = OAUTH if next_path is None else f"{OAUTH}?next={quote(next_path, safe='')}"
        r = await self.api.get(path, headers=self._headers())
        assert r.status == 302, r
        self._keep(r)
        return r

    async def authorize(self, start, openid: str) -> tuple[str, str]:
        """WeChat's page: the user is `openid`; returns (code, state) of the redirect back."""
        self.fake.oauth_user.openid = openid
        url = start.headers["Location"].split("#", 1)[0]
        r = await tornado.httpclient.AsyncHTTPClient().fetch(url, follow_redirects=False, raise_error=False)
        assert r.code == 302, r
        back = urlsplit(r.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == self.api.deps.config.public_base_url + CALLBACK
        q = parse_qs(back.query)
        return q["code"][0], q["state"][0]

    async def callback(self, code: str, state: str):
        r = await self.api.get(f"{CALLBACK}?code={quote(code)}&state={quote(state)}", headers=self._headers())
        self._keep(r)
        return r

    async def login(self, openid: str, next_path: str | None = None):
        start = await self.start(next_path)
        code, state = await self.authorize(start, openid)
        return await self.callback(code, state)


def fragment_query(location: str) -> dict[str, str]:
    fragment = location.split("#", 1)[1]
    return {k: v[0] for k, v in parse_qs(fragment.split("?", 1)[1]).items()}


async def test_oauth_start_redirects_with_state_bound_to_a_cookie(api, deps, fake_wechat):
    browser = Browser(api, fake_wechat)
    r = await browser.start("/h5/#/card")
    cfg = deps.config
    loc = r.headers["Location"]
    redirect_uri = quote(cfg.public_base_url + CALLBACK, safe="")
    prefix = (f"{fake_wechat.base_url}connect/oauth2/authorize?appid={cfg.wechat_oa_app_id}"
              f"&redirect_uri={redirect_uri}&response_type=code&scope=snsapi_base&state=")
    assert loc.startswith(prefix) and loc.endswith("#wechat_redirect"), loc
    state = loc[len(prefix):-len("#wechat_redirect")]
    assert len(state) >= 32
    cookie = next(c for c in r.headers.get_list("Set-Cookie") if c.startswith("wx_oauth_nonce="))
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attrs and "samesite=lax" in attrs and "path=/api/v1/auth/wechat/oauth" in attrs
    nonce = browser.cookies["wx_oauth_nonce"]
    # stored hashed: neither the state nor the nonce is in the database
    rows = await deps.db.fetchall("SELECT kind, key_hash, payload FROM auth_tickets WHERE kind = 'oauth_state'")
    assert len(rows) == 1
    assert state not in str(rows) and nonce not in str(rows)
    # every start gets a fresh state and nonce
    r2 = await Browser(api, fake_wechat).start()
    assert r2.headers["Location"] != loc


async def test_oauth_unbound_bind_then_bound_login_and_exchange(api, deps, fake_wechat):
    browser = Browser(api, fake_wechat)
    r = await browser.login("o_oa_ivy", "/h5/#/card")
    assert r.status == 302, r
    loc = r.headers["Location"]
    assert loc.startswith("/h5/#/bind?") and "token" not in loc.replace("bind_ticket", "")
    q = fragment_query(loc)
    assert q["next"] == "/h5/#/card"
    assert "wx_oauth_nonce" not in browser.cookies  # the nonce cookie is cleared
    r = await api.post(BIND, {"bind_ticket": q["bind_ticket"], "phone": "13900009999",
                              "code": await sms_code(api, "13900009999")})
    assert r.status == 200, r
    user_id = r.json["user"]["id"]
    row = await deps.db.fetchone("SELECT * FROM wechat_bindings WHERE openid = 'o_oa_ivy'")
    assert row["app_id"] == deps.config.wechat_oa_app_id and row["session_key_enc"] is None

    # now bound: back to `next` with a one-time login ticket, never a bearer token
    r = await browser.login("o_oa_ivy", "/h5/#/card")
    assert r.status == 302, r
    loc = r.headers["Location"]
    assert loc.startswith("/h5/#/card?login_ticket=")
    ticket = fragment_query(loc)["login_ticket"]
    sessions_before = await deps.db.fetchval("SELECT COUNT(*) FROM sessions")
    r = await api.post(EXCHANGE, {"login_ticket": ticket})
    assert r.status == 200, r
    assert r.json["user"]["id"] == user_id
    me = await api.get("/api/v1/me", token=r.json["token"])
    assert me.status == 200 and me.json["id"] == user_id
    assert await deps.db.fetchval("SELECT COUNT(*) FROM sessions") == sessions_before + 1
    method = await deps.db.fetchval("SELECT method FROM sessions ORDER BY id DESC LIMIT 1")
    assert method == "wechat_oauth"
    r = await api.post(EXCHANGE, {"login_ticket": ticket})
    assert r.status == 400 and r.code == "LOGIN_TICKET_INVALID"

    # without a fragment in next: the hash router's /oauth-done route
    r = await browser.login("o_oa_ivy", "/h5/apply")
    assert r.headers["Location"].startswith("/h5/apply#/oauth-done?login_ticket=")


async def test_login_ticket_expires(api, fake_wechat, clock):
    browser = Browser(api, fake_wechat)
    r = await browser.login("o_oa_jim")
    q = fragment_query(r.headers["Location"])
    assert (await api.post(BIND, {"bind_ticket": q["bind_ticket"], "phone": "13900001010",
                                  "code": await sms_code(api, "13900001010")})).status == 200
    r = await browser.login("o_oa_jim")
    ticket = fragment_query(r.headers["Location"])["login_ticket"]
    clock.advance(121)
    r = await api.post(EXCHANGE, {"login_ticket": ticket})
    assert r.status == 400 and r.code == "LOGIN_TICKET_INVALID"


async def test_reused_state_is_400_without_session(api, deps, fake_wechat):
    browser = Browser(api, fake_wechat)
    start = await browser.start()
    code, state = await browser.authorize(start, "o_oa_kim")
    nonce = browser.cookies["wx_oauth_nonce"]
    assert (await browser.callback(code, state)).status == 302
    sessions = await deps.db.fetchval("SELECT COUNT(*) FROM sessions")
    browser.cookies["wx_oauth_nonce"] = nonce  # even with the right cookie again
    r = await browser.callback(fake_wechat.new_oauth_code("o_oa_kim"), state)
    assert r.status == 400 and r.code == "OAUTH_STATE_INVALID"
    assert "Location" not in r.headers
    assert await deps.db.fetchval("SELECT COUNT(*) FROM sessions") == sessions


@pytest.mark.parametrize("cookie", ["missing", "wrong", "other-browser"])
async def test_state_from_another_browser_is_400(api, fake_wechat, cookie):
    victim = Browser(api, fake_wechat)
    start = await victim.start()
    code, state = await victim.authorize(start, "o_oa_lee")
    attacker = Browser(api, fake_wechat)
    if cookie == "wrong":
        attacker.cookies["wx_oauth_nonce"] = "forged"
    elif cookie == "other-browser":
        await attacker.start()  # its own, valid nonce: for its own state only
    r = await attacker.callback(code, state)
    assert r.status == 400 and r.code == "OAUTH_STATE_INVALID"
    assert fake_wechat.count("sns/oauth2/access_token") == 0  # the code was never even exchanged
    # the state is not spoiled: the real browser still completes its login with it
    r = await victim.callback(code, state)
    assert r.status == 302 and r.headers["Location"].startswith("/h5/#/bind?"), r


async def test_expired_state_is_400(api, fake_wechat, clock):
    browser = Browser(api, fake_wechat)
    start = await browser.start()
    code, state = await browser.authorize(start, "o_oa_may")
    clock.advance(601)
    r = await browser.callback(code, state)
    assert r.status == 400 and r.code == "OAUTH_STATE_INVALID"


@pytest.mark.parametrize("next_path", ["//evil.com", "https://evil.com", "/\\evil.com", "evil.com",
                                       "/\t/evil.com", "///evil.com", "javascript:alert(1)", "\\\\evil.com"])
async def test_foreign_next_falls_back_to_h5(api, fake_wechat, next_path):
    r = await Browser(api, fake_wechat).login("o_oa_ned", next_path)
    assert r.status == 302, r
    assert fragment_query(r.headers["Location"])["next"] == "/h5/"


async def test_callback_wechat_errors(api, fake_wechat):
    browser = Browser(api, fake_wechat)
    start = await browser.start()
    _, state = await browser.authorize(start, "o_oa_oli")
    r = await browser.callback("forged-code", state)
    assert r.status == 400 and r.code == "WECHAT_CODE_INVALID"


def test_safe_next_and_login_redirect():
    assert safe_next("/h5/#/card?x=1") == "/h5/#/card?x=1"
    assert safe_next("/h5/apply?a=b&c=%20") == "/h5/apply?a=b&c=%20"
    assert safe_next("/h5/#/搜索") == "/h5/#/%E6%90%9C%E7%B4%A2"
    for bad in ["", None, "//x", "/\\x", "http://x/", "x", "/\nx", " /x"]:
        assert safe_next(bad) == "/h5/"
    assert login_redirect("/h5/", "T") == "/h5/#/oauth-done?login_ticket=T"
    assert login_redirect("/h5/#/card", "T") == "/h5/#/card?login_ticket=T"
    assert login_redirect("/h5/#/card?x=1", "T") == "/h5/#/card?x=1&login_ticket=T"


# --------------------------------------------------------------------------- JSSDK


async def test_jssdk_signature_and_shared_ticket(api, deps, fake_wechat):
    base = deps.config.public_base_url
    url = f"{base}/h5/card?from=timeline"
    r = await api.get(f"{JSSDK}?url={quote(url + '#/card', safe='')}")
    assert r.status == 200, r
    out = r.json
    assert set(out) == {"app_id", "timestamp", "nonce_str", "signature"}
    assert out["app_id"] == deps.config.wechat_oa_app_id and isinstance(out["timestamp"], int)
    ticket = fake_wechat.tickets_issued[-1]
    # WeChat's algorithm: sha1 of the sorted key=value pairs joined by &, the URL without its fragment
    plain = f"jsapi_ticket={ticket}&noncestr={out['nonce_str']}&timestamp={out['timestamp']}&url={url}"
    assert out["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    r2 = await api.get(f"{JSSDK}?url={quote(url, safe='')}")
    assert r2.status == 200 and r2.json["nonce_str"] != out["nonce_str"]
    assert fake_wechat.count("cgi-bin/ticket/getticket") == 1 and fake_wechat.count("cgi-bin/token") == 1
    # a configured extra host is ours too
    deps.config.wechat_jssdk_hosts = ("h5.example.cn",)
    assert (await api.get(f"{JSSDK}?url={quote('https://H5.example.cn/h5/', safe='')}")).status == 200


@pytest.mark.parametrize("url", ["https://evil.com/h5/", "http://127.0.0.1.evil.com/", "https://evil.com@127.0.0.1/x",
                                 "javascript:alert(1)", "/h5/", "ftp://127.0.0.1/", "http://127.0.0.1:99999/",
                                 "http://127.0.0.1/a\nb"])
async def test_jssdk_refuses_foreign_urls(api, fake_wechat, url):
    r = await api.get(f"{JSSDK}?url={quote(url, safe='')}")
    assert r.status == 400 and r.code == "INVALID_REQUEST", r
    assert fake_wechat.count("cgi-bin/ticket/getticket") == 0


# --------------------------------------------------------------------------- the shared token store


async def test_two_gateways_share_one_token_fetch(config, fake_wechat, wechat_gateway):
    """Two "processes" (own gateway, executor and engine; one database) race for a missing token."""
    other, executor = make_gateway(config, fake_wechat)
    try:
        fake_wechat.delay("cgi-bin/token", 0.3)  # both find it missing while the first fetch is in flight
        fake_wechat.delay("cgi-bin/ticket/getticket", 0.3)
        phones = ["13900000011", "13900000012", "13900000013"]
        results = await asyncio.gather(
            wechat_gateway.phone_number(fake_wechat.new_phone_code(phones[0])),
            other.phone_number(fake_wechat.new_phone_code(phones[1])),
            other.phone_number(fake_wechat.new_phone_code(phones[2])),
        )
        assert [p for _, p in results] == phones
        assert fake_wechat.count("cgi-bin/token") == 1
        configs = await asyncio.gather(wechat_gateway.jssdk_config("http://127.0.0.1:8000/h5/"),
                                       other.jssdk_config("http://127.0.0.1:8000/h5/"))
        assert fake_wechat.count("cgi-bin/ticket/getticket") == 1
        assert fake_wechat.count("cgi-bin/token") == 2  # the mini-program's and the official account's
        assert configs[0]["app_id"] == configs[1]["app_id"] == config.wechat_oa_app_id
    finally:
        executor.shutdown(wait=True)
        other.close()


def test_token_store_values_expiry_and_lock(config):
    store = DbSessionStorage.from_url(config.database_url)
    other = DbSessionStorage.from_url(config.database_url)  # another process
    try:
        store.set("a", "x", ttl=60)
        assert store.get("a") == "x" and other.get("a") == "x"
        store.set("a", {"n": 1})
        assert other.get("a") == {"n": 1} and other.get("missing", "d") == "d"
        store.set("b", 123, ttl=60)
        with store.engine.begin() as conn:
            conn.execute(kv_store.update().where(kv_store.c.k == "wechat:b")
                         .values(expires_at=dt.datetime(2000, 1, 1)))
        assert other.get("b", "gone") == "gone"
        store.delete("a")
        assert other.get("a") is None

        # a write made under the lock is visible to others once the lock is released, and a
        # second process waits for the lock
        order = []

        def contender():
            with other.locked("L"):
                order.append(("other", other.get("c")))

        with store.locked("L"):
            thread = threading.Thread(target=contender)
            thread.start()
            time.sleep(0.3)
            store.set("c", "written")
            order.append(("store", None))
        thread.join(10)
        assert order == [("store", None), ("other", "written")]

        # someone deleted the lock rows: the lock recreates its row and still works
        with store.engine.begin() as conn:
            conn.execute(kv_store.delete().where(kv_store.c.k.like("wechat:lock:%")))
        with store.locked("L"), store.locked("M"):  # nested: the same transaction
            store.set("d", 1)
        assert other.get("d") == 1
    finally:
        store.close()
        other.close()
