"""Over-large request bodies answered with the contract's 413 JSON, before they are buffered.

Tornado's own limit (`max_body_size`) answers a bare `400 Bad Request` with no body, from inside
HTTP1Connection, before any handler runs. So the application looks at each request's headers
first: a body larger than any route takes (the upload limit) is read and thrown away in chunks,
never kept, and answered `413 PAYLOAD_TOO_LARGE` in the usual error format; the client reads
that answer instead of a connection reset. A body beyond DRAIN_FACTOR × the limit is not worth
reading: it gets the same 413 and the connection is closed. The per-route limits (1 MiB of JSON,
10 MiB of upload) stay in `ApiHandler._check_size`.

Malformed headers (a control character in `Authorization`, say) are refused by Tornado while it
parses them, again with a bare 400 written straight to the socket. `_contract_header_errors`
makes that answer a contract 400 too, by wrapping the header parser of each connection; if a
Tornado upgrade renames that private method, the wrapper is skipped and the bare 400 comes back
(tests/web/test_bad_input.py then fails and says so).
"""

from __future__ import annotations

import tornado.httpserver
import tornado.web
from tornado import httputil, iostream

from server import errors
from server.core.validators import is_ascii_digits
from server.web.draining import DrainingHTTPServer
from server.web.jsonutil import dumps
from server.web.routing import RouteIndex

DRAIN_FACTOR = 2


def _error_bytes(limit: int) -> bytes:
    return _body(errors.PayloadTooLarge(f"请求内容过大，不能超过{limit // 1024}KB"))


def _body(exc: errors.DomainError) -> bytes:
    return dumps(exc.body()).encode()


def _write_and_close(stream, status: int, reason: str, body: bytes) -> None:
    head = f"HTTP/1.1 {status} {reason}\r\n".encode() + b"".join(
        f"{k}: {v}\r\n".encode() for k, v in _headers(body, close=True).get_all()) + b"\r\n"
    stream.write(head + body).add_done_callback(lambda _f: stream.close())


def _contract_header_errors(request_conn) -> None:
    """A header Tornado cannot parse is answered with the contract's 400 (not a bare one)."""
    parse = getattr(request_conn, "_parse_headers", None)
    if parse is None or getattr(request_conn, "is_client", True):
        return

    def parse_or_refuse(data: bytes):
        try:
            return parse(data)
        except httputil.HTTPInputError:
            stream = request_conn.stream
            _write_and_close(stream, 400, "Bad Request", _body(errors.InvalidRequest("请求头格式有误")))
            # ends this connection's request loop quietly; the stream closes once the answer is out
            raise iostream.StreamClosedError() from None

    request_conn._parse_headers = parse_or_refuse


def _headers(body: bytes, close: bool) -> httputil.HTTPHeaders:
    h = httputil.HTTPHeaders({"Content-Type": "application/json; charset=UTF-8",
                              "Content-Length": str(len(body)), "X-Content-Type-Options": "nosniff"})
    if close:
        h["Connection"] = "close"
    return h


class _BodyLimit(httputil.HTTPMessageDelegate):
    def __init__(self, inner: httputil.HTTPMessageDelegate, conn, limit: int):
        self.inner, self.conn, self.limit = inner, conn, limit
        self.over = False
        self.seen = 0

    def headers_received(self, start_line, headers):
        length = headers.get("Content-Length", "").strip()
        if length and (len(length) > 18 or (is_ascii_digits(length) and int(length) > self.limit)):
            self.over = True
            if len(length) > 18 or int(length) > DRAIN_FACTOR * self.limit:
                self._refuse_and_close()
                return None
            self.conn.set_max_body_size(int(length))
            return None
        if "chunked" in headers.get("Transfer-Encoding", "").lower():
            # no length announced: count the chunks, and drain (not buffer) past the limit
            self.conn.set_max_body_size(DRAIN_FACTOR * self.limit)
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk):
        self.seen += len(chunk)
        if not self.over and self.seen > self.limit:
            self.over = True
            self.inner.on_connection_close()  # drops what it buffered so far
        if self.over:
            return None
        return self.inner.data_received(chunk)

    def finish(self):
        if self.over:
            body = _error_bytes(self.limit)
            self.conn.write_headers(httputil.ResponseStartLine("HTTP/1.1", 413, "Payload Too Large"),
                                    _headers(body, close=False), body)
            self.conn.finish()
            return None
        return self.inner.finish()

    def on_connection_close(self):
        if not self.over:
            self.inner.on_connection_close()

    def _refuse_and_close(self) -> None:
        _write_and_close(self.conn.detach(), 413, "Payload Too Large", _error_bytes(self.limit))


class ApiApplication(tornado.web.Application):
    """The Tornado application with the body limit in front of the routing, and its routes found in
    one regular-expression match (server/web/routing.py)."""

    _index: RouteIndex | None = None

    def find_handler(self, request, **kwargs):
        rules = self.wildcard_router.rules
        index = self._index
        if index is None or index.size != len(rules):  # built on first use, again if routes were added
            index = self._index = RouteIndex(rules)
        hit = index.find(request)
        if hit is not None:
            rule, params = hit
            if rule.target_kwargs:
                params["target_kwargs"] = rule.target_kwargs
            delegate = self.wildcard_router.get_target_delegate(rule.target, request, **params)
            if delegate is not None:
                return delegate
        return super().find_handler(request, **kwargs)

    def start_request(self, server_conn, request_conn):
        _contract_header_errors(request_conn)
        inner = super().start_request(server_conn, request_conn)
        config = self.settings["deps"].config
        return _BodyLimit(inner, request_conn, max(config.max_upload_bytes, config.max_body_bytes))


def http_server(app: tornado.web.Application, config) -> DrainingHTTPServer:
    """The HTTP server `python -m server` runs (and the tests start the same way). Tornado's own
    limit sits above ours, so over-large bodies reach `_BodyLimit` and get the contract's 413.
    xheaders stays off: the client address is taken from X-Real-IP only when the peer is a configured
    proxy (TRUSTED_PROXY, TRUSTED_PROXY_ADDRESSES; server.web.security.client_ip). It drains on
    SIGTERM (server/web/draining.py)."""
    limit = max(config.max_upload_bytes, config.max_body_bytes)
    return DrainingHTTPServer(
        app, xheaders=False, max_body_size=DRAIN_FACTOR * limit + 1024 * 1024,
        idle_connection_timeout=75,
    )
