"""`make bench-icount`: the venue scan's cost against the raw aiomysql handler's, counted in machine
instructions instead of timed, so the ratio is the same on a busy machine as on a quiet one.

`make bench` times CPU per request on a shared two-core machine, where the same code measures 10–20 %
apart from one run to the next (docs/benchmarks.md, "Noise"). Valgrind's callgrind counts the
instructions a process executes; the count barely moves with the machine's load (about 1 % between
runs). Each server is started twice under callgrind and answers N₀, then N₀ + N scans one after
another over one keep-alive connection; the difference of the two totals divided by N is what one scan
costs, start-up, warm-up and shut-down cancelling out. The servers are those of `make bench` (the app
with `python -m server`, the yardstick `scripts.bench.baseline`), on the same data.

What it does not see: the kernel's work (socket reads and writes: the same number of system calls for
both, see docs/benchmarks.md) and cache misses (a larger program misses more: the timed ratio runs
a few per cent below the counted one).

Environment: BENCH_DATABASE_URL as `make bench`; ICOUNT_REQUESTS (N, default 200). About 4 minutes.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from scripts.bench.run import (
    APPOINTMENTS,
    HOLDERS,
    POOL,
    QR_KEYS,
    ROOT,
    URL,
    account_id,
    free_port,
    log,
    make_sessions,
    q,
    reset,
    server_env,
)
from scripts.bench.seed import connect, seed
from server.onsite import qr

N = int(os.environ.get("ICOUNT_REQUESTS", "200"))
N0 = 20  # the first run: start-up and warm-up, subtracted


class Scans:
    """Sequential scans of fresh QR tokens of A/B holders by the airport clerk."""

    def __init__(self, conn, base_phone: int):
        holders = q(conn, "SELECT c.id FROM accounts a JOIN cards c ON c.holder_id = a.id WHERE a.phone >= %s "
                          "AND a.phone < %s AND c.status = 'active' AND c.level IN ('A', 'B')",
                    (str(base_phone), str(base_phone + HOLDERS)))
        self.cards = [c for (c,) in holders]
        self.tokens = make_sessions(conn, [account_id(conn, "airport_staff")] * 8, "password")
        self.rnd = random.Random(7)

    def send(self, port: int, path: str, n: int) -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for i in range(n):
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                body = json.dumps({"token": qr.issue(self.rnd.choice(self.cards), now, QR_KEYS, "k1")["token"]})
                c.request("POST", path, body=body, headers={"Authorization": f"Bearer {self.tokens[i % 8]}",
                                                            "Content-Type": "application/json"})
                r = c.getresponse()
                answer = r.read()
                if r.status != 200:
                    raise SystemExit(f"{path} answered {r.status}: {answer[:300]!r}")
        finally:
            c.close()


def clear(conn) -> None:
    for table in ("visits", "qr_uses", "quota_usage", "events", "outbox"):
        q(conn, f"DELETE FROM {table}")
    conn.commit()


def instructions(conn, scans: Scans, app: bool, n: int) -> int:
    """Instructions the server executed from start to exit, having answered `n` scans."""
    port = free_port()
    out = Path(tempfile.mkdtemp()) / "callgrind.out"
    server = [sys.executable, "-m", "server"] if app else [
        sys.executable, "-m", "scripts.bench.baseline", "--port", str(port), "--url", URL, "--pool-size", POOL]
    path, ready = ("/api/v1/venue/scan", "/healthz") if app else ("/raw/scan", "/hello")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *server], cwd=ROOT,
                            env=server_env(URL, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # start-up under valgrind takes a while
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None:
                    raise SystemExit("the server exited under valgrind") from None
                time.sleep(0.5)
        clear(conn)
        scans.send(port, path, n)
    finally:
        proc.terminate()
        proc.wait(120)
    total = next(int(ln.split()[1]) for ln in out.read_text(errors="replace").splitlines() if ln.startswith("summary:"))
    shutil.rmtree(out.parent)
    return total


def main() -> int:
    if shutil.which("valgrind") is None:
        log("valgrind is not installed: apt-get install valgrind (make bench-icount does it when run as root)")
        return 2
    marker = seed(URL, holders=HOLDERS, appointments=APPOINTMENTS,
                  env={"APP_ENV": "dev", "LOG_JSON": "0", "UPLOAD_DIR": str(ROOT / "var" / "bench-uploads")}, log=log)
    conn = connect(URL)
    reset(conn)
    scans = Scans(conn, marker["base_phone"])
    per = {}
    for name, app in (("raw aiomysql scan", False), ("venue scan", True)):
        t0 = time.monotonic()
        first = instructions(conn, scans, app, N0)
        second = instructions(conn, scans, app, N0 + N)
        per[name] = (second - first) / N
        log(f"  {name}: {per[name] / 1e6:.3f} M instructions per request ({time.monotonic() - t0:.0f} s)")
    conn.close()
    raw, scan = per["raw aiomysql scan"], per["venue scan"]
    print(f"instructions per request (callgrind, {N} sequential requests): raw aiomysql scan {raw / 1e6:.2f} M, "
          f"venue scan {scan / 1e6:.2f} M: the scan runs at **{raw / scan:.2f} × the raw handler** (raw ÷ scan; "
          f"the framework adds {(scan - raw) / 1e3:.0f} k instructions per scan)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
