"""Property-based fuzzing of the whole API: schemathesis against `/api/v1/openapi.json` of a live server.

A real `python -m server` (APP_ENV=dev, so the demo data and the console SMS) on a fresh SQLite database;
every operation of the published document gets valid and invalid inputs generated from its own schemas,
sent with the token of the role it is meant for (a holder, a window clerk, venue staff, a reviewer, an
admin) and, for the PC-side sync, a correct HMAC signature, so the inputs reach the code behind the
checks. Four passes per operation: valid inputs, invalid inputs, valid inputs aimed at the demo data's
real records, and valid inputs with one value from a dictionary of known-bad ones. The run is deterministic
(fixed seed, no example database, requests sent in order) and bounded (EXAMPLES per operation and pass).

It fails on any 5xx and on any 4xx whose body is not the contract's error
`{"error": {"code": str, "message": str in Chinese, "details"?: object}}`, listing every distinct failure
with its input and the server's traceback. It runs once, on SQLite only (TEST_DB=mysql skips it).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261130
# examples per operation and pass (valid inputs, invalid inputs, real records, the dictionary): 84 operations
# → 6,308 requests, ~100 s of CPU for the generator and the server together
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "24"))
MIN_REQUESTS = 5000
MIN_REACHED = 50
PASSWORD = "Demo@12345"
SYNC_KEY, SYNC_SECRET = "pc-demo", "pc-demo-secret"

# Operations not fuzzed, and why.
SKIP = {
    # would revoke the very session the fuzzer is using for every later request of that role
    ("POST", "/api/v1/auth/logout"),
    # an admin disabling a demo account by id ("1", "2" … are easy draws) would lock a fuzzing role out;
    # its enable twin is fuzzed, and tests/auth covers disable
    ("POST", "/api/v1/admin/accounts/{account_id}/disable"),
}

# which token an operation gets, from the document's `x-auth`
ROLE_FOR = {"holder": "holder", "window_staff": "clerk", "venue_staff": "venue", "reviewer": "reviewer",
            "admin": "admin", "employer": "employer"}

_CJK = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.skipif("sqlite" not in BACKENDS, reason="the fuzz run uses SQLite only (TEST_DB)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fake_wechat_base():
    """The fake WeChat (tests/fakes) on loopback, on its own IOLoop in a thread: the server under test
    must never reach for the real api.weixin.qq.com, and its WeChat code paths get real answers."""
    from tests.fakes.wechat_server import FakeWechat

    started = threading.Event()
    holder = {}

    def serve():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        fake = FakeWechat(mp_app_id="wx-demo-mp", mp_secret="demo-mp-secret", oa_app_id="wx-demo-oa",
                          oa_secret="demo-oa-secret")
        fake.start()
        holder.update(fake=fake, loop=loop)
        started.set()
        loop.run_forever()
        fake.stop()
        loop.close()

    thread = threading.Thread(target=serve, name="fake-wechat", daemon=True)
    thread.start()
    assert started.wait(10)
    yield holder["fake"].base_url
    holder["loop"].call_soon_threadsafe(holder["loop"].stop)
    thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake_wechat_base):
    """`python -m server` on a fresh SQLite file with the demo data; its log (JSON) is kept."""
    d = tmp_path_factory.mktemp("fuzz")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = d / "server.log"
    env = {**os.environ, "APP_ENV": "dev", "DATABASE_URL": f"sqlite+aiosqlite:///{d / 'fuzz.db'}",
           "UPLOAD_DIR": str(d / "uploads"), "HOST": "127.0.0.1", "PORT": str(port), "PUBLIC_BASE_URL": base,
           "LOG_JSON": "1", "LOG_LEVEL": "INFO", "OUTBOX_RELAY": "0",
           "WECHAT_API_BASE": fake_wechat_base, "WECHAT_OPEN_BASE": fake_wechat_base,
           "WECHAT_MP_APP_ID": "wx-demo-mp", "WECHAT_MP_SECRET": "demo-mp-secret",
           "WECHAT_OA_APP_ID": "wx-demo-oa", "WECHAT_OA_SECRET": "demo-oa-secret", "SMS_PROVIDER": "console"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "server"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /healthz in 90 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        yield base, log_path, d / "fuzz.db"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _login(session: requests.Session, base: str) -> dict[str, str]:
    def password(username):
        r = session.post(base + "/api/v1/auth/password/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return r.json()["token"]

    phone = "13800000001"
    r = session.post(base + "/api/v1/auth/sms/send", json={"phone": phone, "purpose": "login"})
    assert r.status_code == 200, r.text
    code = session.get(base + "/api/v1/dev/sms", params={"phone": phone}).json()["items"][0]["params"]["code"]
    r = session.post(base + "/api/v1/auth/sms/login", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    return {"holder": r.json()["token"], "clerk": password("wendeng_window"), "venue": password("airport_staff"),
            "reviewer": password("city_reviewer"), "admin": password("admin"), "employer": password("demo_employer")}


# path parameter → the demo data's values for it, so that generated bodies also reach real records
KNOWN_IDS = {"id": "SELECT id FROM appointments", "app_id": "SELECT id FROM applications",
             "file_id": "SELECT id FROM uploads", "card_no": "SELECT card_no FROM cards",
             "service_id": "SELECT id FROM services", "account_id": "SELECT id FROM accounts",
             "window_id": "SELECT id FROM windows", "listing_id": "SELECT id FROM listings",
             "venue_id": "SELECT id FROM venues",
             "title_id": "SELECT id FROM honor_titles",
             "external_id": "SELECT external_id FROM holder_profiles WHERE external_id IS NOT NULL"}


def _known_ids(db_path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(db_path) as conn:
        out = {name: sorted({str(r[0]) for r in conn.execute(sql)}) for name, sql in KNOWN_IDS.items()}
    out["external_id"] = out["external_id"] or ["PC-1001"]
    assert all(out.values()), f"the demo data has no records for {[k for k, v in out.items() if not v]}"
    return out


def _tokens_for(x_auth: str, tokens: dict[str, str]) -> list[str | None]:
    """The tokens an operation is called with: its own role's (mostly), anyone's for "any logged-in user",
    and for public operations none or a holder's."""
    if x_auth.startswith("roles: "):
        return [tokens[ROLE_FOR[r]] for r in x_auth[len("roles: "):].split(", ")]
    if x_auth == "any logged-in user":
        return list(tokens.values())
    return [None, tokens["holder"]]


