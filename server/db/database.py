"""The lean data layer.

SQLAlchemy Core builds every statement; each one is compiled once per dialect (`Query`) and then
executed straight on the driver: aiomysql for MySQL/MariaDB, aiosqlite for the embedded default.
No ORM, no greenlet bridge, no per-row result processing: rows come back as dicts of the driver's
own types (naive UTC datetimes on both backends, see `_sqlite_converters`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from time import monotonic as _monotonic
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import sqlalchemy as sa
from sqlalchemy.dialects import mysql as mysql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

log = logging.getLogger(__name__)

_DIALECTS = {
    "mysql": mysql_dialect.pymysql.dialect(paramstyle="pyformat"),
    "sqlite": sqlite_dialect.pysqlite.dialect(paramstyle="named"),
}


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the web layer answers 503."""


class IntegrityError(Exception):
    """A unique or foreign-key constraint refused the statement."""


class FifoGate:
    """At most `size` holders at a time; the others wait in arrival order, each for at most `timeout` s.

    aiomysql's pool wakes its waiters through a Condition, so a newcomer arriving as a connection is
    freed takes it ahead of those who have waited longest, and nobody's wait is bounded. In front of the
    pool, with as many places as the pool has connections, this gate makes waits fair and bounded (and
    the pool itself never makes anyone wait). A freed place is handed straight to the longest waiter.
    """

    def __init__(self, size: int):
        self._free = size
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def free(self) -> int:
        return self._free

    async def acquire(self, timeout: float) -> None:
        """Take a place; TimeoutError when none comes within `timeout` seconds."""
        if self._free > 0:  # nobody waits while a place is free (see release)
            self._free -= 1
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            async with asyncio.timeout(timeout):
                await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                self.release()  # the place came just as the wait ended: pass it on
            else:
                fut.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(fut)
            raise

    def release(self) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self._free += 1


class RequestScope:
    """One pooled connection per request, for as long as the request runs on without waiting.

    A request reads its session and then, as a rule straight away, opens its transaction. Within a
    scope (`one_connection_per_request`, entered by the web layer around every request) the
    connection a use of the database gives back is parked here instead of the pool, and the next use
    by the same task takes it again: no second wait in the pool's queue, no second gate turn. A
    parked connection never outlives the task step that parked it: a `call_soon` hands it back to the
    pool before the task's next step, so a request that goes on to wait for something else (an
    executor, a remote service, another connection) never holds a connection while it waits.
    """

    __slots__ = ("task", "_parked", "_handle", "_closed", "_token")

    def __init__(self, task: asyncio.Task | None):
        self.task = task
        self._parked: tuple[Any, Any, Any] | None = None  # (database, connection, release)
        self._handle: asyncio.Handle | None = None
        self._closed = False
        self._token = None

    def __enter__(self) -> RequestScope:
        self._token = _request_scope.set(self)
        return self

    def __exit__(self, *exc) -> None:
        _request_scope.reset(self._token)
        self.close()

    def take(self, db) -> Any:
        """The connection parked by `db` in this task's current step, or None."""
        parked = self._parked
        if parked is None or parked[0] is not db or asyncio.current_task() is not self.task:
            return None
        self._parked = None
        self._handle.cancel()
        return parked[1]

    def park(self, db, conn, release) -> None:
        """Keep `conn` for this task's next use of `db` in the current step; else `release()` it."""
        if self._closed or self._parked is not None or asyncio.current_task() is not self.task:
            release()
            return
        self._parked = (db, conn, release)
        self._handle = asyncio.get_running_loop().call_soon(self.release)

    def release(self) -> None:
        parked, self._parked = self._parked, None
        if parked is not None:
            self._handle.cancel()
            parked[2]()

    def close(self) -> None:
        self._closed = True
        self.release()


_request_scope: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar("db_request_scope", default=None)


def one_connection_per_request() -> RequestScope:
    """`with one_connection_per_request():` around a request's work (see RequestScope); the
    connection is back in the pool on exit."""
    return RequestScope(asyncio.current_task())


