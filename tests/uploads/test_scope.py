"""Issue 10: a staff member reads an upload only through a record of their own scope.

The leaks as filed (by sequential id, with the header): `wendeng_window` and `wendeng_reviewer` read
李四's material, `airport_staff` her photo, `hospital_staff` 王五's photo. Each now answers 404, and
each legitimate path answers 200: a reviewer through an application on their org's route, a clerk
through an appointment of their windows (the city window: all), venue staff through an ok scan of
the holder at their venue in the last 10 minutes, administrators always, the owner always.
"""

from __future__ import annotations

import urllib.parse

import sqlalchemy as sa

from server.db.tables import services, windows
from tests.onsite.helpers import qr_token, scan
from tests.uploads.test_api import png_bytes, upload

ZHANG, LISI, WANGWU = "13800000001", "13800000002", "13800000003"


def plain(file_id: str) -> str:
    """The URL without a signature: only the header and the scope rules decide."""
    return f"/api/v1/uploads/{file_id}"


def file_id_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path.rsplit("/", 1)[1]


async def status(api, file_id: str, token: str) -> int:
    r = await api.get(plain(file_id), token=token)
    assert r.status in (200, 404), r
    if r.status == 404:
        assert r.code == "NOT_FOUND", r
    return r.status


async def lisi_draft(api, token) -> dict:
    apps = (await api.get("/api/v1/me/applications", token=token)).json["items"]
    r = await api.get(f"/api/v1/applications/{apps[0]['id']}", token=token)
    assert r.status == 200, r
    return r.json


async def test_reviewers_see_the_files_of_applications_on_their_route_only(api):
    li = await api.login_sms(LISI)
    app = await lisi_draft(api, li)
    photo, material = app["form"]["photo_file_id"], app["form"]["materials"][0]["file_id"]
    agri, city, wendeng = [await api.login_password(u) for u in ("agri_reviewer", "city_reviewer", "wendeng_reviewer")]
    admin = await api.login_password("admin")
    for fid in (photo, material):
        assert await status(api, fid, li) == 200  # the owner
        assert await status(api, fid, admin) == 200
        for reviewer in (agri, city, wendeng):  # a draft is nobody's work yet
            assert await status(api, fid, reviewer) == 404
    r = await api.post(f"/api/v1/applications/{app['id']}/submit", {"version": app["version"]}, token=li)
    assert r.status == 200, r
    # 市农业农村局 → 市人社局 初审 → 终审: both orgs on the route see the files; 文登区 never
    for fid in (photo, material):
        assert await status(api, fid, agri) == 200
        assert await status(api, fid, city) == 200
        assert await status(api, fid, wendeng) == 404  # the leak as filed
    # a file of 李四 that no application names stays hers
    other = (await upload(api, li, png_bytes(), kind="material")).json["file_id"]
    assert await status(api, other, agri) == 404
    # the view carries signed URLs of the form's files, for <img src>
    view = (await api.get(f"/api/v1/applications/{app['id']}", token=agri)).json
    assert set(view["files"]) == {photo, *(m["file_id"] for m in view["form"]["materials"])}
    assert view["files"][photo]["content_type"] == "image/jpeg"
    assert (await api.get(view["files"][material]["url"])).status == 200


async def test_window_clerks_see_attachments_of_appointments_at_their_windows(api, deps):
    zhang = await api.login_sms(ZHANG)
    wendeng, city = await api.login_password("wendeng_window"), await api.login_password("city_window")
    reviewer = await api.login_password("agri_reviewer")
    svc = await deps.db.fetchval(sa.select(services.c.id).where(services.c.code == "child_school"))
    wins = {r["district"] if not r["is_city"] else "city": str(r["id"])
            for r in await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.is_city))}
    elsewhere = next(w for d, w in wins.items() if d not in ("文登区", "city"))
    here = (await upload(api, zhang, png_bytes(), kind="material")).json["file_id"]
    there = (await upload(api, zhang, png_bytes(), kind="material")).json["file_id"]
    for fid in (here, there):
        assert await status(api, fid, wendeng) == 404 and await status(api, fid, city) == 404
    for win, fid in ((wins["文登区"], here), (elsewhere, there)):
        r = await api.post("/api/v1/appointments", {"service_id": str(svc), "window_id": win, "content": "请协助办理",
                                                    "attachments": [fid]}, token=zhang)
        assert r.status == 201, r
        att = r.json["attachments"]
        assert [a["file_id"] for a in att] == [fid] and (await api.get(att[0]["url"])).status == 200
    assert await status(api, here, wendeng) == 200
    assert await status(api, there, wendeng) == 404  # another district's window
    assert await status(api, here, city) == 200 and await status(api, there, city) == 200  # the city window sees all
    assert await status(api, here, reviewer) == 404


async def test_venue_staff_see_a_holders_photo_only_shortly_after_an_ok_scan_at_their_venue(api, deps, clock):
    zhang, li, wang = [await api.login_sms(p) for p in (ZHANG, LISI, WANGWU)]
    airport, hospital = await api.login_password("airport_staff"), await api.login_password("hospital_staff")
    zhang_photo = file_id_of((await api.get("/api/v1/me/card", token=zhang)).json["holder"]["photo_url"])
    wang_photo = file_id_of((await api.get("/api/v1/me/card", token=wang)).json["holder"]["photo_url"])
    li_photo = (await lisi_draft(api, li))["form"]["photo_file_id"]
    # the leaks as filed
    assert await status(api, li_photo, airport) == 404
    assert await status(api, wang_photo, hospital) == 404
    assert await status(api, zhang_photo, airport) == 404  # no scan yet

    r = await scan(api, airport, await qr_token(api, zhang))
    assert r.status == 200 and r.json["verdict"] == "ok", r
    assert file_id_of(r.json["holder"]["photo_url"]) == zhang_photo
    assert (await api.get(r.json["holder"]["photo_url"])).status == 200  # signed: the scan page shows it
    assert await status(api, zhang_photo, airport) == 200
    assert await status(api, zhang_photo, hospital) == 404  # another venue
    material = (await upload(api, zhang, png_bytes(), kind="material")).json["file_id"]
    assert await status(api, material, airport) == 404  # the photo only
    clock.advance(11 * 60)
    assert await status(api, zhang_photo, airport) == 404  # the window has passed
    # 王五's card is disabled: a refused scan opens nothing
    r = await api.post("/api/v1/me/card/qr", token=wang)
    assert r.status == 403, r


async def test_file_references_must_be_the_callers_own_random_ids(api):
    zhang, li = await api.login_sms(ZHANG), await api.login_sms(LISI)
    app = await lisi_draft(api, li)
    mine = (await upload(api, zhang, png_bytes(), kind="material")).json["file_id"]
    form = app["form"]
    for bad in (mine, "1", "12", "f" * 32):
        r = await api.put(f"/api/v1/applications/{app['id']}",
                          {"form": {**form, "materials": [{"kind": form["materials"][0]["kind"], "file_id": bad}]},
                           "version": app["version"]}, token=li)
        assert r.status == 400 and r.code == "INVALID_REQUEST", (bad, r)
    r = await api.post("/api/v1/appointments", {"service_id": "1", "window_id": "1", "content": "x",
                                                "attachments": ["1"]}, token=zhang)
    assert r.status == 400 and "attachments.0" in str(r.json["error"]["details"]), r
