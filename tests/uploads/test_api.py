"""POST /api/v1/uploads and GET /api/v1/uploads/{id}: type by bytes, size and bomb limits, EXIF
stripped, orientation applied, files served only to who may see them."""

from __future__ import annotations

import io
import re
import struct
import uuid
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, PngImagePlugin

from server.db.tables import uploads

# --------------------------------------------------------------------------- helpers


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, dict]:
    """A multipart/form-data body and its Content-Type header."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, ctype) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def upload(api, token, data: bytes, kind: str = "photo", filename: str = "照片.jpg",
                 ctype: str = "image/jpeg"):
    body, headers = multipart({"kind": kind}, {"file": (filename, data, ctype)})
    return await api.call("POST", "/api/v1/uploads", body=body, headers=headers, token=token)


def jpeg_with_exif(size=(400, 300), orientation: int | None = None) -> bytes:
    """A JPEG carrying camera make, GPS position, a comment and optionally an orientation."""
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: orientation is visible
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Make"  # Make
    exif[0x0110] = "SpyCam 3000"  # Model
    if orientation:
        exif[0x0112] = orientation
    gps = {1: "N", 2: (37.0, 30.0, 12.5), 3: "E", 4: (122.0, 7.0, 1.25)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, comment=b"secret comment 13800000001", quality=95)
    return out.getvalue()


def png_bytes(size=(64, 48), mode="RGBA", text: dict[str, str] | None = None) -> bytes:
    img = Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10))
    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    out = io.BytesIO()
    img.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int, height: int) -> bytes:
    """A few hundred bytes on disk declaring width × height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    idat = zlib.compress(b"\x00" * 100_000, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


async def me(api, token) -> dict:
    r = await api.get("/api/v1/me", token=token)
    assert r.status == 200, r
    return r.json


# --------------------------------------------------------------------------- happy paths


async def test_jpeg_photo_is_stored_without_exif_and_upright(api, deps):
    token = await api.login_sms("13800000001")
    original = jpeg_with_exif(size=(400, 300), orientation=6)  # 6: rotate 90° clockwise to view
    assert b"SpyCam" in original
    r = await upload(api, token, original, filename="../../etc/passwd.jpg")
    assert r.status == 201, r
    body = r.json
    assert body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (300, 400)  # the orientation went into the pixels
    assert re.fullmatch(r"[0-9a-f]{32}", body["file_id"])  # random, not a sequence number
    assert re.fullmatch(rf"/api/v1/uploads/{body['file_id']}\?exp=[0-9]+&sig=[0-9a-f]{{32}}", body["url"])

    got = await api.get(body["url"], token=token)
    assert got.status == 200 and got.headers["Content-Type"] == "image/jpeg"
    for leak in (b"SpyCam", b"Exif", b"secret comment", b"13800000001"):
        assert leak not in got.body
    img = Image.open(io.BytesIO(got.body))
    img.load()
    assert img.format == "JPEG" and img.size == (300, 400)
    assert not img.getexif() and "comment" not in img.info
    # rotated clockwise: the blue left half is now the top half
    assert img.getpixel((150, 50))[2] > 150 and img.getpixel((150, 350))[0] > 150

    row = await deps.db.fetchone(sa.select(uploads).where(uploads.c.public_id == body["file_id"]))
    assert str(row["owner_id"]) == str((await me(api, token))["id"])
    assert row["kind"] == "photo" and row["original_name"] == "passwd.jpg" and row["size"] == len(got.body)
    # a random storage key under UPLOAD_DIR, never the client's name
    path = Path(deps.config.upload_dir) / row["storage_key"]
    assert path.read_bytes() == got.body
    assert "passwd" not in row["storage_key"] and ".." not in row["storage_key"]
    Image.open(path).verify()


async def test_big_photo_is_downscaled_and_png_stays_png_without_text_chunks(api):
    token = await api.login_sms("13800000001")
    r = await upload(api, token, jpeg_with_exif(size=(3000, 2000)))
    assert r.status == 201, r
    assert max(r.json["width"], r.json["height"]) == 1200 and r.json["width"] == 1200

    r = await upload(api, token, png_bytes(text={"Author": "13800000001 泄露"}), kind="material",
                     filename="scan.png", ctype="image/png")
    assert r.status == 201, r
    assert r.json["content_type"] == "image/png" and (r.json["width"], r.json["height"]) == (64, 48)
    got = await api.get(r.json["url"], token=token)
    img = Image.open(io.BytesIO(got.body))
    img.load()
    assert img.format == "PNG" and img.mode == "RGBA" and "Author" not in img.info
    assert b"tEXt" not in got.body and b"13800000001" not in got.body


async def test_type_is_decided_by_the_bytes_not_the_name(api):
    token = await api.login_sms("13800000001")
    # a PNG declared as a JPEG called .jpg is accepted, as the PNG it is
    r = await upload(api, token, png_bytes(mode="RGB"), filename="a.jpg", ctype="image/jpeg")
    assert r.status == 201 and r.json["content_type"] == "image/png", r


# --------------------------------------------------------------------------- refusals: never a 500


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


# as in the server, where service.py turns this warning into an error (pytest resets the filters)
@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("data, status, code", [
    (b"just some text, not an image\n" * 10, 415, "UNSUPPORTED_MEDIA"),  # text renamed .jpg
    (bytes(range(256)) * 4, 415, "UNSUPPORTED_MEDIA"),  # random bytes
    (_gif(), 415, "UNSUPPORTED_MEDIA"),  # a real image, but not JPEG/PNG
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, 400, "INVALID_REQUEST"),  # PNG header, then garbage
    (png_bytes()[:-40], 400, "INVALID_REQUEST"),  # truncated PNG
    (jpeg_with_exif()[:300], 400, "INVALID_REQUEST"),  # truncated JPEG
    (bomb_png(30000, 30000), 413, "PAYLOAD_TOO_LARGE"),  # 900 MP declared in a few hundred bytes
    (bomb_png(8000, 6000), 413, "PAYLOAD_TOO_LARGE"),  # 48 MP: over our limit, under Pillow's hard one
])
async def test_bad_images_get_a_clear_4xx(api, data, status, code):
    token = await api.login_sms("13800000001")
    for kind in ("photo", "material"):
        r = await upload(api, token, data, kind=kind)
        assert (r.status, r.code) == (status, code), r
        assert r.json["error"]["message"]