class Watchdog:
    """Bounds waits for the database server: the awaits inside `with watchdog.bound():` last at most
    `timeout` seconds, else they are cancelled and the block raises TimeoutError.

    One coarse timer for every wait in flight (checked every `tick` s, so a wait ends between `timeout`
    and `timeout + tick`) instead of a timer per statement: `asyncio.timeout` around each statement
    costs about 5 µs of CPU on the development machine, the watchdog about 1 µs.
    """

    def __init__(self, timeout: float, tick: float = 0.1, on_expire=None):
        self.timeout = timeout
        self.tick = tick
        self.on_expire = on_expire  # called whenever a wait runs out of time
        self._deadlines: dict[asyncio.Task, float] = {}
        self._expired: set[asyncio.Task] = set()
        self._task: asyncio.Task | None = None

    def bound(self) -> _Bound:
        """A bound for the current task (a context manager, not a coroutine: a statement is awaited
        through no extra frame), reusable there for block after block: a connection's use makes one
        for all its statements."""
        return _Bound(self)

    def _disown(self, task) -> bool:
        """Stop watching `task`; True when it was cancelled for being late."""
        self._deadlines.pop(task, None)
        if self._expired and task in self._expired:
            self._expired.discard(task)
            return True
        return False

    async def _watch(self):
        loop = asyncio.get_running_loop()
        idle = 0
        try:
            while idle < 10:  # ends after about a second with nothing to watch; a bound starts it again
                await asyncio.sleep(self.tick)
                idle = 0 if self._deadlines else idle + 1
                now = loop.time()
                for task, deadline in list(self._deadlines.items()):
                    if deadline <= now and task not in self._expired:
                        self._expired.add(task)
                        task.cancel()
                        if self.on_expire is not None:
                            self.on_expire()
        finally:
            if self._task is asyncio.current_task():
                self._task = None

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


class _Bound:
    """The watchdog's bound around the awaits of a `with` block of one task; reusable, so a
    connection's use makes one for all its statements."""

    __slots__ = ("_wd", "_task", "_loop")

    def __init__(self, wd: Watchdog):
        self._wd = wd
        self._loop = loop = asyncio.get_running_loop()
        self._task = asyncio.current_task(loop)
        if wd._task is not None and wd._task.get_loop() is not loop:  # left over from another event loop
            wd._task = None

    def __enter__(self) -> None:
        wd = self._wd
        # the event loop's clock (BaseEventLoop.time is time.monotonic), without the method call
        wd._deadlines[self._task] = _monotonic() + wd.timeout
        if wd._task is None:
            wd._task = self._loop.create_task(wd._watch())

    def __exit__(self, et, exc, tb) -> None:
        task = self._task
        if self._wd._disown(task):  # cancelled for being late
            if et is not None and issubclass(et, asyncio.CancelledError):
                if task.uncancel() == 0:  # by us alone: time is up
                    raise TimeoutError() from None
            else:  # time ran out just as the wait ended and the cancellation never landed
                task.uncancel()


class Query:
    """A statement compiled once per dialect, then reused on every execution."""

    __slots__ = ("stmt", "_compiled")

    def __init__(self, stmt: sa.sql.ClauseElement | str):
        self.stmt = sa.text(stmt) if isinstance(stmt, str) else stmt
        self._compiled: dict[str, tuple[str, dict]] = {}

    def compiled(self, dialect: str) -> tuple[str, dict]:
        hit = self._compiled.get(dialect)
        if hit is None:
            c = self.stmt.compile(dialect=_DIALECTS[dialect])
            if "POSTCOMPILE" in str(c):
                # an IN list with its values bound: render them as ordinary parameters (a statement
                # built per request; prepared statements keep IN lists out of their SQL)
                c = self.stmt.compile(dialect=_DIALECTS[dialect], compile_kwargs={"render_postcompile": True})
            # literal values bound while building the statement become defaults
            hit = (str(c), dict(c.params))
            self._compiled[dialect] = hit
        return hit


# Callables given the SQL text of every statement this process sends (BEGIN, COMMIT and ROLLBACK are
# not statements of ours and never pass here). Empty in production: the hook then costs one truth test
# per statement. The tests' `statements` fixture and `make bench` count statements per request with it.
statement_listeners: list = []


class _Sent:
    __slots__ = ("n",)

    def __init__(self):
        self.n = 0


_sent = _Sent()


def statements_sent() -> int:
    """The statements this process has sent so far (BEGIN, COMMIT, ROLLBACK not counted): the
    `db_statements_total` metric, which `make bench` divides by the requests of a scenario."""
    return _sent.n


