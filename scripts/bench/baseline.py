"""The two yardsticks of `make bench`, served by one bare Tornado process:

- `GET /hello`: Tornado's hello world (no database), the ceiling of one process;
- `POST /raw/scan`: a minimal hand-written aiomysql handler that issues exactly the statements of
  the venue scan (the session look-up, then in one transaction the venue+service+card read, the
  single-use insert, the quota upsert, the visit and the event) with the same SQL text, and no
  framework around it: no validation, no error mapping, no metrics, no logging.

`python -m scripts.bench.baseline --port 8101 --url mysql+aiomysql://root@127.0.0.1:3306/yck_bench`
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json

import aiomysql
import pymysql
import tornado.httpserver
import tornado.web

from scripts.bench.seed import conn_args, db_name
from server.core.tokens import token_hash
from server.events.log import _INSERT as EVENT
from server.onsite import qr
from server.onsite.service import _INSERT_VISIT as VISIT
from server.onsite.service import _QUOTA_TAKE, _SCAN_PLACE_DEFAULT, _USE_TOKEN, MESSAGES
from server.web.base import _SESSION_LOOKUP as SESSION

# (SQL text, the values of its literals) — literals such as 'onsite' or used=1 are bound parameters
SESSION_SQL, USE_SQL, PLACE_SQL = SESSION.compiled("mysql"), _USE_TOKEN.compiled("mysql"), _SCAN_PLACE_DEFAULT.compiled("mysql")
QUOTA_SQL, VISIT_SQL, EVENT_SQL = _QUOTA_TAKE["mysql"].compiled("mysql"), VISIT.compiled("mysql"), EVENT.compiled("mysql")


async def run(cur, stmt: tuple[str, dict], params: dict) -> None:
    sql, defaults = stmt
    await cur.execute(sql, {**defaults, **params})


class Hello(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello, world")


class RawScan(tornado.web.RequestHandler):
    async def post(self):
        pool, keys = self.settings["pool"], self.settings["keys"]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        token = json.loads(self.request.body)["token"]
        bearer = self.request.headers.get("Authorization", "")[7:]
        async with pool.acquire() as conn, conn.cursor(aiomysql.DictCursor) as cur:
            await run(cur, SESSION_SQL, {"h": hashlib.sha256(bearer.encode()).hexdigest()})
            staff = await cur.fetchone()
        if staff is None or staff["expires_at"] <= now:
            self.set_status(401)
            return
        verdict = None
        try:
            card_id = qr.verify(token, now, keys)
        except qr.TokenError as exc:
            verdict, card_id = exc.verdict, exc.card_id
        async with pool.acquire() as conn:
            await conn.begin()
            async with conn.cursor(aiomysql.DictCursor) as cur:
                await run(cur, PLACE_SQL, {"org": staff["org_id"], "card": card_id or 0})
                place = await cur.fetchone()
                if verdict is None:
                    try:
                        await run(cur, USE_SQL, {"h": token_hash(token), "now": now})
                    except pymysql.err.IntegrityError:
                        verdict = "token_used"
                if verdict is None:
                    ok = place["status"] == "active" and place["level"] in place["eligible_levels"].split(",")
                    verdict = "ok" if ok else "not_eligible"
                if verdict == "ok":
                    await run(cur, QUOTA_SQL, {"card": card_id, "service": place["service_id"],
                                                  "year": now.year, "quota": place["quota_per_year"]})
                    verdict = "ok" if cur.rowcount else "quota_exhausted"
                await run(cur, VISIT_SQL, {"venue": place["venue_id"], "service": place["service_id"], "card": card_id,
                                              "holder": place["holder_id"], "staff": staff["id"], "method": "staff_scan",
                                              "verdict": verdict, "check_code": None, "now": now})
                visit_id = cur.lastrowid
                await run(cur, EVENT_SQL, {"type": "visit.recorded", "entity": "visit", "entity_id": str(visit_id),
                                              "data": json.dumps({"visit_id": str(visit_id), "verdict": verdict}),
                                              "audience": f"a:{place['holder_id']} o:{staff['org_id']}", "now": now})
            await conn.commit()
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.write(json.dumps({"verdict": verdict, "message": MESSAGES[verdict], "visit_id": str(visit_id),
                               "holder": {"name": place["holder_name"], "level": place["level"]}}, ensure_ascii=False))


async def serve(port: int, url: str, keys: dict[str, str], pool_size: int) -> None:
    pool = await aiomysql.create_pool(minsize=0, maxsize=pool_size, autocommit=True, db=db_name(url),
                                      init_command="SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                                      **{k: v for k, v in conn_args(url).items()})
    app = tornado.web.Application([(r"/hello", Hello), (r"/raw/scan", RawScan)], pool=pool, keys=keys)
    server = tornado.httpserver.HTTPServer(app)
    server.listen(port, "127.0.0.1")
    await asyncio.Event().wait()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--qr-keys", default="k1:dev-qr-key-change-me")
    p.add_argument("--pool-size", type=int, default=10)
    a = p.parse_args()
    keys = dict(part.split(":", 1) for part in a.qr_keys.split(","))
    asyncio.run(serve(a.port, a.url, keys, a.pool_size))


if __name__ == "__main__":
    main()
