"""python -m server: read the configuration, open the database, build the app, serve."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys

from server.app import make_app
from server.config import Config, checked_from_env
from server.core.logctx import setup_logging
from server.db.database import DatabaseUnavailable, open_database
from server.deps import build_deps
from server.web.bodylimit import http_server

log = logging.getLogger("server")


async def serve(config: Config) -> None:
    db = open_database(config.database_url, config.db_pool_size, config.db_timeout_seconds)
    deps = build_deps(config, db)
    if config.load_demo_data:
        from server.demo import load_demo

        try:
            if await load_demo(deps):
                log.info("loaded the demo data (APP_ENV=%s)", config.app_env)
        except DatabaseUnavailable:
            log.error("database unavailable: demo data not loaded")
    app = make_app(deps)
    # What start-up built (modules, tables, compiled statements, pydantic models, routes) lives as long
    # as the process: moved out of the collector's sight, a full collection no longer walks it (it took
    # ~170 ms on the development machine, a pause every request in flight waited out: the tail).
    gc.collect()
    gc.freeze()
    server = http_server(app, config)  # over-large bodies get the contract's 413 (server/web/bodylimit.py)
    server.listen(config.port, config.host)
    if config.outbox_relay:
        deps.relay.start()
    log.info("serving on http://%s:%s (APP_ENV=%s)", config.host, config.port, config.app_env)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    # Graceful: stop accepting (nginx sends new requests to the other processes), tell the live
    # sockets to reconnect elsewhere (1001), answer the requests in hand (bounded), then close.
    log.info("shutting down: no longer accepting, draining requests in flight")
    server.stop()
    from server.realtime.hub import stop_hub

    await stop_hub(app)
    await server.drain(config.shutdown_grace_seconds)
    await deps.relay.stop()  # the message in hand is finished and recorded, the rest stay for others
    await server.close_all_connections()
    log.info("stopped")
    await db.close()
    deps.executor.shutdown(wait=False)


def main() -> int:
    config = checked_from_env()
    if config is None:
        return 2
    setup_logging(config.log_level, config.log_json)
    if not config.is_production:
        from server.db.migrate import upgrade

        upgrade(config.database_url)
    asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