def _sign(prepared: requests.PreparedRequest) -> None:
    """The PC-side signature over exactly the bytes that are sent (API.md "PC-side sync")."""
    u = urllib.parse.urlsplit(prepared.url)
    ts, nonce = str(int(time.time())), secrets.token_hex(12)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    query = "&".join(sorted(p for p in u.query.split("&") if p)) if u.query else ""
    msg = "\n".join([prepared.method.upper(), u.path, query, ts, nonce, hashlib.sha256(body).hexdigest()])
    prepared.headers.update({"X-Sync-Key": SYNC_KEY, "X-Sync-Timestamp": ts, "X-Sync-Nonce": nonce,
                             "X-Sync-Signature": hmac.new(SYNC_SECRET.encode(), msg.encode(),
                                                          hashlib.sha256).hexdigest()})


def error_body_problem(resp: requests.Response) -> str | None:
    """None when a 4xx/5xx answer is the contract's error body, else what is wrong with it."""
    if "json" not in resp.headers.get("Content-Type", ""):
        return f"Content-Type {resp.headers.get('Content-Type')!r}, not JSON"
    try:
        body = resp.json()
    except ValueError:
        return "body is not JSON"
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict) or set(body) != {"error"}:
        return "body is not {\"error\": {...}}"
    if not isinstance(err.get("code"), str) or not err["code"]:
        return "error.code is not a non-empty string"
    if not isinstance(err.get("message"), str) or not _CJK.search(err["message"]):
        return "error.message is not a Chinese string"
    if "details" in err and not isinstance(err["details"], dict):
        return "error.details is not an object"
    if set(err) - {"code", "message", "details"}:
        return f"error has unknown keys {sorted(set(err) - {'code', 'message', 'details'})}"
    return None


def _signature(trace: str) -> tuple[str, str, str] | None:
    """(file, function, exception type) of a traceback's last frame in server/."""
    frames = re.findall(r'File "[^"]*?/(server/[^"]+)", line \d+, in (\w+)', trace)
    if not frames:
        return None
    last = trace.strip().splitlines()[-1]
    return frames[-1][0], frames[-1][1], last.split(":", 1)[0].rsplit(".", 1)[-1]


def _tracebacks(log_path: Path) -> dict[str, str]:
    out = {}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("exc"):
            out.setdefault(rec.get("request_id", "-"), rec["exc"])
    return out


# A dictionary of inputs that broke servers like this one before (as fuzzers like AFL keep one): Unicode
# digits that str.isdigit() accepts and int() or the database do not, numbers past 64 bits, dates at the
# calendar's ends, control characters, JSON nested deeper than any parser's recursion. Random generation
# meets them too rarely to rely on in a bounded run.
NASTY_TEXT = ["¹", "²³", "١٢", "𝟙", "0", "-1", "9" * 40, "1e3", " 1", "1.0", "\x00", "0001-01-01", "9999-12-31",
              "2026-02-30", "a" * 300, "null", "../..", "%", "+1"]
