"""A TCP proxy on loopback in front of MariaDB: tests cut it to make the database 'go away', or
freeze it to make the database hang (as a SIGSTOPped server would) without touching the real one."""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.server: asyncio.AbstractServer | None = None
        self.port: int | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port or 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Refuse new connections and cut the open ones, like a crashed database server."""
        self._flowing.set()
        if self.server is not None:
            self.server.close()
            for w in list(self._conns):
                with contextlib.suppress(Exception):
                    w.transport.abort()
            self._conns.clear()
            await self.server.wait_closed()
            self.server = None
        if self._handlers:  # let the cut connections' pipes finish rather than die with the loop
            await asyncio.wait(list(self._handlers), timeout=2)

    def freeze(self) -> None:
        """Stop forwarding in both directions but keep every socket open and keep accepting new
        connections, like a database server stopped with SIGSTOP: clients wait for answers that never come."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Forward again, the bytes held meanwhile first (like SIGCONT)."""
        self._flowing.set()

    async def _handle(self, reader, writer):
        self._handlers.add(asyncio.current_task())
        try:
            await self._forward(reader, writer)
        finally:
            self._handlers.discard(asyncio.current_task())

    async def _forward(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._conns.update((writer, up_writer))

        async def pipe(r, w):
            try:
                while data := await r.read(65536):
                    await self._flowing.wait()  # frozen: hold the bytes, as the stopped server's buffers would
                    w.write(data)
                    await w.drain()
            except (ConnectionError, OSError, asyncio.CancelledError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    w.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._conns.discard(writer)
        self._conns.discard(up_writer)
