"""Issue 10.4: /metrics only for a direct loopback scraper or the METRICS_TOKEN; security headers
on the pages (H5) and on every API answer."""

from __future__ import annotations

import re
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import tornado.httpclient
import tornado.httpserver
import tornado.netutil

from server.app import H5_DIST, H5Handler
from server.web import security

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "m3tr1cs-t0ken-for-tests"


def csp(headers) -> dict[str, list[str]]:
    out = {}
    for part in headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def assert_common(headers) -> None:
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert csp(headers)["frame-ancestors"] == ["'none'"]


# --------------------------------------------------------------------------- pages


@pytest.fixture
def dist(tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>威海英才卡</title><script type="module" src="/h5/assets/index-Ab12Cd34.js"></script>',
        encoding="utf-8")
    (tmp_path / "assets" / "index-Ab12Cd34.js").write_text("console.log('英才卡')", encoding="utf-8")
    monkeypatch.setattr(H5Handler, "root", tmp_path)
    return tmp_path


async def test_h5_pages_carry_the_security_headers(api, dist):
    for path in ("/h5/", "/h5/assets/index-Ab12Cd34.js", "/h5/assets/nope-Zz99Yy88.js", "/h5"):
        r = await api.get(path)
        assert r.status in (200, 301, 404), (path, r)
        assert_common(r.headers)
        policy = csp(r.headers)
        assert policy["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert {"'self'", "ws:", "wss:"} <= set(policy["connect-src"])
        assert {"'self'", "data:"} <= set(policy["img-src"])  # signed upload URLs, the captcha
        assert policy["object-src"] == ["'none'"]


async def test_api_answers_carry_nosniff_and_no_framing(api):
    for path, status in (("/healthz", 200), ("/api/v1/me", 401), ("/api/v1/nope", 404),
                         ("/api/v1/auth/captcha", 200)):
        r = await api.get(path)
        assert r.status == status, (path, r)
        assert_common(r.headers)
        assert csp(r.headers)["default-src"] == ["'none'"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self.inline_handlers: list[str] = []
        self._in_script = False
        self.inline_code = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.inline_handlers += [k for k in a if k.startswith("on")]
        if tag == "script":
            self.scripts.append(a)
            self._in_script = "src" not in a
        elif tag == "link":
            self.links.append(a)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_code += data.strip()


def _allowed_script(src: str) -> bool:
    parts = urlsplit(src)
    if not parts.scheme:
        return src.startswith("/h5/")
    return f"{parts.scheme}://{parts.netloc}" in security.WECHAT_JSSDK_ORIGINS.split()


def test_the_built_h5_satisfies_the_policy():
    """Vite's index.html: only same-origin module scripts and styles, nothing inline (the H5 is built
    by `make h5`; the e2e journeys run the real pages under this policy)."""
    index = Path(H5_DIST, "index.html")
    if not index.exists():
        pytest.skip("h5/dist not built (make h5)")
    tags = _Tags()
    tags.feed(index.read_text(encoding="utf-8"))
    assert tags.scripts and all(_allowed_script(s["src"]) for s in tags.scripts), tags.scripts
    assert tags.inline_code == "" and tags.inline_handlers == []
    # every font the built CSS names is inlined or on a host the policy allows
    fonts = set()
    for css in Path(H5_DIST, "assets").glob("*.css"):
        fonts |= set(re.findall(r"url\((?!data:)([^)]+)\)\s*format", css.read_text(encoding="utf-8")))
    allowed_fonts = security.PAGE_CSP.split("font-src ")[1].split(";")[0].split()
    for url in fonts:
        host = urlsplit(url.strip("'\"")).netloc
        assert not host or host in allowed_fonts, url
    for link in tags.links:
        if link.get("rel") in ("stylesheet", "modulepreload"):
            assert link["href"].startswith("/h5/"), link
        if link.get("rel") == "icon":
            assert link["href"].startswith(("/h5/", "data:")), link


def test_the_wechat_jssdk_the_h5_loads_is_allowed():
    env = (ROOT / "h5" / ".env").read_text(encoding="utf-8")
    url = re.search(r"^VITE_WECHAT_JSSDK_URL=(\S+)", env, re.M).group(1)
    assert _allowed_script(url), url


# --------------------------------------------------------------------------- /metrics


def test_the_rule():
    allowed = security.metrics_allowed
    assert allowed(peer="127.0.0.1", headers={}, token="")
    assert allowed(peer="::1", headers={}, token="")
    assert not allowed(peer="203.0.113.7", headers={}, token="")
    assert not allowed(peer="10.0.0.5", headers={}, token="")
    assert not allowed(peer=None, headers={}, token="")
    assert not allowed(peer="0.0.0.0", headers={}, token="")  # a unix socket: no address to trust
    # a proxy on this host: the peer is loopback, the client is not (or says it is)
    assert not allowed(peer="127.0.0.1", headers={"X-Real-Ip": "127.0.0.1"}, token="")
    assert not allowed(peer="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.7"}, token="")
    # the token from anywhere, and only the right one
    assert allowed(peer="203.0.113.7", headers={"Authorization": f"Bearer {TOKEN}"}, token=TOKEN)
    assert not allowed(peer="203.0.113.7", headers={"Authorization": "Bearer wrong"}, token=TOKEN)
    assert not allowed(peer="203.0.113.7", headers={"Authorization": "Bearer "}, token="")


async def test_metrics_from_loopback_directly(api):
    r = await api.get("/metrics")
    assert r.status == 200 and b"http_requests_total" in r.body
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("header", [{"X-Forwarded-For": "203.0.113.7"}, {"X-Real-IP": "127.0.0.1"},
                                    {"Forwarded": "for=203.0.113.7"}])
async def test_forwarded_metrics_requests_are_refused_without_a_token(api, header):
    r = await api.get("/metrics", headers=header)
    assert r.status == 403 and r.code == "FORBIDDEN" and r.json["error"]["message"], r
    assert b"http_requests_total" not in r.body


async def _serve(app, host: str, **kw):
    [sock] = tornado.netutil.bind_sockets(0, host, family=socket.AF_INET)
    server = tornado.httpserver.HTTPServer(app, **kw)
    server.add_sockets([sock])
    return server, sock.getsockname()[1]


async def test_behind_a_trusted_proxy_a_spoofed_real_ip_does_not_pass(app):
    """TRUSTED_PROXY on (Tornado's xheaders): `X-Real-IP: 127.0.0.1` makes `remote_ip` loopback,
    but the request was forwarded, so it is not a local scrape."""
    server, port = await _serve(app, "127.0.0.1", xheaders=True)
    client = tornado.httpclient.AsyncHTTPClient()
    try:
        for h in ({"X-Real-IP": "127.0.0.1"}, {"X-Real-IP": "203.0.113.7"}):
            r = await client.fetch(f"http://127.0.0.1:{port}/metrics", headers=h, raise_error=False)
            assert r.code == 403, r
        r = await client.fetch(f"http://127.0.0.1:{port}/metrics", raise_error=False)
        assert r.code == 200
    finally:
        server.stop()


def _lan_ip() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the interface
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


class TestWithToken:
    @pytest.fixture
    def config_overrides(self):
        return {"METRICS_TOKEN": TOKEN}

    async def test_a_non_loopback_client_needs_the_token(self, app):
        ip = _lan_ip()
        if ip is None:
            pytest.skip("no non-loopback interface on this machine")
        server, port = await _serve(app, ip)
        client = tornado.httpclient.AsyncHTTPClient()
        url = f"http://{ip}:{port}/metrics"
        try:
            r = await client.fetch(url, raise_error=False)
            assert r.code == 403, r
            r = await client.fetch(url, headers={"Authorization": "Bearer not-it"}, raise_error=False)
            assert r.code == 403, r
            r = await client.fetch(url, headers={"Authorization": f"Bearer {TOKEN}"}, raise_error=False)
            assert r.code == 200 and b"http_requests_total" in r.body
        finally:
            server.stop()

    async def test_the_token_opens_a_forwarded_request(self, api):
        r = await api.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7", "Authorization": f"Bearer {TOKEN}"})
        assert r.status == 200, r