NASTY_BY_FORMAT = {
    "date": ["0001-01-01", "9999-12-31", "2026-02-30", "0000-00-00", "¹"],
    "integer": ["9" * 40, str(2**63), "-" + "9" * 30, "-1", "0", "¹", "١٢", "1e3", "1.0"],
}
NASTY_JSON = [10**30, -(10**30), 2**63, 2**64 + 1, -1, 0, 1.5, float("1e308"), "¹", "١٢", "0001-01-01", "9999-12-31",
              "", None, True, {}, [], [[[[[]]]]], "x" * 20000, "\x00"]
DEEP_JSON = b'{"a":' * 20000 + b"1" + b"}" * 20000


def _kind(schema: dict) -> str:
    """Which part of the dictionary fits a query parameter: dates, integers or any text."""
    return "date" if schema.get("format") == "date" else schema.get("type", "text")


def _fuzz(strategy, tokens: list, send, ids: dict[str, list[str]] | None = None,
          nasty: list[str] | None = None) -> None:
    """One operation, one generation mode: EXAMPLES cases from a fixed seed, no shrinking, no example
    database, every failure recorded by `send` instead of stopping the run. With `ids`, the path
    parameters are drawn from those real records instead of generated; with `nasty` (targets such as
    "path:id", "query:date:date", "body"), one of them gets a value from the dictionary above."""
    real = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ids.items()}) if ids else st.just({})

    @seed(SEED)
    @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy, token=st.sampled_from(tokens), path=real, data=st.data())
    def run(case, token, path, data):
        if path:
            case.path_parameters = {**(case.path_parameters or {}), **path}
        raw = None
        if nasty:
            where, _, name = data.draw(st.sampled_from(nasty)).partition(":")
            if where == "path":
                case.path_parameters = {**case.path_parameters, name: data.draw(st.sampled_from(NASTY_TEXT))}
            elif where == "query":
                name, _, kind = name.partition(":")
                value = data.draw(st.sampled_from(NASTY_BY_FORMAT.get(kind, NASTY_TEXT)))
                case.query = {**(case.query or {}), name: value}
            elif isinstance(case.body, dict):
                keys = sorted(case.body) + ["version", "id"]
                value = data.draw(st.sampled_from(NASTY_JSON + [DEEP_JSON]))
                if value is DEEP_JSON:
                    raw = DEEP_JSON
                else:
                    case.body = {**case.body, data.draw(st.sampled_from(keys)): value}
        send(case, token, raw)

    run()


