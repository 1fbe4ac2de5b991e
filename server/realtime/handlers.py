"""GET /api/v1/ws?token=… — the live-push WebSocket.

The client authenticates with its session token (query `token`, since browsers cannot set headers
on a WebSocket; `Authorization: Bearer` works too). A WebSocket upgrade with a missing, expired or
revoked token is accepted and closed at once with code 4401, which a browser can read (a refused
handshake only shows as 1006, indistinguishable from a network failure); a plain HTTP request
gets the contract's 401 JSON. The server sends one JSON text frame per event:
`{"id", "type", "entity", "entity_id", "data", "at"}`. Messages from the client are ignored.
"""

from __future__ import annotations

import logging
from typing import Any

import tornado.websocket

from server import errors
from server.core.principal import Principal
from server.db.database import DatabaseUnavailable
from server.events.log import tokens_for
from server.realtime.hub import CLOSE_SESSION_ENDED, hub_for
from server.web.auth_policy import LOGGED_IN, Policy
from server.web.base import Endpoint, load_principal
from server.web.jsonutil import dumps

log = logging.getLogger("server.realtime")

PING_SECONDS = 25.0  # under the usual 60 s idle timeout of proxies and WeChat


def declared(policy: Policy, **kw: Any):
    """Declare the auth of a method that cannot be wrapped by `@endpoint` (WebSocket): the
    permission matrix and the start-up check read the same `__endpoint__` attribute."""

    def deco(fn):
        fn.__endpoint__ = Endpoint(auth=policy, **kw)
        return fn

    return deco


class LiveHandler(tornado.websocket.WebSocketHandler):
    principal: Principal | None = None
    token: str = ""
    tokens: frozenset[str] | None = None

    @property
    def deps(self):
        return self.application.settings["deps"]

    @declared(LOGGED_IN, summary="实时推送（WebSocket，?token=会话令牌）")
    async def get(self, *args: Any, **kwargs: Any) -> None:
        self.set_header("Cache-Control", "no-store")
        self.token = self.get_query_argument("token", "").strip()
        auth = self.request.headers.get("Authorization", "")
        if not self.token and auth.startswith("Bearer "):
            self.token = auth[7:].strip()
        upgrade = self.request.headers.get("Upgrade", "").lower() == "websocket"
        try:
            if self.token:
                self.principal = await load_principal(self.deps.db, self.token, self.deps.clock())
            if self.principal is not None:
                self.tokens = await tokens_for(self.deps.db, self.principal)  # whose events it hears
            if self.principal is not None and upgrade:
                # before the handshake completes, so no event committed after it is missed
                await hub_for(self.application).start()
        except DatabaseUnavailable:
            log.warning("database unavailable: websocket refused")
            self._error(errors.ServiceUnavailable("数据库暂时不可用，请稍后再试"))
            return
        if not upgrade:
            self._error(errors.Unauthorized() if self.principal is None
                        else errors.InvalidRequest("请使用WebSocket连接此地址"))
            return
        await super().get(*args, **kwargs)

    def _error(self, exc: errors.DomainError) -> None:
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(dumps(exc.body()))

    def check_origin(self, origin: str) -> bool:
        # The session token in the URL is the credential, not a cookie: a page on another origin
        # cannot ride on the user's login, so cross-origin clients (the mini-program, H5) are fine.
        return True

    @property
    def ping_interval(self) -> float | None:
        return self.settings.get("websocket_ping_interval", PING_SECONDS)

    @property
    def max_message_size(self) -> int:
        return 4096  # clients have nothing to say on this channel

    def open(self, *args: Any, **kwargs: Any) -> None:
        if self.principal is None:
            self.close(CLOSE_SESSION_ENDED, "登录已失效，请重新登录")
            return
        hub_for(self.application).add(self)
        log.info("websocket open", extra={"event": "ws_open", "account_id": self.principal.id})

    def on_message(self, message: str | bytes) -> None:
        pass  # one-way channel

    def on_close(self) -> None:
        hub_for(self.application).discard(self)
        if self.principal is not None:
            log.info("websocket closed", extra={"event": "ws_close", "account_id": self.principal.id,
                                                "code": self.close_code})

    # ------------------------------------------------------------------ the hub's Subscriber side

    def deliver(self, message: str) -> None:
        """Queue one text frame; a socket that went away is dropped by `on_close`."""
        try:
            fut = self.write_message(message)
        except tornado.websocket.WebSocketClosedError:
            return
        fut.add_done_callback(lambda f: f.cancelled() or f.exception())  # consume a late close error

    def end(self, code: int, reason: str) -> None:
        """Close from the server side (session ended, shutdown)."""
        self.close(code, reason)


ROUTES = [
    (r"/api/v1/ws", LiveHandler),
]