# Statements built per request (filters, IN lists, cold paths) compiled once per shape: keyed by
# SQLAlchemy's cache key (the statement's structure without its values), the compiled form is re-used
# with each request's values. Compiling costs ~1 ms of CPU per statement; the key ~50 µs.
_SHAPES: dict[tuple, Any] = {}
_SHAPES_MAX = 1000


def _bind_adhoc(stmt, dialect: str, params: Mapping | None) -> tuple[str, dict]:
    """SQL text and parameters of a statement that is not a module-level `Query`."""
    if isinstance(stmt, str):
        return _with_defaults(*_text_query(stmt).compiled(dialect), params)
    key = stmt._generate_cache_key()
    if key is None:  # a construct SQLAlchemy cannot key: compiled every time
        return _with_defaults(*Query(stmt).compiled(dialect), params)
    shape = (dialect, key.key)
    compiled = _SHAPES.get(shape)
    if compiled is None:
        if len(_SHAPES) >= _SHAPES_MAX:
            _SHAPES.clear()
        compiled = _SHAPES[shape] = stmt.compile(dialect=_DIALECTS[dialect], cache_key=key)
    values = compiled.construct_params(params, extracted_parameters=key.bindparams, _check=False)
    if compiled.post_compile_params or compiled.literal_execute_params:
        # an IN list: its values become ordinary parameters of this execution's SQL text
        expanded = compiled.construct_expanded_state(values)
        return expanded.statement, expanded.parameters
    return compiled.string, values


def _with_defaults(sql: str, defaults: dict, params: Mapping | None) -> tuple[str, Mapping]:
    if defaults:
        merged = dict(defaults)
        if params:
            merged.update(params)
        return sql, merged
    return sql, params or {}


_TEXTS: dict[str, Query] = {}


def _text_query(sql: str) -> Query:
    q = _TEXTS.get(sql)
    if q is None:
        if len(_TEXTS) >= _SHAPES_MAX:
            _TEXTS.clear()
        q = _TEXTS[sql] = Query(sql)
    return q


class Result:
    __slots__ = ("rowcount", "lastrowid")

    def __init__(self, rowcount: int, lastrowid: int | None):
        self.rowcount = rowcount
        self.lastrowid = lastrowid