def test_fuzz_every_operation(server):
    base, log_path, db_path = server
    session = requests.Session()
    tokens = _login(session, base)
    doc = session.get(base + "/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(doc)
    known = _known_ids(db_path)
    sent = 0
    failures: dict[tuple, dict] = {}  # (method, path, problem) → its first example
    statuses: dict[tuple, collections.Counter] = collections.defaultdict(collections.Counter)
    started = time.monotonic()
    # Generating a case costs about as much as the server's answer: one thread sends (in order, so the
    # run stays deterministic) while the next cases are generated.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fuzz-http")
    in_flight: collections.deque = collections.deque()

    def check(op, req, rid, future) -> None:
        resp = future.result()
        statuses[(op.method.upper(), op.path)][resp.status_code // 100] += 1
        problem = None
        if resp.status_code >= 500:
            problem = f"HTTP {resp.status_code}"
        elif resp.status_code >= 400:
            problem = error_body_problem(resp)
            problem = problem and f"HTTP {resp.status_code}: {problem}"
        if problem:
            failures.setdefault((op.method.upper(), op.path, problem), {
                "request_id": rid, "url": req.url, "body": (req.body or b"")[:300], "answer": resp.text[:300],
                "headers": {k: v for k, v in req.headers.items() if k != "Authorization"}})

    def send(op, case, token, raw_body=None):
        nonlocal sent
        sent += 1
        rid = f"fuzz-{sent}"
        headers = {"X-Request-Id": rid}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kw = case.as_transport_kwargs(base_url=base, headers=headers)
        req = requests.Request(**{k: v for k, v in kw.items() if k in (
            "method", "url", "headers", "params", "json", "data", "files")}).prepare()
        if raw_body is not None:
            req.prepare_body(raw_body, None)
        if isinstance(req.body, (bytes, str)) and "Content-Length" in req.headers:
            # a body in hand is sent with its length only: a generated case may carry a
            # Transfer-Encoding header too, and a message with both is refused by Tornado (rightly) with
            # a bare 400 before our code sees it
            req.headers.pop("Transfer-Encoding", None)
        if op.definition.raw.get("x-auth") == "signed PC-side request":
            _sign(req)
        in_flight.append((op, req, rid, pool.submit(session.send, req, timeout=60, allow_redirects=False)))
        while len(in_flight) > 16:
            check(*in_flight.popleft())

    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SKIP:
            continue
        choices = _tokens_for(op.definition.raw.get("x-auth", "public"), tokens)
        # valid inputs, invalid inputs, and (where the path names a record) valid inputs for real records
        names = [p.name for p in op.path_parameters]
        passes = [(schemathesis.GenerationMode.POSITIVE, None), (schemathesis.GenerationMode.NEGATIVE, None)]
        if names and all(known.get(n) for n in names):  # (records the demo data has, e.g. no follow-ups)
            passes.append((schemathesis.GenerationMode.POSITIVE, {n: known[n] for n in names}))
        targets = [f"path:{n}" for n in names] + [f"query:{p.name}:{_kind(p.definition.get('schema', {}))}"
                                                  for p in op.query]
        targets += ["body"] if op.body else []
        passes = [(m, i, None) for m, i in passes]
        if targets:
            passes.append((schemathesis.GenerationMode.POSITIVE, None, targets))
        for mode, ids, nasty in passes:
            try:
                strategy = op.as_strategy(generation_mode=mode)
            except Exception:  # noqa: BLE001 (an operation without inputs has no invalid ones)
                continue
            try:
                _fuzz(strategy, choices, lambda case, token, raw, op=op: send(op, case, token, raw), ids, nasty)
            except Exception as exc:  # noqa: BLE001 (a generation problem is reported, not fatal)
                if "Unsatisfiable" in type(exc).__name__ or "Unsatisfiable" in str(exc):
                    continue
                failures.setdefault((op.method.upper(), op.path, f"generation: {type(exc).__name__}: {exc}"[:200]),
                                    {"request_id": "-", "url": "", "body": b"", "answer": str(exc)[:300]})

    while in_flight:
        check(*in_flight.popleft())
    pool.shutdown()
    elapsed = time.monotonic() - started
    reached = sorted(f"{m} {p}" for (m, p), c in statuses.items() if c[2])
    print(f"\nschemathesis: {sent} requests in {elapsed:.0f} s, {len(failures)} distinct failures; "
          f"{len(reached)} of {len(statuses)} operations answered 2xx at least once")
    for (m, p), c in sorted(statuses.items()):
        print(f"  {m:6} {p:55} " + " ".join(f"{k}xx:{v}" for k, v in sorted(c.items())))
    traces = _tracebacks(log_path)
    failed = []
    for (method, path, problem), ex in sorted(failures.items()):
        trace = traces.get(ex["request_id"], "")
        where = _signature(trace)
        text = (f"{method} {path}: {problem}\n    {ex['url']}\n    headers: {ex['headers']}\n"
                f"    body: {ex['body']!r}\n    answer: {ex['answer']}\n"
                + (f"    {where[0]}:{where[1]} {where[2]}: {trace.strip().splitlines()[-1]}\n" if where else ""))
        failed.append(text)
    if failed:
        (ROOT / "var").mkdir(exist_ok=True)
        full = "\n".join(failed) + "\n\n" + "\n\n".join(f"[{k}]\n{v}" for k, v in traces.items())
        (ROOT / "var" / "fuzz-failures.txt").write_text(full, encoding="utf-8")
    assert not failed, f"{len(failed)} distinct failures (var/fuzz-failures.txt has the tracebacks):\n" + "\n".join(failed)
    assert sent >= MIN_REQUESTS, f"only {sent} requests were sent"
    # the inputs get past authentication and validation into the services, not only to a 401 or a 400
    assert len(reached) >= MIN_REACHED, f"only {len(reached)} operations ever answered 2xx: {reached}"


def _response(status: int, body: bytes, ctype: str = "application/json; charset=UTF-8") -> requests.Response:
    r = requests.Response()
    r.status_code, r._content = status, body
    r.headers["Content-Type"] = ctype
    return r


@pytest.mark.parametrize("body, ctype, problem", [
    (b'{"error": {"code": "NOT_FOUND", "message": "\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8"}}', None, None),
    (b'{"error": {"code": "X", "message": "\xe9\x94\x99", "details": {"fields": {}}}}', None, None),
    (b"<html>500</html>", "text/html", "not JSON"),
    (b"not json", None, "body is not JSON"),
    (b'{"message": "x"}', None, "is not {"),
    (b'{"error": {"code": "X", "message": "\xe9\x94\x99"}, "extra": 1}', None, "is not {"),
    (b'{"error": {"code": 5, "message": "\xe9\x94\x99"}}', None, "code"),
    (b'{"error": {"code": "X", "message": "Not found"}}', None, "Chinese"),
    (b'{"error": {"code": "X", "message": "\xe9\x94\x99", "details": null}}', None, "details"),
    (b'{"error": {"code": "X", "message": "\xe9\x94\x99", "trace": "..."}}', None, "unknown keys"),
])
def test_the_error_body_check_accepts_the_contract_and_nothing_else(body, ctype, problem):
    got = error_body_problem(_response(404, body, ctype or "application/json; charset=UTF-8"))
    assert (got is None) if problem is None else (problem in (got or "")), got
