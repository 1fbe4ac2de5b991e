"""python -m server.worker: the background side of the server, without the web part.

Runs the outbox relay (and the scheduled jobs in `JOBS`) on the configured database until SIGTERM or
SIGINT; `--once` runs one pass of everything that is due and exits (cron, tests).

Any number of workers may run beside the web processes (whose in-process relay `OUTBOX_RELAY=1` may stay
on or be switched off): outbox rows are claimed with a lease, so each message goes out once. Scheduled
jobs run in every worker, so each job must be safe to run concurrently (claim its rows the same way).

The worker does not migrate the database; the server (or `alembic upgrade`) owns the schema.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

from server.config import Config, checked_from_env
from server.core.logctx import setup_logging
from server.db.database import DatabaseUnavailable, open_database
from server.deps import Deps, build_deps

log = logging.getLogger("server.worker")

# the most passes `--once` makes over the outbox (each handles up to BATCH due messages)
MAX_ONCE_PASSES = 100
BATCH = 50


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    """A job run every `every_seconds` by each worker (and once by `--once`)."""

    name: str
    every_seconds: float
    run: Callable[[Deps], Awaitable[object]]


async def _supervision(deps: Deps) -> object:
    from server.appointments.supervision import run_daily

    return await run_daily(deps)


async def _housekeeping(deps: Deps) -> object:
    from server.jobs.housekeeping import run

    return await run(deps)


async def _publicity(deps: Deps) -> object:
    from server.applications.publicity import issue_due

    return await issue_due(deps)


# Scheduled jobs beside the outbox relay.
JOBS: list[PeriodicJob] = [
    # 督办: one SMS a day to each window with overdue work (unique per window and day: safe with many workers)
    PeriodicJob("supervision", 600, _supervision),
    # purge what only grows (used QR tokens, old idempotency keys, expired sessions …) in bounded batches
    PeriodicJob("housekeeping", 900, _housekeeping),
    # 公示期满: issue the cards of applications whose public notice ended (claimed by a guarded UPDATE)
    PeriodicJob("publicity", 300, _publicity),
]


async def _run_job(deps: Deps, job: PeriodicJob) -> None:
    try:
        await job.run(deps)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("scheduled job %s failed", job.name)


async def run_once(deps: Deps, jobs: list[PeriodicJob] | None = None) -> int:
    """Deliver every outbox message due now, run each job once; returns how many messages were handled."""
    total = 0
    for _ in range(MAX_ONCE_PASSES):
        handled = await deps.relay.run_once(BATCH)
        total += handled
        if handled < BATCH:
            break
    for job in JOBS if jobs is None else jobs:
        await _run_job(deps, job)
    return total


async def _every(deps: Deps, job: PeriodicJob, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await _run_job(deps, job)
        try:
            await asyncio.wait_for(stop.wait(), job.every_seconds)
        except TimeoutError:
            pass


async def run_until(deps: Deps, stop: asyncio.Event, jobs: list[PeriodicJob] | None = None) -> None:
    """Run the relay and the scheduled jobs until `stop` is set, then let the message in hand finish."""
    deps.relay.start()
    tasks = [asyncio.create_task(_every(deps, job, stop), name=f"job:{job.name}")
             for job in (JOBS if jobs is None else jobs)]
    await stop.wait()
    log.info("worker stopping")
    await deps.relay.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _main(config: Config, once: bool) -> int:
    db = open_database(config.database_url, config.db_pool_size, config.db_timeout_seconds)
    deps = build_deps(config, db)
    try:
        if once:
            handled = await run_once(deps)
            log.info("worker pass done: %d outbox messages handled", handled)
        else:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            log.info("worker running (APP_ENV=%s, SMS_PROVIDER=%s)", config.app_env, config.sms_provider)
            await run_until(deps, stop)
        return 0
    except DatabaseUnavailable as exc:
        log.error("database unavailable: %s", exc)
        return 1
    finally:
        await db.close()
        deps.executor.shutdown(wait=False)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m server.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--once", action="store_true", help="run one pass of everything due, then exit")
    args = parser.parse_args(argv)
    config = checked_from_env()
    if config is None:
        return 2
    setup_logging(config.log_level, config.log_json)
    return asyncio.run(_main(config, args.once))


if __name__ == "__main__":
    sys.exit(main())