class Tx:
    """One transaction (or one autocommit statement batch) on one connection."""

    dialect: str

    async def _run(self, sql: str, params: Mapping | None, fetch: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _bind(self, q, params):
        if isinstance(q, Query):
            sql, params = _with_defaults(*q.compiled(self.dialect), params)
        else:
            sql, params = _bind_adhoc(q, self.dialect, params)
        _sent.n += 1
        if statement_listeners:
            for listener in statement_listeners:
                listener(sql)
        return sql, params

    async def fetchall(self, q, params: Mapping | None = None) -> list[dict]:
        sql, p = self._bind(q, params)
        return await self._run(sql, p, "all")

    async def fetchone(self, q, params: Mapping | None = None) -> dict | None:
        sql, p = self._bind(q, params)
        return await self._run(sql, p, "one")

    async def fetchval(self, q, params: Mapping | None = None) -> Any:
        row = await self.fetchone(q, params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, q, params: Mapping | None = None) -> Result:
        sql, p = self._bind(q, params)
        return await self._run(sql, p, "exec")

    async def insert(self, table: sa.Table, values: Mapping) -> int:
        """Insert one row and return its new id (cold paths; hot paths keep a compiled Query)."""
        res = await self.execute(table.insert().values(**values))
        return res.lastrowid

    async def insert_many(self, table: sa.Table, rows: Iterable[Mapping]) -> None:
        rows = list(rows)
        if rows:
            await self.execute(table.insert().values(rows))


def _rows(cursor_description, rows) -> list[dict]:
    cols = [d[0] for d in cursor_description]
    return [dict(zip(cols, r)) for r in rows]


# --------------------------------------------------------------------------- MySQL / MariaDB


def _mysql_errors():
    import pymysql

    return pymysql


class _MysqlTx(Tx):
    dialect = "mysql"

    def __init__(self, conn, db: MysqlDatabase, bound: _Bound):
        self.conn = conn
        self.db = db
        self._bound = bound  # the watchdog's, for every statement of this use
        # one cursor for the statements of this use of the connection (a scan's five), not one each:
        # every result is read whole (buffered), so the next statement finds the cursor clean
        self._cur = None

    async def _run(self, sql, params, fetch):
        try:
            with self._bound:
                try:
                    cur = self._cur
                    if cur is None:
                        cur = self._cur = await self.conn.cursor()
                    await cur.execute(sql, params or None)
                    if fetch == "exec":
                        return Result(cur.rowcount, cur.lastrowid)
                    if cur.description is None:
                        return None if fetch == "one" else []
                    if fetch == "one":
                        row = await cur.fetchone()
                        return None if row is None else dict(zip([d[0] for d in cur.description], row))
                    return _rows(cur.description, await cur.fetchall())
                except BaseException as exc:
                    self._cur = None  # a statement that failed may leave its cursor in any state: a new one next time
                    _driver_error(exc)
                    raise
        except TimeoutError as exc:  # only ours: the driver's own OSErrors became DatabaseUnavailable above
            raise self.db.timed_out(self.conn, "statement") from exc


def _driver_error(exc: BaseException) -> None:
    """Raise the error of ours that a driver error means, if any (else the caller re-raises it)."""
    pymysql = _mysql_errors()
    if isinstance(exc, pymysql.err.IntegrityError):
        raise IntegrityError(str(exc)) from exc
    if isinstance(exc, (pymysql.err.OperationalError, pymysql.err.InterfaceError, ConnectionError, OSError)):
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        # lock wait timeout / deadlock are operational errors too, but not an outage
        if code in (1205, 1213):
            return
        raise DatabaseUnavailable(str(exc)) from exc


_HUNG = "the database stopped answering while this request waited"


def _autocommit(name: str):
    """`db.<name>(q, params)`: the Tx method of that name, alone on a connection of its own (`connection()`)."""

    async def run(self, q, params=None):
        async with self.connection() as c:
            return await getattr(c, name)(q, params)

    run.__name__ = run.__qualname__ = name
    return run


class _Autocommit:
    """A single statement outside a transaction."""

    fetchone = _autocommit("fetchone")
    fetchall = _autocommit("fetchall")
    fetchval = _autocommit("fetchval")
    execute = _autocommit("execute")


class MysqlDatabase(_Autocommit):
    dialect = "mysql"

    def __init__(self, url: str, pool_size: int = 10, timeout: float = 3.0):
        u = urlparse(url.replace("mysql+aiomysql://", "mysql://", 1))
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        self.conn_args = dict(
            host=u.hostname or "127.0.0.1",
            port=u.port or 3306,
            user=unquote(u.username or "root"),
            password=unquote(u.password or ""),
            db=(u.path or "/").lstrip("/") or None,
            charset=q.get("charset", "utf8mb4"),
        )
        self.pool_size = pool_size
        self.pool = None
        self._lock = asyncio.Lock()
        # DB_TIMEOUT_SECONDS bounds the wait for a connection and every statement: a database that
        # hangs costs a request a 503 within that time, never a hang
        self.timeout = timeout
        self.watchdog = Watchdog(timeout, on_expire=self._server_hangs)
        self.gate = FifoGate(pool_size)
        self._timeouts = 0  # how many waits for the server have timed out so far

    def _server_hangs(self) -> None:
        self._timeouts += 1

    def timed_out(self, conn, what: str) -> DatabaseUnavailable:
        """The server did not answer on `conn` in time. The connection is closed: a read cut short
        leaves it in an unknown state (the pool drops it when it comes back and opens a new one)."""
        conn.close()
        return DatabaseUnavailable(f"no answer to a {what} within {self.timeout} s")

    async def control(self, conn, what: str, bound: _Bound) -> None:
        """BEGIN, COMMIT or ROLLBACK on `conn`: bounded like a statement, and any failure of the server
        on it answered as DatabaseUnavailable."""
        try:
            with bound:
                await getattr(conn, what.lower())()
        except TimeoutError as exc:
            raise self.timed_out(conn, what) from exc
        except Exception as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def connect(self) -> None:
        import aiomysql

        async with self._lock:
            if self.pool is not None:
                return
            try:
                self.pool = await aiomysql.create_pool(
                    minsize=0,
                    maxsize=self.pool_size,
                    autocommit=True,
                    pool_recycle=3600,
                    connect_timeout=3,
                    # instants are naive UTC written by the application; the server's clock is never used
                    init_command="SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                    **self.conn_args,
                )
            except Exception as exc:
                raise DatabaseUnavailable(str(exc)) from exc

    async def close(self) -> None:
        self.watchdog.stop()
        if self.pool is not None:
            self.pool.close()
            await self.pool.wait_closed()
            self.pool = None

    async def _acquire(self, bound: _Bound):
        """A pooled connection and its gate turn, both waited for in bounded time."""
        if self.pool is None:
            await self.connect()
        timeouts = self._timeouts
        try:
            await self.gate.acquire(self.timeout)
        except TimeoutError as exc:
            raise DatabaseUnavailable(f"no free database connection within {self.timeout} s") from exc
        try:
            # The server stopped answering others while this request waited: answer 503 now rather
            # than after a second wait of its own (so a request answers within one DB_TIMEOUT_SECONDS
            # or two at most, however many wait).
            if self._timeouts != timeouts:
                raise DatabaseUnavailable(_HUNG)
            try:
                # a free connection comes at once; a new one is bounded too (its handshake may hang)
                with bound:
                    conn = await self.pool.acquire()
            except TimeoutError as exc:
                raise DatabaseUnavailable(f"no new database connection within {self.timeout} s") from exc
            except Exception as exc:
                raise DatabaseUnavailable(str(exc)) from exc
            if self._timeouts != timeouts:  # while the pool's lock was held by someone's hanging handshake
                self.pool.release(conn)
                raise DatabaseUnavailable(_HUNG)
        except BaseException:
            self.gate.release()
            raise
        return conn

    def transaction(self) -> _MysqlUse:
        """`async with db.transaction() as tx:` committed at the end, rolled back on any error."""
        return _MysqlUse(self, True)

    def connection(self) -> _MysqlUse:
        """Autocommit statements on one pooled connection (reads, single writes)."""
        return _MysqlUse(self, False)


class _MysqlUse:
    """One use of a pooled connection (the request's parked one when there is one, see RequestScope),
    in a transaction or in autocommit. A class rather than an `asynccontextmanager`: a scan uses two,
    and an async generator costs several times the calls."""

    __slots__ = ("db", "transactional", "conn", "scope", "bound")

    def __init__(self, db: MysqlDatabase, transactional: bool):
        self.db = db
        self.transactional = transactional

    async def __aenter__(self) -> _MysqlTx:
        db = self.db
        bound = self.bound = db.watchdog.bound()
        scope = self.scope = _request_scope.get()
        conn = scope.take(db) if scope is not None else None
        if conn is None:
            conn = await db._acquire(bound)
        self.conn = conn
        if self.transactional:
            try:
                await db.control(conn, "BEGIN", bound)
            except BaseException:
                self._discard()
                raise
        return _MysqlTx(conn, db, bound)

    async def __aexit__(self, et, exc, tb) -> None:
        conn, db, kept = self.conn, self.db, False
        try:
            if et is None:
                if self.transactional:
                    await db.control(conn, "COMMIT", self.bound)
                kept = True
            elif self.transactional and not conn.closed:
                with contextlib.suppress(Exception):
                    await db.control(conn, "ROLLBACK", self.bound)
        finally:
            if not kept:
                self._discard()
            elif self.scope is None or conn.closed:
                self._release()
            else:
                self.scope.park(db, conn, self._release)

    def _discard(self) -> None:
        # a connection that saw an error may be broken; never hand it out again
        self.conn.close()
        self._release()

    def _release(self) -> None:
        self.db.pool.release(self.conn)
        self.db.gate.release()


# --------------------------------------------------------------------------- SQLite


def _sqlite_converters() -> None:
    # Both backends hand back naive UTC datetimes; SQLAlchemy declares these column types.
    def _dt(b: bytes) -> dt.datetime:
        return dt.datetime.fromisoformat(b.decode())

    sqlite3.register_converter("DATETIME", _dt)
    sqlite3.register_converter("DATE", lambda b: dt.date.fromisoformat(b.decode()))
    sqlite3.register_adapter(dt.datetime, lambda v: v.isoformat(" "))
    sqlite3.register_adapter(dt.date, lambda v: v.isoformat())


_sqlite_converters()


class _SqliteTx(Tx):
    dialect = "sqlite"

    def __init__(self, conn):
        self.conn = conn

    async def _run(self, sql, params, fetch):
        try:
            cur = await self.conn.execute(sql, params or {})
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            msg = str(exc)
            if "syntax error" in msg or msg.startswith("no such"):
                raise  # a bug in a statement, not an outage
            raise DatabaseUnavailable(msg) from exc
        try:
            if fetch == "exec":
                return Result(cur.rowcount, cur.lastrowid)
            if fetch == "one":
                row = await cur.fetchone()
                if row is None:
                    return None
                return dict(zip([d[0] for d in cur.description], row))
            if cur.description is None:
                return []
            return _rows(cur.description, await cur.fetchall())
        finally:
            await cur.close()


class SqliteDatabase(_Autocommit):
    """One connection, one transaction at a time: right for development and tests."""

    dialect = "sqlite"

    def __init__(self, url: str, timeout: float = 3.0):
        path = url.split(":///", 1)[1] if ":///" in url else ":memory:"
        self.path = path or ":memory:"
        self.conn = None
        # the one connection, in arrival order, waited for at most DB_TIMEOUT_SECONDS; a statement
        # waiting for another process's lock is bounded by the busy timeout
        self.timeout = timeout
        self.gate = FifoGate(1)

    @contextlib.asynccontextmanager
    async def _turn(self):
        # the one connection's turn, kept within a request scope like a pooled connection (RequestScope)
        scope = _request_scope.get()
        if scope is None or scope.take(self) is None:
            try:
                await self.gate.acquire(self.timeout)
            except TimeoutError as exc:
                raise DatabaseUnavailable(f"the database was busy for {self.timeout} s") from exc
        try:
            if self.conn is None:
                await self.connect()
        except BaseException:
            self.gate.release()
            raise
        try:
            yield self.conn
        except BaseException:
            self.gate.release()
            raise
        if scope is None:
            self.gate.release()
        else:
            scope.park(self, self.conn, self.gate.release)

    async def connect(self) -> None:
        import aiosqlite

        if self.conn is not None:
            return
        self.conn = await aiosqlite.connect(
            self.path, isolation_level=None, detect_types=sqlite3.PARSE_DECLTYPES
        )
        await self.conn.execute("PRAGMA foreign_keys=ON")
        await self.conn.execute("PRAGMA busy_timeout=5000")
        if self.path != ":memory:":
            await self.conn.execute("PRAGMA journal_mode=WAL")

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._turn():
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise DatabaseUnavailable(str(exc)) from exc
            tx = _SqliteTx(self.conn)
            try:
                yield tx
            except BaseException:
                with contextlib.suppress(Exception):
                    await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Tx]:
        async with self._turn():
            yield _SqliteTx(self.conn)


