"""A fake WeChat API on loopback, so that the real `WechatGateway` (wechatpy over HTTP) is tested
end to end.

It answers like api.weixin.qq.com / open.weixin.qq.com with the documented JSON samples
(/work/shared/wechat-samples, copied below), checks appid/secret/access_token, counts requests per
path, and lets a test choose who a code belongs to and script failures:

    code = fake.new_login_code("o_alice")            # wx.login code → openid
    phone_code = fake.new_phone_code("13800000001")  # getPhoneNumber code → phone
    fake.fail_next("sns/jscode2session", {"errcode": 40029, "errmsg": "invalid code"})
    fake.fail_next("cgi-bin/token", status=502)      # an HTTP error instead of a JSON answer
    fake.expire_tokens()                             # every access_token issued so far → 42001
    fake.count("cgi-bin/token")

Codes are single use, as on WeChat (a reused code → 40163, an unknown one → 40029).

Fixtures: `fake_wechat` starts the server; `wechat_gateway` (overriding tests/conftest.py's) gives
the app a real gateway pointed at it, but only in tests that ask for `fake_wechat`.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import copy
import dataclasses
import json
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import tornado.httpserver
import tornado.testing
import tornado.web

from server.integrations.wechat import WechatGateway

# The samples of /work/shared/wechat-samples/, as WeChat documents them.
SAMPLE_TOKEN = {"access_token": "1234567890", "expires_in": 7200}
SAMPLE_JSCODE2SESSION = {
    "session_key": "D1ZWEygStjuLCnZ9IN2l4Q==",
    "expires_in": 7200,
    "openid": "o16wA0b4AZKzgVJR3MBwoUdTfU_E",
    "unionid": "or4zX05h_Ykt4ju0TUfx3CQsvfTo",
}
SAMPLE_OAUTH2_ACCESS_TOKEN = {
    "access_token": "ACCESS_TOKEN", "expires_in": 7200, "refresh_token": "REFRESH_TOKEN",
    "openid": "OPENID", "scope": "SCOPE",
}
SAMPLE_GETTICKET = {
    "errcode": 0, "errmsg": "ok",
    "ticket": "bxLdikRXVbTPdHSM05e5u5sUoXNKd8-41ZO3MhKoyN5OfkWITDGgnr2fwJ0m9E8NYzWKVZvdVtaUgWvsdshFKA",
    "expires_in": 7200,
}
SAMPLE_GETUSERPHONENUMBER = {
    "errcode": 0, "errmsg": "ok",
    "phone_info": {
        "phoneNumber": "13123456789", "purePhoneNumber": "13123456789", "countryCode": 86,
        "watermark": {"timestamp": 1637744274, "appid": ""},
    },
}

ERR_INVALID_CODE = {"errcode": 40029, "errmsg": "invalid code"}
ERR_CODE_USED = {"errcode": 40163, "errmsg": "code been used"}
ERR_BAD_TOKEN = {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
ERR_TOKEN_EXPIRED = {"errcode": 42001, "errmsg": "access_token expired"}
ERR_BAD_APPID = {"errcode": 40013, "errmsg": "invalid appid"}
ERR_BAD_SECRET = {"errcode": 40125, "errmsg": "invalid appsecret"}
ERR_BAD_ARGS = {"errcode": 40097, "errmsg": "invalid args"}
RATE_LIMITED = {"errcode": 45011, "errmsg": "api minute-quota reach limit  mustslower  retry next minute"}


@dataclasses.dataclass
class _User:
    openid: str
    unionid: str | None = None


@dataclasses.dataclass
class _Scripted:
    body: dict | None
    status: int


class FakeWechat:
    """The fake's state and its Tornado server (started on the current IOLoop)."""

    def __init__(self, *, mp_app_id: str, mp_secret: str, oa_app_id: str, oa_secret: str):
        self.secrets = {mp_app_id: mp_secret, oa_app_id: oa_secret}
        self.mp_app_id, self.oa_app_id = mp_app_id, oa_app_id
        self.login_codes: dict[str, _User] = {}
        self.oauth_codes: dict[str, _User] = {}
        self.phone_codes: dict[str, str] = {}
        self.used_codes: set[str] = set()
        self.tokens: dict[str, str] = {}  # access_token → appid, while valid
        self.subscribe_messages: list[dict] = []
        self.expired_tokens: set[str] = set()
        self.tickets_issued: list[str] = []
        self.session_keys: list[str] = []  # every session_key handed out
        self.oauth_user = _User("o_oauth_default")  # who "authorizes" at connect/oauth2/authorize
        self.counts: collections.Counter[str] = collections.Counter()
        self.requests: list[tuple[str, dict]] = []
        self._scripted: dict[str, collections.deque[_Scripted]] = collections.defaultdict(collections.deque)
        self._delays: dict[str, float] = {}
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """Both API bases (api.weixin.qq.com and open.weixin.qq.com) point here."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        """Listen on a random loopback port, served by the current IOLoop."""
        sock, self.port = tornado.testing.bind_unused_port()
        app = tornado.web.Application([(r"/(.*)", _Handler, {"fake": self})])
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets([sock])

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    # ------------------------------------------------------------------ what tests script

    def set_login_code(self, code: str, openid: str, unionid: str | None = None) -> None:
        """`sns/jscode2session` with this js_code answers this openid."""
        self.login_codes[code] = _User(openid, unionid)

    def new_login_code(self, openid: str, unionid: str | None = None) -> str:
        """A fresh wx.login code for this openid."""
        code = "js_" + secrets.token_hex(8)
        self.set_login_code(code, openid, unionid)
        return code

    def set_oauth_code(self, code: str, openid: str, unionid: str | None = None) -> None:
        """`sns/oauth2/access_token` with this code answers this openid."""
        self.oauth_codes[code] = _User(openid, unionid)

    def new_oauth_code(self, openid: str, unionid: str | None = None) -> str:
        code = "oa_" + secrets.token_hex(8)
        self.set_oauth_code(code, openid, unionid)
        return code

    def set_phone_code(self, code: str, phone: str) -> None:
        """`wxa/business/getuserphonenumber` with this code answers this phone."""
        self.phone_codes[code] = phone

    def new_phone_code(self, phone: str) -> str:
        code = "ph_" + secrets.token_hex(8)
        self.set_phone_code(code, phone)
        return code

    def fail_next(self, path: str, body: dict | None = None, *, status: int = 200, times: int = 1) -> None:
        """The next `times` requests to `path` get `body` (a WeChat error JSON) or HTTP `status`."""
        for _ in range(times):
            self._scripted[path.strip("/")].append(_Scripted(body, status))

    def delay(self, path: str, seconds: float) -> None:
        """Answer requests to `path` only after `seconds` (to make races real)."""
        self._delays[path.strip("/")] = seconds

    def expire_tokens(self) -> None:
        """Every access_token issued so far now gets 42001."""
        self.expired_tokens.update(self.tokens)
        self.tokens.clear()

    def count(self, path: str) -> int:
        """How many requests reached `path` (e.g. "cgi-bin/token")."""
        return self.counts[path.strip("/")]

    # ------------------------------------------------------------------ the API

    def _check_app(self, args: dict) -> dict | None:
        appid = args.get("appid", "")
        if appid not in self.secrets:
            return ERR_BAD_APPID
        if args.get("secret") != self.secrets[appid]:
            return ERR_BAD_SECRET
        return None

    def _check_token(self, args: dict, appid: str) -> dict | None:
        token = args.get("access_token", "")
        if token in self.expired_tokens:
            return ERR_TOKEN_EXPIRED
        if self.tokens.get(token) != appid:
            return ERR_BAD_TOKEN
        return None

    def _use_code(self, code: str, known: dict) -> dict | None:
        if code in self.used_codes:
            return ERR_CODE_USED
        if code not in known:
            return ERR_INVALID_CODE
        self.used_codes.add(code)
        return None

    def answer(self, path: str, args: dict, body: dict) -> dict | tuple[int, dict] | str:
        if path == "cgi-bin/token":
            if args.get("grant_type") != "client_credential":
                return ERR_BAD_ARGS
            err = self._check_app(args)
            if err:
                return err
            token = f"{SAMPLE_TOKEN['access_token']}-{args['appid']}-{secrets.token_hex(6)}"
            self.tokens[token] = args["appid"]
            return {**SAMPLE_TOKEN, "access_token": token}
        if path == "sns/jscode2session":
            if args.get("appid") != self.mp_app_id:
                return ERR_BAD_APPID
            if args.get("grant_type") != "authorization_code" or "access_token" in args:
                return ERR_BAD_ARGS
            err = self._check_app(args) or self._use_code(args.get("js_code", ""), self.login_codes)
            if err:
                return err
            user = self.login_codes[args["js_code"]]
            session_key = base64.b64encode(os.urandom(16)).decode()
            self.session_keys.append(session_key)
            out = {**SAMPLE_JSCODE2SESSION, "openid": user.openid, "session_key": session_key}
            if user.unionid:
                out["unionid"] = user.unionid
            else:
                out.pop("unionid")
            return out
        if path == "sns/oauth2/access_token":
            if args.get("appid") != self.oa_app_id:
                return ERR_BAD_APPID
            if args.get("grant_type") != "authorization_code":
                return ERR_BAD_ARGS
            err = self._check_app(args) or self._use_code(args.get("code", ""), self.oauth_codes)
            if err:
                return err
            user = self.oauth_codes[args["code"]]
            out = {**SAMPLE_OAUTH2_ACCESS_TOKEN, "openid": user.openid, "scope": "snsapi_base",
                   "access_token": "sns_" + secrets.token_hex(8), "refresh_token": "ref_" + secrets.token_hex(8)}
            if user.unionid:
                out["unionid"] = user.unionid
            return out
        if path == "cgi-bin/ticket/getticket":
            err = self._check_token(args, self.oa_app_id)
            if err:
                return err
            if args.get("type") != "jsapi":
                return ERR_BAD_ARGS
            ticket = f"{SAMPLE_GETTICKET['ticket']}-{len(self.tickets_issued) + 1}"
            self.tickets_issued.append(ticket)
            return {**SAMPLE_GETTICKET, "ticket": ticket}
        if path == "wxa/business/getuserphonenumber":
            err = self._check_token(args, self.mp_app_id) or self._use_code(str(body.get("code", "")),
                                                                            self.phone_codes)
            if err:
                return err
            phone = self.phone_codes[body["code"]]
            out = copy.deepcopy(SAMPLE_GETUSERPHONENUMBER)
            out["phone_info"].update(phoneNumber=phone, purePhoneNumber=phone)
            out["phone_info"]["watermark"]["appid"] = self.mp_app_id
            return out
        if path == "cgi-bin/message/subscribe/send":
            err = self._check_token(args, self.mp_app_id)
            if err:
                return err
            if not body.get("touser") or not body.get("template_id") or not isinstance(body.get("data"), dict):
                return {"errcode": 47003, "errmsg": "argument invalid!"}
            self.subscribe_messages.append(body)
            return {"errcode": 0, "errmsg": "ok", "msgid": len(self.subscribe_messages)}
        if path == "connect/oauth2/authorize":
            # the user "agrees" at once: back to redirect_uri with a code for `oauth_user`
            if args.get("appid") != self.oa_app_id or args.get("response_type") != "code":
                return ERR_BAD_ARGS
            code = self.new_oauth_code(self.oauth_user.openid, self.oauth_user.unionid)
            query = urlencode({"code": code, "state": args.get("state", "")})
            return f"{args['redirect_uri']}?{query}"
        return 404, {"errcode": -1, "errmsg": "not found"}


class _Handler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeWechat) -> None:
        self.fake = fake

    async def get(self, path: str) -> None:
        await self._serve(path, {})

    async def post(self, path: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            body = {}
        await self._serve(path, body if isinstance(body, dict) else {})

    async def _serve(self, path: str, body: dict) -> None:
        fake = self.fake
        path = path.strip("/")
        args = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        fake.counts[path] += 1
        fake.requests.append((path, args))
        if fake._delays.get(path):
            await asyncio.sleep(fake._delays[path])
        if fake._scripted[path]:
            scripted = fake._scripted[path].popleft()
            self.set_status(scripted.status)
            if scripted.body is not None:
                self.finish(scripted.body)
            else:
                self.finish("bad gateway")
            return
        answer = fake.answer(path, args, body)
        if isinstance(answer, str):
            self.redirect(answer)
            return
        if isinstance(answer, tuple):
            self.set_status(answer[0])
            answer = answer[1]
        # WeChat answers errors with HTTP 200 and a JSON errcode
        self.set_header("Content-Type", "application/json; encoding=utf-8")
        self.finish(json.dumps(answer, ensure_ascii=False))


# --------------------------------------------------------------------------- fixtures


def make_gateway(config, fake: FakeWechat) -> tuple[WechatGateway, ThreadPoolExecutor]:
    """A real gateway (own executor, own token-store engine: a "process") pointed at the fake."""
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-test")
    cfg = dataclasses.replace(config, wechat_api_base=fake.base_url, wechat_open_base=fake.base_url)
    return WechatGateway.from_config(cfg, executor), executor


@pytest.fixture
def fake_wechat(io_loop, config):
    """The fake WeChat server, for the duration of one test."""
    fake = FakeWechat(mp_app_id=config.wechat_mp_app_id, mp_secret=config.wechat_mp_secret,
                      oa_app_id=config.wechat_oa_app_id, oa_secret=config.wechat_oa_secret)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def wechat_gateway(request, config):
    """A real WechatGateway talking to `fake_wechat`, in tests that use `fake_wechat`; else the
    default (None: build_deps makes one from the configuration)."""
    if "fake_wechat" not in request.fixturenames:
        yield None
        return
    fake = request.getfixturevalue("fake_wechat")
    gateway, executor = make_gateway(config, fake)
    yield gateway
    executor.shutdown(wait=True)
    gateway.close()


# --------------------------------------------------------------------------- stand-alone


class _ControlHandler(tornado.web.RequestHandler):
    """Only in the stand-alone server (`python -m tests.fakes.wechat_server`): lets a test that is
    not in this process (the mini-program's journeys) choose who a code belongs to and read what
    was sent, as the fixtures do in-process."""

    def initialize(self, fake: FakeWechat) -> None:
        self.fake = fake

    def post(self, what: str) -> None:
        body = json.loads(self.request.body or b"{}")
        if what == "login-code":
            self.fake.set_login_code(body["code"], body["openid"], body.get("unionid"))
        elif what == "phone-code":
            self.fake.set_phone_code(body["code"], body["phone"])
        else:
            raise tornado.web.HTTPError(404)
        self.finish({"ok": True})

    def get(self, what: str) -> None:
        if what != "subscribe-messages":
            raise tornado.web.HTTPError(404)
        self.finish({"items": self.fake.subscribe_messages})


def main(argv: list[str] | None = None) -> None:
    """Serve the fake on 127.0.0.1:PORT with the app ids and secrets of the server's configuration."""
    import argparse

    from server.config import Config

    parser = argparse.ArgumentParser(description="A fake WeChat API on loopback, for tests")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    config = Config.from_env(dict(os.environ))
    fake = FakeWechat(mp_app_id=config.wechat_mp_app_id, mp_secret=config.wechat_mp_secret,
                      oa_app_id=config.wechat_oa_app_id, oa_secret=config.wechat_oa_secret)
    app = tornado.web.Application([(r"/__fake__/(.*)", _ControlHandler, {"fake": fake}),
                                   (r"/(.*)", _Handler, {"fake": fake})])

    async def serve() -> None:
        app.listen(args.port, address="127.0.0.1")
        fake.port = args.port
        print(f"fake WeChat on http://127.0.0.1:{args.port}/", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
