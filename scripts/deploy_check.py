"""make deploy-check: the production shape, run and exercised on this machine.

Builds, in a temporary directory and on loopback ports only: its own MariaDB database (on the server
at 127.0.0.1:3306), an S3-compatible object store (moto's server), two server processes, one worker
and nginx (a child process with its own prefix, configured with deploy/nginx/yck-locations.conf, the
lines production uses). Then checks, through nginx only:

- the H5 (and the console when built) with their cache rules, the pages' security headers;
- the SMS login, and the per-IP limit counting the client's address (not nginx's, not a spoofed one);
- a booking handled by one process pushed within a second to a WebSocket held by the other;
- a photo uploaded through one process served by the other (from the bucket, no local file);
- a rolling restart (SIGTERM one process, start it again, then the other) under a steady stream of
  scans and bookings: no failed request, no duplicated scan or booking, no lost SMS or push;
- `kill -9` of one process: nginx routes around it, the WebSockets reconnect;
- scripts/backup.sh and scripts/restore.sh into a fresh database and bucket: the same row counts, and
  a login and a restored photo on a server started on the copy.

Prints `deploy-check: N passed, M failed`; exits 1 on any failure; leaves nothing running.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

import boto3
import pymysql
import tornado.httpclient
import tornado.websocket

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MYSQL = dict(host="127.0.0.1", port=3306, user="root", password="")
BUCKET = "yck-deploy-check"
S3_KEYS = {"S3_ACCESS_KEY_ID": "deploycheck", "S3_SECRET_ACCESS_KEY": "deploycheck-secret", "S3_REGION": "us-east-1"}
IP_LIMIT = 3
HOLDER = "13800000001"
SERVICE_BOOK, WINDOW, SERVICE_SCAN = "3", "1", "2"  # demo data: 子女入学 at the city window; 就医绿色通道
LOAD_SECONDS_PER_PHASE = 2.0

tornado.httpclient.AsyncHTTPClient.configure(None, max_clients=64)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Failed(Exception):
    pass


def expect(cond, message: str) -> None:
    if not cond:
        raise Failed(message)


# --------------------------------------------------------------------------- the stack


class Stack:
    """Every process and resource the check creates; `close()` removes them all."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="yck-deploy-check-"))
        os.chmod(self.tmp, 0o755)  # nginx's workers (nobody) create their temp files in here
        self.procs: dict[str, subprocess.Popen] = {}
        self.dbs: list[str] = []
        self.db = f"yck_deploy_{os.getpid()}"
        self.ports = {"a": free_port(), "b": free_port(), "c": free_port(), "s3": free_port(), "nginx": free_port()}
        self.base = f"http://127.0.0.1:{self.ports['nginx']}"
        self.s3 = f"http://127.0.0.1:{self.ports['s3']}"

    # ---- helpers
    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        with open(self.log(name), "ab") as out:
            proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join(self.log(name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def mysql(self, db: str | None = None):
        return pymysql.connect(**MYSQL, database=db, charset="utf8mb4", autocommit=True)

    def url(self, db: str) -> str:
        return f"mysql+aiomysql://root@127.0.0.1:3306/{db}?charset=utf8mb4"

    def env(self, db: str, bucket: str, port: int, name: str) -> dict:
        return {
            "APP_ENV": "test",  # the demo data and /api/v1/dev/sms (the console SMS provider) for the checks
            "DATABASE_URL": self.url(db), "HOST": "127.0.0.1", "PORT": str(port),
            "TRUSTED_PROXY": "1", "TRUSTED_PROXY_ADDRESSES": "127.0.0.1",  # nginx connects from 127.0.0.1
            "OUTBOX_RELAY": "0", "SMS_IP_HOURLY_LIMIT": str(IP_LIMIT), "LOG_JSON": "1", "LOG_LEVEL": "INFO",
            "UPLOAD_STORE": "s3", "S3_ENDPOINT_URL": self.s3, "S3_BUCKET": bucket, "S3_ADDRESSING_STYLE": "path",
            "S3_PREFIX": "uploads/", **S3_KEYS,
            # a directory that must stay empty: every file goes to the bucket
            "UPLOAD_DIR": str(self.tmp / f"local-{name}"),
            "SHUTDOWN_GRACE_SECONDS": "10", "DB_POOL_SIZE": "5", "METRICS_TOKEN": "deploy-check-metrics",
        }

    def run(self, argv: list[str], env: dict, timeout: float = 120) -> str:
        r = subprocess.run(argv, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise Failed(f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        return r.stdout

    # ---- parts
    def create_database(self, name: str) -> None:
        with self.mysql() as c, c.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        self.dbs.append(name)

    def s3_client(self):
        return boto3.client("s3", endpoint_url=self.s3, region_name=S3_KEYS["S3_REGION"],
                            aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
                            aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"])

    def start_s3(self) -> None:
        self.spawn("s3", [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.ports["s3"])])
        wait_port(self.ports["s3"], self.procs["s3"], 30, lambda: self.tail("s3"))
        self.s3_client().create_bucket(Bucket=BUCKET)

    def start_server(self, name: str, db: str | None = None, bucket: str = BUCKET) -> None:
        self.spawn(name, [PY, "-m", "server"], self.env(db or self.db, bucket, self.ports[name], name))
        wait_healthy(self.ports[name], self.procs[name], lambda: self.tail(name))

    def start_worker(self) -> None:
        env = self.env(self.db, BUCKET, 0, "worker")
        env.pop("PORT")
        self.spawn("worker", [PY, "-m", "server.worker"], env)

    def start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        # the release as nginx sees it in production (/opt/yck), copied under the temporary directory:
        # nginx's workers run as nobody, who may not traverse the directories of this clone
        release = self.tmp / "release"
        shutil.copytree(ROOT / "h5" / "dist", release / "h5" / "dist")
        if (ROOT / "h5" / "dist-console").is_dir():  # the PC console, where `make h5` builds it
            shutil.copytree(ROOT / "h5" / "dist-console", release / "h5" / "dist-console")
        shutil.copytree(ROOT / "deploy" / "nginx", release / "deploy" / "nginx")
        for p in [release, *release.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        locations = (ROOT / "deploy" / "nginx" / "yck-locations.conf").read_text().replace("/opt/yck/", f"{release}/")
        (self.tmp / "yck-locations.conf").write_text(locations)
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.tmp / d).mkdir(exist_ok=True)
        t = self.tmp
        conf = f"""
daemon off;
master_process on;
worker_processes 1;
pid {t}/nginx.pid;
error_log {t}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format check '$remote_addr "$request" $status $upstream_addr $upstream_status';
    access_log {t}/nginx-access.log check;
    client_body_temp_path {t}/body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    upstream yck_web {{
        server 127.0.0.1:{self.ports['a']} max_fails=1 fail_timeout=1s;
        server 127.0.0.1:{self.ports['b']} max_fails=1 fail_timeout=1s;
    }}
    map $http_upgrade $yck_connection_upgrade {{ default upgrade; "" close; }}
    map $host $yck_metrics_token {{ default "deploy-check-metrics"; }}
    server {{
        listen 127.0.0.1:{self.ports['nginx']};
        server_name localhost;
        # the check only: which process answered (production does not say)
        add_header X-Upstream $upstream_addr always;
        include {t}/yck-locations.conf;
    }}
}}
"""
        (t / "nginx.conf").write_text(conf)
        test = subprocess.run([nginx, "-t", "-p", str(t), "-c", str(t / "nginx.conf"), "-e", str(t / "nginx-error.log")],
                              capture_output=True, text=True)
        if test.returncode != 0:
            raise Failed(f"nginx -t failed:\n{test.stderr}")
        self.spawn("nginx", [nginx, "-p", str(t), "-c", str(t / "nginx.conf"), "-e", str(t / "nginx-error.log")])
        wait_port(self.ports["nginx"], self.procs["nginx"], 10, lambda: self.tail("nginx-error"))

    def signal(self, name: str, sig: int) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(sig)

    def close(self) -> None:
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        with contextlib.suppress(Exception), self.mysql() as c, c.cursor() as cur:
            for name in self.dbs:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        if os.environ.get("DEPLOY_CHECK_KEEP"):
            print(f"deploy-check: logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def wait_port(port: int, proc, timeout: float, logs) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise Failed(f"process on port {port} exited {proc.returncode}:\n{logs()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise Failed(f"nothing listens on {port} after {timeout}s:\n{logs()}") from None
            time.sleep(0.1)


def wait_healthy(port: int, proc, logs, timeout: float = 60) -> None:
    """Orchestration only (the checks themselves go through nginx): the process answers /healthz."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise Failed(f"server on {port} exited {proc.returncode}:\n{logs()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise Failed(f"server on {port} not healthy after {timeout}s:\n{logs()}")
        time.sleep(0.2)


# --------------------------------------------------------------------------- HTTP through nginx


class Client:
    """JSON over HTTP to one base URL; `source` picks the loopback address the request comes from."""

    def __init__(self, base: str, source: str | None = None):
        self.base = base
        self.source = source
        self.http = tornado.httpclient.AsyncHTTPClient()

    async def call(self, method: str, path: str, body=None, token: str | None = None, headers=None,
                   raw: bytes | None = None, timeout: float = 20):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            h.setdefault("Content-Type", "application/json")
        if data is None and method in ("POST", "PUT"):
            data = b""
        r = await self.http.fetch(self.base + path, method=method, body=data, headers=h, raise_error=False,
                                  network_interface=self.source, request_timeout=timeout, connect_timeout=5,
                                  follow_redirects=False)
        return r

    @staticmethod
    def json(r):
        return json.loads(r.body) if r.body and "json" in r.headers.get("Content-Type", "") else None

    async def sms_code(self, phone: str) -> str:
        for _ in range(100):  # the worker delivers the outbox within about a second
            r = await self.call("GET", f"/api/v1/dev/sms?phone={phone}")
            items = (self.json(r) or {}).get("items") or []
            if items:
                return items[0]["params"]["code"]
            await asyncio.sleep(0.1)
        raise Failed(f"no SMS code for {phone[:3]}****{phone[-4:]}")

    async def login_sms(self, phone: str) -> str:
        r = await self.call("POST", "/api/v1/auth/sms/send", {"phone": phone, "purpose": "login"})
        expect(r.code == 200, f"sms send: {r.code} {r.body[:200]!r}")
        code = await self.sms_code(phone)
        r = await self.call("POST", "/api/v1/auth/sms/login", {"phone": phone, "code": code})
        expect(r.code == 200, f"sms login: {r.code} {r.body[:200]!r}")
        return self.json(r)["token"]

    async def login_password(self, username: str) -> str:
        r = await self.call("POST", "/api/v1/auth/password/login", {"username": username, "password": "Demo@12345"})
        expect(r.code == 200, f"password login {username}: {r.code} {r.body[:200]!r}")
        return self.json(r)["token"]


def _sms(row) -> tuple:
    """(phone, template, params) with the params in one canonical form."""
    return row[0], row[1], json.dumps(json.loads(row[2]), sort_keys=True, ensure_ascii=False)


def upstream(r) -> str:
    """Which process answered (the port), from the check's X-Upstream header."""
    return (r.headers.get("X-Upstream") or "").split(",")[-1].strip().rsplit(":", 1)[-1]


class Socket:
    """A WebSocket through nginx that reconnects when closed, as the H5 does; keeps every event with
    the time it arrived, and the intervals it was open."""

    def __init__(self, base: str, token: str):
        self.url = base.replace("http://", "ws://") + f"/api/v1/ws?token={token}"
        self.events: list[tuple[float, dict]] = []
        self.closes: list[int | None] = []
        self.opened: list[tuple[float, float | None, str]] = []  # (open, close, upstream port)
        self.running = True
        self.task = asyncio.ensure_future(self._run())
        self.connected = asyncio.Event()

    async def _run(self) -> None:
        while self.running:
            try:
                conn = await tornado.websocket.websocket_connect(self.url, connect_timeout=5)
            except Exception:
                await asyncio.sleep(0.1)
                continue
            self.conn = conn
            self.opened.append((time.monotonic(), None, upstream(conn)))
            self.connected.set()
            while True:
                msg = await conn.read_message()
                if msg is None:
                    break
                self.events.append((time.monotonic(), json.loads(msg)))
            o, _, port = self.opened[-1]
            self.opened[-1] = (o, time.monotonic(), port)
            self.connected.clear()
            self.closes.append(conn.close_code)
            await asyncio.sleep(0.05)  # the H5 reconnects at once after 1001, with backoff after errors

    @property
    def port(self) -> str:
        return self.opened[-1][2] if self.opened else ""

    def got(self, entity_id: str) -> float | None:
        for at, ev in self.events:
            if ev.get("entity") == "appointment" and str(ev.get("entity_id")) == str(entity_id):
                return at
        return None

    async def wait_for(self, entity_id: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.got(entity_id)
            if at is not None:
                return at
            await asyncio.sleep(0.02)
        return self.got(entity_id)

    async def close(self) -> None:
        self.running = False
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.task, 3)
        self.task.cancel()


# --------------------------------------------------------------------------- the checks


class Run:
    def __init__(self, stack: Stack):
        self.stack = stack
        self.api = Client(stack.base, source="127.0.0.1")
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.tokens: dict[str, str] = {}

    async def check(self, name: str, coro) -> None:
        started = time.monotonic()
        try:
            await coro
        except Failed as exc:
            self.failed.append(name)
            print(f"  FAIL {name}: {exc}", flush=True)
            return
        except Exception:
            self.failed.append(name)
            print(f"  FAIL {name}: {traceback.format_exc()}", flush=True)
            return
        self.passed.append(name)
        print(f"  ok   {name} ({time.monotonic() - started:.1f}s)", flush=True)

    async def book(self, token: str, note: str):
        return await self.api.call("POST", "/api/v1/appointments",
                                   {"service_id": SERVICE_BOOK, "window_id": WINDOW, "content": f"部署检查{note}"},
                                   token=token, headers={"Idempotency-Key": uuid.uuid4().hex})

    # ---- 1. static pages
    async def static_pages(self) -> None:
        r = await self.api.call("GET", "/h5/")
        expect(r.code == 200 and b"<html" in r.body.lower(), f"/h5/: {r.code}")
        expect(r.headers.get("Cache-Control") == "no-cache", f"/h5/ Cache-Control: {r.headers.get('Cache-Control')}")
        expect("frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", ""), "/h5/ without its CSP")
        expect(r.headers.get("X-Upstream", "") == "", "the H5 went to a server process, not nginx")
        assets = re.findall(rb'/h5/assets/[^"\']+\.js', r.body)
        expect(assets, "index.html names no hashed asset")
        a = await self.api.call("GET", assets[0].decode())
        expect(a.code == 200 and "immutable" in a.headers.get("Cache-Control", ""),
               f"{assets[0]!r}: {a.code} {a.headers.get('Cache-Control')}")
        r = await self.api.call("GET", "/h5")
        expect(r.code == 301 and r.headers.get("Location", "").endswith("/h5/"), f"/h5 → {r.code}")
        r = await self.api.call("GET", "/h5/assets/no-such-file-12345678.js")
        expect(r.code == 404, f"a missing asset: {r.code}")
        console = ROOT / "h5" / "dist-console" / "index.html"
        if console.exists():
            r = await self.api.call("GET", "/console/")
            expect(r.code == 200 and r.headers.get("Cache-Control") == "no-cache", f"/console/: {r.code}")
        else:
            print("       (no console in h5/dist-console: /console/ not checked)")
        r = await self.api.call("GET", "/metrics", headers={"X-Real-IP": "10.1.1.1"})
        expect(r.code == 200 and b"http_requests_total" in r.body, f"/metrics from this host via nginx: {r.code}")
        r = await Client(self.stack.base, source="127.0.0.9").call("GET", "/metrics")
        expect(r.code == 403, f"/metrics from outside the monitoring network: {r.code}")

    # ---- 2. login and the per-IP limit
    async def login_and_ip_limit(self) -> None:
        self.tokens["holder"] = await Client(self.stack.base, "127.0.0.5").login_sms(HOLDER)
        r = await self.api.call("GET", "/api/v1/me", token=self.tokens["holder"])
        expect(r.code == 200, f"/me after SMS login: {r.code}")
        c2 = Client(self.stack.base, source="127.0.0.2")
        c3 = Client(self.stack.base, source="127.0.0.3")
        for i in range(IP_LIMIT):
            r = await c2.call("POST", "/api/v1/auth/sms/send", {"phone": f"1391000000{i}", "purpose": "login"})
            expect(r.code == 200, f"send {i + 1} of {IP_LIMIT} from 127.0.0.2: {r.code} {r.body[:200]!r}")
        # nginx replaces a client's own X-Real-IP with the address it saw
        r = await c2.call("POST", "/api/v1/auth/sms/send", {"phone": "13910000009", "purpose": "login"},
                          headers={"X-Real-IP": "198.51.100.1", "X-Forwarded-For": "198.51.100.1"})
        expect(r.code == 429, f"over the limit from 127.0.0.2 (spoofing X-Real-IP): {r.code}")
        r = await c3.call("POST", "/api/v1/auth/sms/send", {"phone": "13910000008", "purpose": "login"})
        expect(r.code == 200, f"another client (127.0.0.3) behind the same nginx: {r.code} (the limit counted nginx?)")
        # a client that reaches a process directly is not a trusted proxy: its X-Real-IP is ignored
        direct = Client(f"http://127.0.0.1:{self.stack.ports['a']}", source="127.0.0.2")
        r = await direct.call("POST", "/api/v1/auth/sms/send", {"phone": "13910000007", "purpose": "login"},
                              headers={"X-Real-IP": "198.51.100.2"})
        expect(r.code == 429, f"X-Real-IP from an untrusted peer was believed: {r.code}")

    # ---- 3. push across processes
    async def push_across_processes(self) -> None:
        staff = await self.api.login_password("city_window")
        self.tokens["staff"] = staff
        sockets: dict[str, Socket] = {}
        extra = []
        for _ in range(8):  # round robin: a socket on each process
            s = Socket(self.stack.base, staff)
            await asyncio.wait_for(s.connected.wait(), 5)
            if s.port and s.port not in sockets:
                sockets[s.port] = s
            else:
                extra.append(s)
            if len(sockets) == 2:
                break
        for s in extra:
            await s.close()
        try:
            expect(len(sockets) == 2, f"WebSockets on one process only: {list(sockets)}")
            expect(set(sockets) == {str(self.stack.ports['a']), str(self.stack.ports['b'])},
                   f"WebSocket upstreams {list(sockets)}")
            crossed = set()
            for i in range(6):
                r = await self.book(self.tokens["holder"], f"推送{i}")
                expect(r.code == 201, f"booking: {r.code} {r.body[:200]!r}")
                done, by = time.monotonic(), upstream(r)
                other = next(p for p in sockets if p != by)
                at = await sockets[other].wait_for(Client.json(r)["id"], 1.0)
                expect(at is not None and at - done < 1.0,
                       f"booking on :{by} not pushed within 1 s to the socket on :{other}")
                crossed.add(by)
                if len(crossed) == 2:
                    break
            expect(len(crossed) == 2, f"bookings were all handled by {crossed}")
        finally:
            for s in sockets.values():
                await s.close()

    # ---- 4. uploads across processes
    async def upload_across_processes(self) -> None:
        import io

        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (300, 400), (30, 120, 200)).save(buf, "JPEG", quality=90)
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + buf.getvalue() + f"\r\n--{boundary}--\r\n".encode()
        r = await self.api.call("POST", "/api/v1/uploads", raw=body, token=self.tokens["holder"],
                                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        expect(r.code == 201, f"upload: {r.code} {r.body[:200]!r}")
        up, by = Client.json(r), upstream(r)
        self.upload = up
        for _ in range(6):
            g = await self.api.call("GET", up["url"])  # signed URL, no login
            if upstream(g) != by:
                break
        expect(upstream(g) != by, f"every read went to :{by}")
        expect(g.code == 200 and g.body[:2] == b"\xff\xd8", f"read on :{upstream(g)}: {g.code}")
        keys = [o["Key"] for o in self.stack.s3_client().list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        expect(any(k.startswith("uploads/") for k in keys), f"no object in the bucket: {keys}")
        local = [p for p in self.stack.tmp.glob("local-*/**/*") if p.is_file()]
        expect(not local, f"files written to a local directory: {local[:3]}")
        big = b"x" * (13 * 1024 * 1024)
        r = await self.api.call("POST", "/api/v1/uploads", raw=big, token=self.tokens["holder"],
                                headers={"Content-Type": "multipart/form-data; boundary=x"})
        expect(r.code == 413, f"a 13 MB body through nginx: {r.code}")

    # ---- 5. rolling restart under load
    async def rolling_restart(self) -> None:
        holder, staff = self.tokens["holder"], self.tokens["staff"]
        venue = await self.api.login_password("hospital_staff")
        watcher = Socket(self.stack.base, staff)
        await asyncio.wait_for(watcher.connected.wait(), 5)
        failures: list[str] = []
        scans: list[str] = []  # visit ids of the ok scans
        bookings: list[tuple[float, float, str]] = []  # (sent, answered, id)
        stop = asyncio.Event()

        async def scanner() -> None:
            while not stop.is_set():
                q = await self.api.call("POST", "/api/v1/me/card/qr", {}, token=holder)
                if q.code != 200:
                    failures.append(f"qr {q.code} via {q.headers.get('X-Upstream')} {q.body[:120]!r}")
                    continue
                s = await self.api.call("POST", "/api/v1/venue/scan", {"token": Client.json(q)["token"],
                                                                     "service_id": SERVICE_SCAN}, token=venue)
                v = Client.json(s) or {}
                if s.code != 200 or v.get("verdict") != "ok":
                    failures.append(f"scan {s.code} {v.get('verdict')} via {s.headers.get('X-Upstream')}")
                    continue
                scans.append(v["visit_id"])

        async def booker(n: int) -> None:
            i = 0
            while not stop.is_set():
                sent = time.monotonic()
                r = await self.book(holder, f"滚动{n}-{i}")
                i += 1
                if r.code != 201:
                    failures.append(f"booking {r.code} via {r.headers.get('X-Upstream')} {r.body[:120]!r}")
                    continue
                bookings.append((sent, time.monotonic(), Client.json(r)["id"]))

        async def reader() -> None:
            while not stop.is_set():
                r = await self.api.call("GET", "/api/v1/me/appointments", token=holder)
                if r.code != 200:
                    failures.append(f"list {r.code} via {r.headers.get('X-Upstream')}")
                await asyncio.sleep(0.05)

        with self.stack.mysql(self.stack.db) as c, c.cursor() as cur:
            # the SMS of earlier checks delivered first, so the counts below are this run's only
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cur.execute("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")
                if cur.fetchone()[0] == 0:
                    break
                await asyncio.sleep(0.2)
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM visits")
            visits_before = cur.fetchone()[0]
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM appointments")
            appts_before = cur.fetchone()[0]
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM outbox")
            outbox_before = cur.fetchone()[0]
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM dev_sms")
            sms_before = cur.fetchone()[0]
        tasks = [asyncio.ensure_future(f) for f in (scanner(), scanner(), booker(0), booker(1), reader())]
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(LOAD_SECONDS_PER_PHASE)
            for name in ("a", "b"):
                self.stack.signal(name, signal.SIGTERM)
                code = await loop.run_in_executor(None, self.stack.procs[name].wait, 30)
                expect(code == 0, f"server {name} exited {code} on SIGTERM:\n{self.stack.tail(name)}")
                await asyncio.sleep(LOAD_SECONDS_PER_PHASE / 2)  # one process carries the load alone
                await loop.run_in_executor(None, self.stack.start_server, name)
                # nginx tries a process it saw refuse again after fail_timeout (1 s here): only then
                # is it back in the rotation, and only then may the next one stop (docs/deploy.md)
                await asyncio.sleep(LOAD_SECONDS_PER_PHASE)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(1.5)  # the last pushes and SMS
        await watcher.close()
        expect(not failures, f"{len(failures)} failed requests, e.g. {failures[:5]}")
        expect(len(scans) >= 10 and len(bookings) >= 10, f"too little load: {len(scans)} scans, {len(bookings)} bookings")
        # no duplicated scan or booking: the database holds exactly what the clients were told
        with self.stack.mysql(self.stack.db) as c, c.cursor() as cur:
            cur.execute("SELECT id, verdict FROM visits WHERE id > %s", (visits_before,))
            rows = cur.fetchall()
            expect(sorted(str(i) for i, v in rows if v == "ok") == sorted(scans),
                   f"visits {len(rows)} (ok {sum(v == 'ok' for _, v in rows)}) vs {len(scans)} ok scans answered")
            expect(all(v == "ok" for _, v in rows), "a scan was recorded twice (token_used)")
            cur.execute("SELECT id FROM appointments WHERE id > %s", (appts_before,))
            expect(sorted(str(r[0]) for r in cur.fetchall()) == sorted(b[2] for b in bookings),
                   "appointments in the database differ from the bookings answered")
            # no lost or doubled SMS: every outbox message of the run delivered exactly once
            deadline = time.monotonic() + 10
            while True:
                cur.execute("SELECT status, COUNT(*) FROM outbox WHERE id > %s GROUP BY status", (outbox_before,))
                status = dict(cur.fetchall())
                if set(status) <= {"sent"} or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.3)
            expect(set(status) == {"sent"}, f"outbox after the run: {status}")
            cur.execute("SELECT recipient, template, params FROM outbox WHERE id > %s AND channel = 'sms'",
                        (outbox_before,))
            queued = collections.Counter(_sms(r) for r in cur.fetchall())
            cur.execute("SELECT phone, template, params FROM dev_sms WHERE id > %s", (sms_before,))
            delivered = collections.Counter(r for r in map(_sms, cur.fetchall()) if r in queued)
            missing, doubled = list((queued - delivered).items())[:2], list((delivered - queued).items())[:2]
            expect(queued == delivered and queued, f"SMS queued {sum(queued.values())}, delivered "
                   f"{sum(delivered.values())}: missing {missing}, doubled {doubled}")
        # no lost push: a booking answered while the watcher's socket was open (and stayed open a
        # second longer: pushes take up to one) reached it; the socket was told 1001 and reconnected
        expect(1001 in watcher.closes, f"the socket was not closed with 1001 but {watcher.closes}")
        expect(len(watcher.opened) >= 2, "the socket did not reconnect")
        lost = [bid for sent, done, bid in bookings
                if any(o < sent and (c is None or done + 1.0 < c) for o, c, _ in watcher.opened)
                and watcher.got(bid) is None]
        expect(not lost, f"{len(lost)} bookings never pushed to the open socket: {lost[:5]}")
        print(f"       {len(scans)} scans, {len(bookings)} bookings, {sum(queued.values())} SMS, "
              f"socket closes {watcher.closes}")

    # ---- 6. kill -9
    async def kill_nine(self) -> None:
        staff = self.tokens["staff"]
        sockets = [Socket(self.stack.base, staff) for _ in range(4)]
        for s in sockets:
            await asyncio.wait_for(s.connected.wait(), 5)
        victim = "a"
        port = str(self.stack.ports[victim])
        on_victim = [s for s in sockets if s.port == port]
        try:
            expect(on_victim, "no socket landed on the process to kill")
            self.stack.signal(victim, signal.SIGKILL)
            self.stack.procs[victim].wait(10)
            for i in range(10):
                r = await self.api.call("GET", "/api/v1/me", token=self.tokens["holder"])
                expect(r.code == 200, f"GET {i} after kill -9: {r.code} via {r.headers.get('X-Upstream')}")
            r = await self.book(self.tokens["holder"], "kill")
            expect(r.code == 201, f"booking after kill -9: {r.code}")
            bid = Client.json(r)["id"]
            for s in on_victim:
                at = await s.wait_for(bid, 5.0)
                expect(len(s.opened) >= 2 and s.port != port, "a socket on the killed process did not reconnect")
                expect(at is not None, "a reconnected socket did not get the next booking")
            expect(all(c in (1006, None) for s in on_victim for c in s.closes), f"closes {[s.closes for s in on_victim]}")
        finally:
            for s in sockets:
                await s.close()
        await asyncio.get_running_loop().run_in_executor(None, self.stack.start_server, victim)

    # ---- 7. backup and restore
    async def backup_restore(self) -> None:
        st = self.stack
        loop = asyncio.get_running_loop()
        out = st.tmp / "backup"
        env = st.env(st.db, BUCKET, 0, "backup")
        await loop.run_in_executor(None, lambda: st.run(["bash", "scripts/backup.sh", str(out)], {**env, "PY": PY}))
        expect((out / "database.sql.gz").stat().st_size > 1000, "empty dump")
        restored, bucket2 = f"{st.db}_restored", f"{BUCKET}-restored"
        st.create_database(restored)
        st.s3_client().create_bucket(Bucket=bucket2)
        env2 = st.env(restored, bucket2, 0, "restore")
        await loop.run_in_executor(None, lambda: st.run(["bash", "scripts/restore.sh", str(out)], {**env2, "PY": PY}))

        def counts(db: str) -> dict:
            with st.mysql(db) as c, c.cursor() as cur:
                cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                            "AND table_type = 'BASE TABLE'", (db,))
                tables = sorted(r[0] for r in cur.fetchall())
                out = {}
                for t in tables:
                    cur.execute(f"SELECT COUNT(*) FROM `{t}`")
                    out[t] = cur.fetchone()[0]
                return out

        # the dump is a snapshot: compare with the source while nothing writes (the worker idles)
        a, b = counts(st.db), counts(restored)
        expect(len(a) > 20 and a == b, f"row counts differ: {[(t, a.get(t), b.get(t)) for t in a if a.get(t) != b.get(t)][:5]}")
        n1 = len(st.s3_client().list_objects_v2(Bucket=BUCKET).get("Contents", []))
        n2 = len(st.s3_client().list_objects_v2(Bucket=bucket2).get("Contents", []))
        expect(n1 == n2 and n1 > 0, f"objects {n1} → {n2}")
        # a server on the copy: a login works and a restored photo is served
        await loop.run_in_executor(None, lambda: st.start_server("c", restored, bucket2))
        c = Client(f"http://127.0.0.1:{st.ports['c']}")
        await c.login_password("admin")
        r = await c.call("GET", f"/api/v1/uploads/{self.upload['file_id']}", token=self.tokens["holder"])
        expect(r.code == 200 and r.body[:2] == b"\xff\xd8", f"restored photo (the old session): {r.code}")
        st.signal("c", signal.SIGTERM)
        await loop.run_in_executor(None, st.procs["c"].wait, 20)


async def main_async(stack: Stack) -> Run:
    run = Run(stack)
    loop = asyncio.get_running_loop()
    print(f"deploy-check: setting up in {stack.tmp}", flush=True)
    t0 = time.monotonic()
    stack.create_database(stack.db)
    await loop.run_in_executor(None, stack.start_s3)
    await loop.run_in_executor(None, lambda: stack.run([PY, "-m", "server.db.migrate"],
                                                        stack.env(stack.db, BUCKET, 0, "migrate")))
    await loop.run_in_executor(None, stack.start_server, "a")  # loads the demo data (into the bucket)
    await loop.run_in_executor(None, stack.start_server, "b")
    stack.start_worker()
    await loop.run_in_executor(None, stack.start_nginx)
    print(f"deploy-check: 2 server processes, a worker, nginx and the object store up in {time.monotonic() - t0:.1f}s",
          flush=True)
    await run.check("H5 (and console) served by nginx with their cache rules", run.static_pages())
    await run.check("SMS login; the per-IP limit counts the client's address", run.login_and_ip_limit())
    if "holder" not in run.tokens:
        return run
    await run.check("a booking on one process is pushed within 1 s to a socket on the other",
                    run.push_across_processes())
    await run.check("a photo uploaded through one process is served by the other", run.upload_across_processes())
    if "staff" in run.tokens:
        await run.check("rolling restart under load: 0 failed, no duplicate, nothing lost", run.rolling_restart())
        await run.check("kill -9 of a process: nginx routes around it, sockets reconnect", run.kill_nine())
    if hasattr(run, "upload"):
        await run.check("backup and restore: same row counts, login and photo on the copy", run.backup_restore())
    return run


def main() -> int:
    for tool in ("mariadb-dump", "mariadb"):
        if not shutil.which(tool):
            print(f"deploy-check: {tool} is missing (apt-get install mariadb-client)")
            return 1
    if not (ROOT / "h5" / "dist" / "index.html").exists():
        print("deploy-check: h5/dist is missing (make h5)")
        return 1
    stack = Stack()
    started = time.monotonic()
    # SIGTERM/SIGINT to the check itself: clean up as on any other exit
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    run = None
    try:
        run = asyncio.run(main_async(stack))
    except Failed as exc:
        print(f"deploy-check: setup failed: {exc}")
    except KeyboardInterrupt:
        print("deploy-check: interrupted")
    finally:
        if run is None or run.failed:
            for name in ("a", "b", "worker", "nginx-error"):
                text = stack.tail(name, 15)
                if text:
                    print(f"--- {name} (last lines) ---\n{text}")
        stack.close()
    passed, failed = (len(run.passed), len(run.failed)) if run else (0, 1)
    print(f"deploy-check: {passed} passed, {failed} failed ({time.monotonic() - started:.0f}s)")
    return 0 if run is not None and not failed and passed >= 7 else 1


if __name__ == "__main__":
    sys.exit(main())