Database = MysqlDatabase | SqliteDatabase


def open_database(url: str, pool_size: int = 10, timeout: float = 3.0) -> Database:
    """Create (not yet connect) the database named by a DATABASE_URL; `timeout` is DB_TIMEOUT_SECONDS."""
    if url.startswith("mysql+aiomysql://") or url.startswith("mysql://"):
        return MysqlDatabase(url, pool_size, timeout)
    if url.startswith("sqlite"):
        return SqliteDatabase(url, timeout)
    raise ValueError("DATABASE_URL must start with mysql+aiomysql:// or sqlite+aiosqlite:///")


def sync_url(url: str) -> str:
    """The synchronous driver URL Alembic and the wechatpy token store use."""
    if url.startswith("mysql+aiomysql://"):
        base = "mysql+pymysql://" + url[len("mysql+aiomysql://"):]
        return base if "charset=" in base else base + ("&" if "?" in base else "?") + "charset=utf8mb4"
    if url.startswith("sqlite+aiosqlite://"):
        return "sqlite://" + url[len("sqlite+aiosqlite://"):]
    return url


async def ping(db: Database, timeout: float = 2.0) -> bool:
    # with a connection free at once, a ping that times out has waited for the server alone
    on_server = isinstance(db, MysqlDatabase) and db.gate.free > 0
    try:
        await asyncio.wait_for(db.fetchval("SELECT 1"), timeout)
        return True
    except TimeoutError:
        if on_server:
            db._server_hangs()  # those waiting for a connection need not try it again
        return False
    except (DatabaseUnavailable, OSError):
        return False
    except Exception:  # any driver error means "not healthy", never a crash
        log.warning("database ping failed", exc_info=True)
        return False