async def test_bad_forms_get_a_clear_4xx(api):
    token = await api.login_sms("13800000001")
    good = png_bytes()
    r = await upload(api, token, good, kind="avatar")
    assert r.status == 400 and "kind" in r.json["error"]["details"]["fields"], r
    body, headers = multipart({}, {"file": ("a.png", good, "image/png")})
    r = await api.call("POST", "/api/v1/uploads", body=body, headers=headers, token=token)
    assert r.status == 400 and "kind" in r.json["error"]["details"]["fields"], r
    body, headers = multipart({"kind": "photo"}, {})
    r = await api.call("POST", "/api/v1/uploads", body=body, headers=headers, token=token)
    assert r.status == 400 and "file" in r.json["error"]["details"]["fields"], r
    r = await upload(api, token, b"")
    assert r.status == 400 and r.json["error"]["message"] == "上传的文件为空", r
    r = await api.post("/api/v1/uploads", {"kind": "photo"}, token=token)
    assert r.status == 415 and r.code == "UNSUPPORTED_MEDIA", r
    r = await api.call("POST", "/api/v1/uploads", body=b"--x\r\nbroken", token=token,
                       headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status == 400, r
    r = await upload(api, None, good)
    assert r.status == 401, r


async def test_size_limits(api, deps):
    token = await api.login_sms("13800000001")
    big = b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024)  # over the photo limit, under the upload limit
    r = await upload(api, token, big, kind="photo")
    assert r.status == 413 and r.code == "PAYLOAD_TOO_LARGE", r
    r = await upload(api, token, big, kind="material")
    assert r.status == 415, r  # an allowed size for a material, but not an image
    deps.config.max_upload_bytes = 100_000
    r = await upload(api, token, b"\x89PNG" + b"\x00" * 120_000, kind="material")
    assert r.status == 413 and r.code == "PAYLOAD_TOO_LARGE", r


# --------------------------------------------------------------------------- who may see a file


async def test_only_the_owner_and_admins_see_a_file_without_a_record_or_a_signature(api):
    """Staff read a file only through a record of their scope (tests/uploads/test_scope.py); a file
    nobody referenced is the owner's and the administrators' alone."""
    zhang = await api.login_sms("13800000001")
    li = await api.login_sms("13800000002")
    staff = [await api.login_password(u) for u in ("wendeng_window", "city_window", "agri_reviewer",
                                                    "city_reviewer", "airport_staff", "hospital_staff")]
    admin = await api.login_password("admin")
    photo = (await upload(api, zhang, jpeg_with_exif(), kind="photo")).json["file_id"]
    material = (await upload(api, zhang, png_bytes(), kind="material")).json["file_id"]

    for fid in (photo, material):
        url = f"/api/v1/uploads/{fid}"  # no signature: the header rules
        for token in (zhang, admin):
            assert (await api.get(url, token=token)).status == 200
        for token in (li, *staff):
            r = await api.get(url, token=token)
            assert r.status == 404 and r.code == "NOT_FOUND", r  # not 403: existence is not told
        assert (await api.get(url)).status == 401
    for missing in ("/api/v1/uploads/999999", "/api/v1/uploads/1", "/api/v1/uploads/abc", "/api/v1/uploads/-1",
                    "/api/v1/uploads/99999999999999999999999", "/api/v1/uploads/" + "0" * 32):
        r = await api.get(missing, token=admin)
        assert r.status == 404 and r.code == "NOT_FOUND", r
