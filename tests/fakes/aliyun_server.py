"""A fake Aliyun dysmsapi endpoint on loopback, spoken to by the real SDK.

It checks what Aliyun checks first — the access key, the HMAC-SHA1 RPC signature over every query and
form parameter, the nonce — then records the message and answers like SendSms does, and answers
QuerySendDetails (a number's messages of one day, China time, paged) from what it recorded. Tests script
trouble: `fail_next(code, message)` (a 200 answer with an error code, as Aliyun answers business
errors), `http_error_next(500)`, `slow_next(seconds)`; `jitter` delays every SendSms answer by up to
that many seconds *after* the message is recorded (so a killed client leaves a sent, unrecorded message).

Use the `fake_aliyun` fixture and `fake_aliyun.env()` as `config_overrides` to wire `deps` with the
Aliyun sender pointed at it.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import random
import re
import urllib.parse
import uuid

import pytest
import tornado.httpserver
import tornado.testing
import tornado.web

ACCESS_KEY_ID = "LTAI-test-key"
ACCESS_KEY_SECRET = "test-secret-0123456789"
SIGN_NAME = "威海英才卡"
TEMPLATE_CODES = {
    "login": "SMS_100000001",
    "appointment_feedback": "SMS_100000002",
    "rating_invite": "SMS_100000003",
    "work_arrived": "SMS_100000004",
    "supervision": "SMS_100000005",
}


CHINA = dt.timezone(dt.timedelta(hours=8))


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's RPC signature defines it."""
    return urllib.parse.quote(value, safe="~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(method: str, params: dict[str, str], secret: str) -> str:
    digest = hmac.new((secret + "&").encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclasses.dataclass
class Message:
    phone: str
    sign_name: str
    template_code: str
    params: dict
    out_id: str | None
    biz_id: str
    # when the fake accepted it, in China time (what QuerySendDetails shows)
    sent_at: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(CHINA).replace(tzinfo=None))


@dataclasses.dataclass
class _Scripted:
    status: int = 200
    code: str | None = None
    message: str = ""
    delay: float = 0.0


class FakeAliyun:
    """The fake endpoint's state: what it received, what it refused, what it will answer next."""

    def __init__(self, access_key_id: str = ACCESS_KEY_ID, secret: str = ACCESS_KEY_SECRET):
        self.access_key_id = access_key_id
        self.secret = secret
        self.received: list[Message] = []
        # (code, http status) of every refused request, scripted or not
        self.refused: list[tuple[str, int]] = []
        self.requests = 0
        # QuerySendDetails calls answered (phone, SendDate)
        self.queries: list[tuple[str, str]] = []
        self.jitter = 0.0
        self._script: collections.deque[_Scripted] = collections.deque()
        self._nonces: set[str] = set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0

    # ------------------------------------------------------------------ scripting

    def fail_next(self, code: str, message: str = "", times: int = 1) -> None:
        """The next `times` valid requests get a 200 answer with this error Code (e.g.
        `isv.BUSINESS_LIMIT_CONTROL`), as Aliyun answers business errors."""
        self._script.extend(_Scripted(code=code, message=message or code) for _ in range(times))

    def http_error_next(self, status: int = 500, times: int = 1) -> None:
        """The next `times` valid requests get this HTTP status with a non-JSON body."""
        self._script.extend(_Scripted(status=status) for _ in range(times))

    def slow_next(self, seconds: float, times: int = 1) -> None:
        """The next `times` valid requests succeed after `seconds` (without blocking the loop)."""
        self._script.extend(_Scripted(delay=seconds) for _ in range(times))

    # ------------------------------------------------------------------ reading

    def codes_for(self, phone: str) -> list[str]:
        """The login codes sent to `phone`, oldest first."""
        return [m.params.get("code") for m in self.received if m.phone == phone]

    def deliveries(self) -> collections.Counter:
        """How many times each OutId was accepted (a value above 1 is a duplicate at the provider)."""
        return collections.Counter(m.out_id for m in self.received)

    def last_code(self, phone: str) -> str:
        codes = self.codes_for(phone)
        assert codes, f"no SMS received for {phone}"
        return codes[-1]

    # ------------------------------------------------------------------ wiring

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for `Config.from_env` (use as `config_overrides`)."""
        env = {
            "SMS_PROVIDER": "aliyun",
            "ALIYUN_ACCESS_KEY_ID": self.access_key_id,
            "ALIYUN_ACCESS_KEY_SECRET": self.secret,
            "ALIYUN_SMS_ENDPOINT": self.endpoint,
            "ALIYUN_SMS_PROTOCOL": "http",
            "ALIYUN_SMS_SIGN_NAME": SIGN_NAME,
            "ALIYUN_SMS_CONNECT_TIMEOUT": "2",
            "ALIYUN_SMS_READ_TIMEOUT": "5",
        }
        env.update({f"ALIYUN_SMS_TEMPLATE_{k.upper()}": v for k, v in TEMPLATE_CODES.items()})
        env.update(extra)
        return env

    def start(self) -> None:
        """Listen on a random loopback port (on the current IOLoop)."""
        sock, self.port = tornado.testing.bind_unused_port()
        # no access log: the fake is not the system under test (and its URLs hold phone numbers)
        app = tornado.web.Application([(r"/", _Handler, {"fake": self})], log_function=lambda handler: None)
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets([sock])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


class _Handler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeAliyun) -> None:
        self.fake = fake

    def _answer(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json;charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    def _refuse(self, status: int, code: str, message: str) -> None:
        self.fake.refused.append((code, status))
        self._answer(status, {"RequestId": _request_id(), "HostId": "dysmsapi.aliyuncs.com",
                              "Code": code, "Message": message})

    def _params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        for source in (self.request.query_arguments, self.request.body_arguments):
            for k, values in source.items():
                params[k] = values[-1].decode()
        return params

    async def get(self) -> None:
        await self._handle()

    async def post(self) -> None:
        await self._handle()

    async def _handle(self) -> None:
        fake = self.fake
        fake.requests += 1
        p = self._params()
        signature = p.pop("Signature", "")
        if p.get("AccessKeyId") != fake.access_key_id:
            return self._refuse(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        expected = rpc_signature(self.request.method, p, fake.secret)
        if not hmac.compare_digest(signature, expected):
            return self._refuse(400, "SignatureDoesNotMatch",
                                "Specified signature is not matched with our calculation. server string to sign is:"
                                + string_to_sign(self.request.method, p))
        nonce = p.get("SignatureNonce", "")
        if not nonce or nonce in fake._nonces:
            return self._refuse(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        fake._nonces.add(nonce)
        action = p.get("Action")
        if action not in ("SendSms", "QuerySendDetails") or p.get("Version") != "2017-05-25":
            return self._refuse(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        for name in ("Timestamp", "SignatureMethod", "SignatureVersion", "Format"):
            if not p.get(name):
                return self._refuse(400, "MissingParameter", f"The input parameter \"{name}\" that is mandatory "
                                    "for processing this request is not supplied.")
        script = fake._script.popleft() if fake._script else _Scripted()
        if action == "QuerySendDetails":
            return await self._query(p, script)
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.status != 200:
            fake.refused.append((f"HTTP {script.status}", script.status))
            self.set_status(script.status)
            return self.finish("<html><body>Service Unavailable</body></html>")
        if script.code:
            return self._refuse(200, script.code, script.message)
        phone = p.get("PhoneNumbers", "")
        if not re.fullmatch(r"1[3-9]\d{9}", phone):
            return self._refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not p.get("SignName"):
            return self._refuse(200, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
        if p.get("TemplateCode") not in TEMPLATE_CODES.values():
            return self._refuse(200, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        try:
            params = json.loads(p.get("TemplateParam") or "{}")
        except ValueError:
            return self._refuse(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        biz_id = f"{len(fake.received) + 1:06d}^{uuid.uuid4().int % 10**10:010d}"
        fake.received.append(Message(phone=phone, sign_name=p["SignName"], template_code=p["TemplateCode"],
                                     params=params, out_id=p.get("OutId"), biz_id=biz_id))
        if fake.jitter:
            await asyncio.sleep(random.uniform(0, fake.jitter))
        self._answer(200, {"Message": "OK", "RequestId": _request_id(), "BizId": biz_id, "Code": "OK"})

    async def _query(self, p: dict[str, str], script: _Scripted) -> None:
        """QuerySendDetails: the number's messages of SendDate (yyyyMMdd, China time), newest first, paged."""
        fake = self.fake
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not p.get(name):
                return self._refuse(400, "MissingParameter", f"The input parameter \"{name}\" that is mandatory "
                                    "for processing this request is not supplied.")
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.status != 200:
            fake.refused.append((f"HTTP {script.status}", script.status))
            self.set_status(script.status)
            return self.finish("<html><body>Service Unavailable</body></html>")
        if script.code:
            return self._refuse(200, script.code, script.message)
        phone, send_date = p["PhoneNumber"], p["SendDate"]
        if not re.fullmatch(r"[0-9]{8}", send_date):
            return self._refuse(200, "isv.INVALID_PARAMETERS", "参数异常")
        try:
            size, page = int(p["PageSize"]), int(p["CurrentPage"])
        except ValueError:
            return self._refuse(200, "isv.INVALID_PARAMETERS", "参数异常")
        if not (1 <= size <= 50 and page >= 1):
            return self._refuse(200, "isv.INVALID_PARAMETERS", "参数异常")
        fake.queries.append((phone, send_date))
        mine = [m for m in reversed(fake.received)
                if m.phone == phone and m.sent_at.strftime("%Y%m%d") == send_date]
        dtos = [{
            "PhoneNum": m.phone, "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": m.template_code,
            "Content": f"【{m.sign_name}】" + json.dumps(m.params, ensure_ascii=False),
            "SendDate": m.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
            "ReceiveDate": m.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
            **({"OutId": m.out_id} if m.out_id else {}),
        } for m in mine[(page - 1) * size:page * size]]
        self._answer(200, {"TotalCount": len(mine), "Message": "OK", "RequestId": _request_id(),
                           "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}, "Code": "OK"})


@pytest.fixture
def fake_aliyun(io_loop):
    """A running `FakeAliyun` on 127.0.0.1 (random port)."""
    fake = FakeAliyun()
    fake.start()
    yield fake
    io_loop.run_sync(fake.stop)
