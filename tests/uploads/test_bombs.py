"""Issue 10: "One small PNG takes hundreds of MB." A 154 KB 6300 × 6300 PNG raised the server's peak
memory from 121 MB to 738 MB. The decode is now bounded: refused by the header's dimensions before
decoding, big JPEGs decoded reduced (draft), and a few decodes at a time per process.

Peak memory is measured in a child process (VmHWM, the resident high-water mark), around one call of
the same `clean_image` the server runs in its executor.
"""

from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from tests.uploads.test_api import png_bytes, upload

ROOT = Path(__file__).resolve().parents[2]
BOUND_MB = 120  # above the child's own high-water mark before the decode

_MEASURE = r"""
import json, sys
from server import errors
from server.uploads.service import clean_image

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024

data = open(sys.argv[1], "rb").read()
before = hwm()
try:
    out = clean_image(data, sys.argv[2])
    result = {"ok": True, "size": [out.width, out.height]}
except errors.DomainError as exc:
    result = {"ok": False, "status": exc.status, "code": exc.code}
result["grew_mb"] = hwm() - before
print(json.dumps(result))
"""

_MAKE_JPEG = r"""
import sys
from PIL import Image, ImageDraw
w, h, progressive = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
img = Image.new("RGB", (w, h), (120, 160, 200))
ImageDraw.Draw(img).rectangle((w // 4, h // 4, w // 2, h // 2), fill=(200, 40, 40))
img.save(sys.argv[1], "JPEG", quality=60, progressive=progressive)
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def rgba_png_bomb(side: int = 6300) -> bytes:
    """A valid RGBA PNG of side × side transparent pixels: 150 KB on disk, 159 MB once decoded."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)  # 8-bit RGBA
    z = zlib.compressobj(9)
    row = b"\x00" * (side * 4 + 1)
    idat = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return rgba_png_bomb()


def measure(path: Path, kind: str) -> dict:
    r = subprocess.run([sys.executable, "-c", _MEASURE, str(path), kind], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def make_jpeg(path: Path, w: int, h: int, progressive: bool = False) -> None:
    r = subprocess.run([sys.executable, "-c", _MAKE_JPEG, str(path), str(w), str(h), "1" if progressive else "0"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_the_png_of_the_report_is_refused_before_decoding(tmp_path, bomb):
    assert len(bomb) < 200_000
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    for kind in ("photo", "material"):
        out = measure(path, kind)
        assert (out["ok"], out.get("status")) == (False, 413), out
        assert out["grew_mb"] < BOUND_MB, out


def test_a_big_phone_jpeg_is_decoded_reduced_within_the_bound(tmp_path):
    path = tmp_path / "big.jpg"
    make_jpeg(path, 7000, 5000)  # 35 MP, 105 MB as RGB if decoded at full size
    for kind, side in (("material", 3500), ("photo", 1200)):
        out = measure(path, kind)
        assert out["ok"] and max(out["size"]) == side, out
        assert out["grew_mb"] < BOUND_MB, out


def test_a_big_progressive_jpeg_is_refused(tmp_path):
    path = tmp_path / "progressive.jpg"
    make_jpeg(path, 5000, 4000, progressive=True)  # its coefficients alone would take ~120 MB
    out = measure(path, "material")
    assert (out["ok"], out.get("status")) == (False, 413), out
    assert out["grew_mb"] < BOUND_MB, out


async def test_four_bombs_at_once_each_get_413_quickly(api, bomb):
    token = await api.login_sms("13800000001")
    t0 = time.monotonic()
    rs = await asyncio.gather(*(upload(api, token, bomb, kind=k, filename="b.png", ctype="image/png")
                                for k in ("photo", "material", "photo", "material")))
    assert [(r.status, r.code) for r in rs] == [(413, "PAYLOAD_TOO_LARGE")] * 4, rs
    assert time.monotonic() - t0 < 5
    assert "像素" in rs[0].json["error"]["message"]


@pytest.fixture
def config_overrides():
    return {"UPLOAD_DECODE_CONCURRENCY": "1"}


async def test_decodes_wait_for_a_free_slot(api, deps):
    token = await api.login_sms("13800000001")
    await deps.decode_slots.acquire()  # the one slot is busy
    try:
        pending = asyncio.ensure_future(upload(api, token, png_bytes(), kind="material"))
        await asyncio.sleep(0.5)
        assert not pending.done()
    finally:
        deps.decode_slots.release()
    r = await asyncio.wait_for(pending, 10)
    assert r.status == 201, r
