"""API.md v1.1: a material may be a PDF (decided by the bytes, ≤ 10 MiB, served as a download);
photos stay JPEG/PNG."""

from __future__ import annotations

from tests.uploads.test_api import upload

ZHANG = "13800000001"
PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n")


async def test_a_pdf_material_is_stored_as_sent_and_served_as_an_attachment(api):
    zhang = await api.login_sms(ZHANG)
    r = await upload(api, zhang, PDF, kind="material", filename="学位证书.pdf", ctype="application/octet-stream")
    assert r.status == 201, r
    assert r.json["content_type"] == "application/pdf" and "width" not in r.json
    got = await api.get(r.json["url"])
    assert got.status == 200 and got.body == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "%E5%AD%A6%E4%BD%8D" in got.headers["Content-Disposition"]  # 学位 (UTF-8, quoted)
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    # named .jpg, still a PDF: the bytes decide, and the download is called .pdf
    r = await upload(api, zhang, PDF, kind="material", filename="scan.jpg", ctype="image/jpeg")
    assert r.status == 201 and r.json["content_type"] == "application/pdf", r
    got = await api.get(r.json["url"])
    assert ".pdf" in got.headers["Content-Disposition"] and "scan.jpg" not in got.headers["Content-Disposition"]


async def test_a_pdf_is_refused_as_a_photo_and_when_broken_or_too_big(api, deps):
    zhang = await api.login_sms(ZHANG)
    r = await upload(api, zhang, PDF, kind="photo", filename="photo.pdf")
    assert r.status == 415 and r.code == "UNSUPPORTED_MEDIA", r
    for broken in (PDF[:-20], b"%PDF-x" + PDF[6:], b"%PDF-1.4\n" + b"\x00" * 2000 + b"%%EOF" + b"\x00" * 2000):
        r = await upload(api, zhang, broken, kind="material")
        assert r.status == 400 and r.code == "INVALID_REQUEST", r
    big = PDF[:-6] + b"\n" * (10 * 1024 * 1024) + b"%%EOF\n"
    r = await upload(api, zhang, big, kind="material")
    assert r.status == 413 and r.code == "PAYLOAD_TOO_LARGE", r


async def test_a_pdf_material_goes_into_an_application_form(api):
    li = await api.login_sms("13800000002")
    apps = (await api.get("/api/v1/me/applications", token=li)).json["items"]
    app = (await api.get(f"/api/v1/applications/{apps[0]['id']}", token=li)).json
    fid = (await upload(api, li, PDF, kind="material", filename="a.pdf")).json["file_id"]
    form = app["form"]
    form["materials"][0]["file_id"] = fid
    r = await api.put(f"/api/v1/applications/{app['id']}", {"form": form, "version": app["version"]}, token=li)
    assert r.status == 200, r
    assert r.json["form"]["materials"][0]["file_id"] == fid
    assert r.json["files"][fid]["content_type"] == "application/pdf"
    # a PDF cannot be the one-inch photo
    r = await api.put(f"/api/v1/applications/{app['id']}",
                      {"form": {**form, "photo_file_id": fid}, "version": r.json["version"]}, token=li)
    assert r.status == 400 and "photo_file_id" in str(r.json["error"]["details"]), r
