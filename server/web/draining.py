"""An HTTP server that can be drained: on SIGTERM it stops accepting, lets the requests in flight
finish (bounded), and only then closes its connections.

Why: behind nginx, a rolling restart must not fail a request. Once the listening socket is closed,
nginx's next connection attempt is refused and it tries the next server (even for a POST: nothing was
sent); the requests this process already holds are answered before it exits. Connections the kernel
completed but Tornado had not accepted yet are accepted first, so they are not reset with the socket.
"""

from __future__ import annotations

import asyncio
import logging
import time

import tornado.httpserver
from tornado import httputil

log = logging.getLogger("server")


class DrainingHTTPServer(tornado.httpserver.HTTPServer):
    """`stop()` closes the listening sockets (after taking the queued connections); `drain(t)`
    waits until no request is in flight or `t` seconds have passed."""

    in_flight = 0

    def start_request(self, server_conn, request_conn):
        return _Counted(self, super().start_request(server_conn, request_conn), request_conn)

    def stop(self) -> None:
        for sock in list(self._sockets.values()):
            while True:  # the backlog: handshakes done, not yet accepted (closing would reset them)
                try:
                    conn, address = sock.accept()
                except OSError:  # BlockingIOError: the queue is empty
                    break
                self._handle_connection(conn, address)
        super().stop()

    async def drain(self, timeout: float) -> bool:
        """True when every request in flight finished within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.in_flight > 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.in_flight:
            log.warning("%d requests still in flight after %ss; closing them", self.in_flight, timeout)
        return self.in_flight == 0


class _Counted(httputil.HTTPMessageDelegate):
    """Counts one request from its headers until its response is finished or its connection closes."""

    def __init__(self, server: DrainingHTTPServer, inner: httputil.HTTPMessageDelegate, conn) -> None:
        self.server, self.inner, self.open = server, inner, False
        finish = conn.finish

        def finished() -> None:
            try:
                finish()
            finally:
                self._end()

        conn.finish = finished

    def _end(self) -> None:
        if self.open:
            self.open = False
            self.server.in_flight -= 1

    def headers_received(self, start_line, headers):
        self.open = True
        self.server.in_flight += 1
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk):
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self.inner.finish()

    def on_connection_close(self) -> None:
        self._end()
        self.inner.on_connection_close()
