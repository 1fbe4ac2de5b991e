"""The benchmark's data: the demo city plus 100,000 holders with cards and 1,000,000 appointments.

Bulk-loaded with `LOAD DATA LOCAL INFILE` (multi-row INSERTs when the server refuses local files),
once: a marker row in `kv_store` says the data are there, and later runs re-use them.
`python -m scripts.bench.seed [--holders N --appointments N]` runs it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import tempfile
import time
import urllib.parse

import pymysql

from server.db.migrate import upgrade

MARKER = "bench:seed"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣"
    "怡晨阳佳琪子涵梓萱一诺浩然思远"
)
CONTENTS = [
    "孩子今年9月升入小学，希望协调就近入学。", "配偶随迁来威，希望推荐合适的就业岗位。", "申请人才公寓租住，希望尽快安排看房。",
    "本人及配偶、子女落户威海，请协助办理。", "咨询高层次人才项目申报条件与材料要求。", "咨询人才购房补贴政策及兑现流程。",
]
# status, share of the appointments, whether a step (and its deadline) is running
STATUSES = [("submitted", 10, True), ("accepted", 10, True), ("prereviewed", 5, True), ("completed", 60, False),
            ("returned", 5, False), ("cancelled", 10, False)]


def conn_args(url: str) -> dict:
    u = urllib.parse.urlparse(url.replace("mysql+aiomysql://", "mysql://", 1))
    return dict(host=u.hostname or "127.0.0.1", port=u.port or 3306, user=urllib.parse.unquote(u.username or "root"),
                password=urllib.parse.unquote(u.password or ""), charset="utf8mb4")


def db_name(url: str) -> str:
    return urllib.parse.urlparse(url.replace("mysql+aiomysql://", "mysql://", 1)).path.lstrip("/")


def connect(url: str, **kw) -> pymysql.Connection:
    return pymysql.connect(**conn_args(url), database=db_name(url), autocommit=False, **kw)


def ensure_database(url: str) -> None:
    """Create the database when it does not exist and migrate it to the latest revision."""
    name = db_name(url)
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unsafe database name {name!r}")
    c = pymysql.connect(**conn_args(url), autocommit=True)
    with c.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    c.close()
    upgrade(url)


def _load_demo(url: str, env: dict) -> None:
    from server.config import Config
    from server.db.database import open_database
    from server.demo import load_demo
    from server.deps import build_deps

    async def go():
        cfg = Config.from_env({**env, "DATABASE_URL": url})
        db = open_database(url, 2)
        deps = build_deps(cfg, db)
        try:
            await load_demo(deps)
        finally:
            await db.close()
            deps.executor.shutdown(wait=False)

    asyncio.run(go())


def _bulk(conn, table: str, columns: list[str], rows, *, local_infile: bool) -> int:
    """Load rows (an iterable of tuples) into a table; returns how many."""
    n = 0
    if local_infile:
        # the generated values hold no tab, newline or backslash: no escaping needed; \N is NULL
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, newline="", encoding="utf-8") as f:
            for r in rows:
                f.write("\t".join("\\N" if v is None else str(v) for v in r) + "\n")
                n += 1
            path = f.name
        try:
            with conn.cursor() as cur:
                cur.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE {table} CHARACTER SET utf8mb4 "
                            f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                            f"({', '.join(columns)})", (path,))
            conn.commit()
        finally:
            os.unlink(path)
        return n
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list = []
    with conn.cursor() as cur:
        for r in rows:
            batch.append(r)
            if len(batch) == 5000:
                cur.executemany(sql, batch)  # pymysql sends one multi-row INSERT per batch
                n += len(batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    conn.commit()
    return n


def seeded(url: str) -> dict | None:
    c = connect(url)
    with c.cursor() as cur:
        cur.execute("SELECT v FROM kv_store WHERE k = %s", (MARKER,))
        row = cur.fetchone()
    c.close()
    return json.loads(row[0]) if row else None


def seed(url: str, *, holders: int, appointments: int, env: dict, log=print) -> dict:
    """Fill the benchmark database once; returns the marker (what is there)."""
    ensure_database(url)
    have = seeded(url)
    if have and have.get("holders") == holders and have.get("appointments") == appointments:
        log(f"  data already present in {db_name(url)}: {holders:,} holders, {appointments:,} appointments (re-used)")
        return have
    if have:
        raise SystemExit(f"{db_name(url)} holds another data set ({have}); drop it or use another BENCH_DATABASE_URL")
    t0 = time.monotonic()
    c = connect(url)
    with c.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM accounts")
        if cur.fetchone()[0] == 0:
            c.close()
            _load_demo(url, env)
            c = connect(url)
    try:
        c.close()
        c = connect(url, local_infile=True)
        with c.cursor() as cur:
            cur.execute("SELECT @@local_infile")
            local = bool(cur.fetchone()[0])
    except pymysql.err.OperationalError:
        local = False
    rnd = random.Random(20261123)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).replace(microsecond=0)
    today = (now + dt.timedelta(hours=8)).date()
    with c.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        cur.execute("SELECT u.id FROM uploads u JOIN accounts a ON a.id = u.owner_id "
                    "WHERE a.phone = '13800000001' AND u.kind = 'photo' LIMIT 1")
        photo = (cur.fetchone() or (None,))[0]
        cur.execute("SELECT id, district FROM windows ORDER BY id")
        wins = cur.fetchall()
        cur.execute("SELECT id FROM windows WHERE name LIKE %s", ("文登区%",))
        wendeng = cur.fetchone()[0]
        cur.execute("SELECT id FROM services WHERE category <> 'onsite' ORDER BY id")
        svcs = [r[0] for r in cur.fetchall()]

    def names():
        return rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.6 else "")

    holder_names = [names() for _ in range(holders)]
    base_phone = 17000000000
    n = _bulk(c, "accounts", ["name", "phone", "roles", "status", "failed_logins", "version", "created_at", "updated_at"],
              ((holder_names[i], str(base_phone + i), "holder", "active", 0, 1, now, now) for i in range(holders)),
              local_infile=local)
    with c.cursor() as cur:
        cur.execute("SELECT id, phone FROM accounts WHERE phone >= %s AND phone < %s ORDER BY phone",
                    (str(base_phone), str(base_phone + holders)))
        ids = [r[0] for r in cur.fetchall()]
    assert len(ids) == holders == n
    log(f"  {holders:,} holders ({time.monotonic() - t0:.0f} s)")
    _bulk(c, "holder_profiles", ["account_id", "photo_file_id", "sync_version", "updated_at"],
          ((a, photo, 0, now) for a in ids), local_infile=local)
    levels = "AAABBBBCCC"
    _bulk(c, "cards", ["card_no", "holder_id", "level", "status", "issued_at", "valid_until", "sync_version", "version",
                       "created_at", "updated_at"],
          ((f"BN{i:010d}", a, levels[i % 10], "disabled" if i % 50 == 49 else "active",
            today - dt.timedelta(days=365), today + dt.timedelta(days=730), 0, 1, now, now)
           for i, a in enumerate(ids)), local_infile=local)
    log(f"  {holders:,} cards ({time.monotonic() - t0:.0f} s)")

    others = [w for w in wins if w[0] != wendeng]
    wendeng_district = next(d for w, d in wins if w == wendeng)
    weights = [s[1] for s in STATUSES]
    span = 730 * 86400

    def appts():
        for i in range(appointments):
            # one appointment in ten is at the 文登区 window: exactly the 100,000 rows the export reads
            win, district = (wendeng, wendeng_district) if i % 10 == 0 else rnd.choice(others)
            h = rnd.randrange(holders)
            status, _w, running = rnd.choices(STATUSES, weights)[0]
            created = now - dt.timedelta(seconds=span - span * i // appointments)
            updated = created + dt.timedelta(hours=rnd.randint(1, 200))
            yield (ids[h], rnd.choice(svcs), win, district, holder_names[h], status, rnd.choice(CONTENTS), "[]",
                   created + dt.timedelta(hours=48) if running else None, 1 if status == "submitted" else 3,
                   created, updated, updated if status == "completed" else None)

    n = _bulk(c, "appointments", ["holder_id", "service_id", "window_id", "district", "holder_name", "status", "content",
                                  "attachments", "deadline_at", "version", "created_at", "updated_at", "completed_at"],
              appts(), local_infile=local)
    log(f"  {n:,} appointments ({time.monotonic() - t0:.0f} s)")
    marker = {"holders": holders, "appointments": appointments, "base_phone": base_phone, "seeded_at": now.isoformat()}
    with c.cursor() as cur:
        cur.execute("INSERT INTO kv_store (k, v) VALUES (%s, %s)", (MARKER, json.dumps(marker)))
        cur.execute("ANALYZE TABLE accounts, cards, holder_profiles, appointments")
        cur.fetchall()
    c.commit()
    c.close()
    log(f"  seeded in {time.monotonic() - t0:.0f} s ({'LOAD DATA LOCAL INFILE' if local else 'multi-row INSERT'})")
    return marker


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", "mysql+aiomysql://root@127.0.0.1:3306/yck_bench"))
    p.add_argument("--holders", type=int, default=100_000)
    p.add_argument("--appointments", type=int, default=1_000_000)
    a = p.parse_args()
    env = {"APP_ENV": "dev", "LOG_JSON": "0", "UPLOAD_DIR": os.path.abspath("var/bench-uploads")}
    seed(a.url, holders=a.holders, appointments=a.appointments, env=env)


if __name__ == "__main__":
    main()
