"""API.md v1.1: every upload URL the API returns is signed for 10 minutes and works without the
Authorization header; without a valid signature the header and the scope rules apply."""

from __future__ import annotations

import re
import urllib.parse

from server.uploads.links import unix
from tests.uploads.test_api import png_bytes, upload

ZHANG, LISI = "13800000001", "13800000002"


def parts(url: str) -> tuple[str, dict]:
    u = urllib.parse.urlsplit(url)
    return u.path, dict(urllib.parse.parse_qsl(u.query))


def with_query(path: str, q: dict) -> str:
    return f"{path}?{urllib.parse.urlencode(q)}"


async def test_a_signed_url_works_without_the_header_and_may_be_cached_privately(api, deps):
    zhang = await api.login_sms(ZHANG)
    body = (await upload(api, zhang, png_bytes(), kind="material", filename="a.png", ctype="image/png")).json
    path, q = parts(body["url"])
    assert path == f"/api/v1/uploads/{body['file_id']}" and re.fullmatch(r"[0-9a-f]{32}", q["sig"])
    assert 600 <= int(q["exp"]) - unix(deps.clock()) <= 660 and int(q["exp"]) % 60 == 0  # rounded: cacheable
    r = await api.get(body["url"])
    assert r.status == 200 and r.headers["Content-Type"] == "image/png", r
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    age = int(re.fullmatch(r"private, max-age=([0-9]+)", r.headers["Cache-Control"]).group(1))
    assert 590 <= age <= 660
    assert "Content-Disposition" not in r.headers  # an image is shown inline
    # with the header and no signature: the owner, not cacheable beyond revalidation
    r = await api.get(path, token=zhang)
    assert r.status == 200 and r.headers["Cache-Control"] == "private, no-cache"


async def test_the_same_url_within_a_minute_so_card_pages_stay_cheap(api):
    zhang = await api.login_sms(ZHANG)
    a = (await api.get("/api/v1/me/card", token=zhang)).json["holder"]["photo_url"]
    b = (await api.get("/api/v1/me/card", token=zhang)).json["holder"]["photo_url"]
    assert a == b or parts(a)[1]["exp"] != parts(b)[1]["exp"]  # equal unless a minute boundary passed
    assert (await api.get(a)).status == 200


async def test_expired_tampered_or_foreign_signatures_fall_back_to_the_rules(api, clock):
    zhang, li = await api.login_sms(ZHANG), await api.login_sms(LISI)
    one = (await upload(api, zhang, png_bytes(), kind="material")).json
    two = (await upload(api, zhang, png_bytes(size=(10, 10)), kind="material")).json
    path, q = parts(one["url"])
    flipped = q["sig"][:-1] + ("0" if q["sig"][-1] != "0" else "1")
    bad = {
        "tampered sig": with_query(path, {**q, "sig": flipped}),
        "tampered exp": with_query(path, {**q, "exp": str(int(q["exp"]) + 60)}),
        "other id": with_query(parts(two["url"])[0], q),  # file one's signature on file two
        "no sig": with_query(path, {"exp": q["exp"]}),
        "garbage": with_query(path, {"exp": "1e9", "sig": "电" * 32}),
        "upper case": with_query(path, {**q, "sig": q["sig"].upper()}),
    }
    for what, url in bad.items():
        r = await api.get(url)
        assert r.status == 401 and r.code == "UNAUTHORIZED", (what, r)
        assert (await api.get(url, token=zhang)).status == 200, what  # the owner's header still works
        r = await api.get(url, token=li)
        assert r.status == 404 and r.code == "NOT_FOUND", (what, r)
    assert (await api.get(one["url"])).status == 200
    clock.advance(11 * 60 + 1)
    r = await api.get(one["url"])
    assert r.status == 401, r  # expired
    assert (await api.get(one["url"], token=li)).status == 404
    assert (await api.get(one["url"], token=zhang)).status == 200


async def test_file_ids_are_random_not_sequential(api):
    zhang = await api.login_sms(ZHANG)
    ids = [(await upload(api, zhang, png_bytes(), kind="material")).json["file_id"] for _ in range(3)]
    assert len(set(ids)) == 3
    for fid in ids:
        assert re.fullmatch(r"[0-9a-f]{32}", fid) and not fid.isdigit()
    nums = [int(f, 16) for f in ids]
    assert nums[1] - nums[0] not in (1, -1) and nums[2] - nums[1] not in (1, -1)
