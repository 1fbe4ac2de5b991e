"""Uploads (照片、材料): decode with Pillow under bomb limits, re-encode without metadata, store,
and serve only to who may see them.

Photos are JPEG or PNG; materials also PDF. The type is decided by the bytes, never by the file name
or the declared type. Every image is decoded and re-encoded: EXIF (GPS, camera …), comments and text
chunks are dropped, EXIF orientation is applied to the pixels first. The decode is bounded: pixel
caps checked on the header before decoding, big JPEGs decoded reduced, and at most
`config.upload_decode_concurrency` decodes at once per process. A PDF is stored as sent (it is
served as a download with `nosniff`, never rendered inline by the browser from our origin).

The file lands in the upload store (`storage.py`: `UPLOAD_DIR` or an S3-compatible bucket) with a
random key; the client's file name is only kept in
the row, never in a path. On the wire a file is its random `public_id`; a staff member reads a file
only through a record of their own scope (see `may_view`), or through a signed URL an endpoint gave.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import struct
import warnings

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from server import errors
from server.core.principal import Principal
from server.db.database import Query
from server.db.tables import applications, appointments, holder_profiles, uploads, venues, visits

KINDS = ("photo", "material")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
# Pixel caps, checked on the header before anything is decoded (a 154 KB PNG may declare 40 MP).
# JPEG: a 48 MP phone photo is fine, it is decoded reduced (draft: libjpeg's 1/2, 1/4, 1/8 scaling).
JPEG_MAX_PIXELS = 50_000_000
# progressive JPEGs keep the coefficients of the whole image in memory whatever the scale
JPEG_PROGRESSIVE_MAX_PIXELS = 16_000_000
# PNG has no reduced decode: what a scanned A4 page at 300 dpi (8.7 MP) or a screenshot needs
PNG_MAX_PIXELS = 12_000_000
# at most this many pixels decoded at once (after draft): 48 MB as RGB
DECODE_MAX_PIXELS = 16_000_000
MAX_PIXELS = JPEG_MAX_PIXELS
MAX_SIDE = {"photo": 1200, "material": 4096}  # longer side after re-encoding
JPEG_QUALITY = 88
PDF_TYPE = "application/pdf"

# Pillow refuses > 2 × MAX_IMAGE_PIXELS itself and warns above it; the warning is an error here
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
# the wire file id: 32 lowercase hex digits (see tables.uploads.public_id)
FILE_ID_PATTERN = r"^[0-9a-f]{32}$"
_FILE_ID = re.compile(FILE_ID_PATTERN, re.ASCII)
# venue staff see a holder's photo this long after an ok scan or check-in of that holder at their venue
VENUE_PHOTO_WINDOW = dt.timedelta(minutes=10)

_INSERT = Query(uploads.insert().values(
    public_id=sa.bindparam("public_id"),
    owner_id=sa.bindparam("owner_id"), kind=sa.bindparam("kind"), content_type=sa.bindparam("content_type"),
    storage_key=sa.bindparam("storage_key"), original_name=sa.bindparam("original_name"),
    size=sa.bindparam("size"), width=sa.bindparam("width"), height=sa.bindparam("height"),
    sha256=sa.bindparam("sha256"), created_at=sa.bindparam("now"),
))
_BY_PUBLIC_ID = Query(sa.select(uploads).where(uploads.c.public_id == sa.bindparam("public_id")))
# the owner's applications a reviewer could open that mention the file (the form is checked in Python)
_APPLICATIONS_WITH = Query(
    sa.select(applications.c.route, applications.c.form)
    .where(applications.c.applicant_id == sa.bindparam("owner"), applications.c.route.is_not(None),
           applications.c.form.contains(sa.bindparam("public_id")))
)
_APPOINTMENTS_WITH = Query(
    sa.select(appointments.c.window_id, appointments.c.attachments)
    .where(appointments.c.holder_id == sa.bindparam("owner"),
           appointments.c.attachments.contains(sa.bindparam("public_id")))
)
# the holder's current photo, and an ok visit of the holder at a venue of the clerk's org lately
_RECENT_VENUE_VISIT = Query(
    sa.select(visits.c.id)
    .select_from(visits.join(venues, venues.c.id == visits.c.venue_id)
                 .join(holder_profiles, holder_profiles.c.account_id == visits.c.holder_id))
    .where(venues.c.org_id == sa.bindparam("org"), visits.c.holder_id == sa.bindparam("owner"),
           visits.c.verdict == "ok", visits.c.created_at >= sa.bindparam("since"),
           holder_profiles.c.photo_file_id == sa.bindparam("upload_id"))
    .limit(1)
)


@dataclasses.dataclass(frozen=True)
class CleanImage:
    """An image decoded and re-encoded without metadata (or a PDF kept as sent)."""

    data: bytes
    content_type: str
    extension: str
    width: int | None
    height: int | None


@dataclasses.dataclass(frozen=True)
class Served:
    """A file to send: its bytes, type, how long a cache may keep it, the download name (PDF)."""

    data: bytes
    content_type: str
    max_age: int | None
    download_name: str | None


class _Refused(Exception):
    """Raised in the worker thread; turned into a domain error on the event loop."""

    def __init__(self, error: errors.DomainError):
        self.error = error


def _too_many_pixels(limit: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge.field("file", "图片像素尺寸过大", f"图片像素尺寸过大，不能超过{limit // 10_000}万像素")


def _broken() -> errors.InvalidRequest:
    return errors.field_error("file", "图片文件已损坏", "图片文件已损坏，无法读取")


def _unsupported(kind: str) -> errors.UnsupportedMedia:
    if kind == "material":
        return errors.UnsupportedMedia.field("file", "只支持JPEG、PNG或PDF格式", "材料只支持JPEG、PNG图片或PDF文件")
    return errors.UnsupportedMedia.field("file", "只支持JPEG或PNG格式", "照片只支持JPEG或PNG格式的图片")


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def check_pdf(data: bytes) -> CleanImage:
    """A PDF material: the `%PDF-` magic, a version, and an `%%EOF` marker near the end (incremental
    updates and trailing newlines leave a little after it)."""
    if len(data) > PDF_MAX_BYTES:
        raise errors.PayloadTooLarge.field("file", "文件过大", f"PDF文件过大，不能超过{PDF_MAX_BYTES // (1024 * 1024)}MB")
    if not re.match(rb"%PDF-[12]\.[0-9]", data) or b"%%EOF" not in data[-1024:]:
        raise errors.field_error("file", "PDF文件已损坏", "PDF文件已损坏或不完整，无法读取")
    return CleanImage(data, PDF_TYPE, ".pdf", None, None)


def clean_image(data: bytes, kind: str) -> CleanImage:
    """Decode, check, orient, downscale and re-encode an image (blocking: run it in the executor).
    Raises a domain error for anything that is not a sound JPEG/PNG of a sane size."""
    try:
        return _clean(data, kind)
    except _Refused as exc:
        raise exc.error from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(MAX_PIXELS) from None
    except UnidentifiedImageError:
        raise _unsupported(kind) from None
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError, struct.error):
        # Pillow reports damaged files with a wide range of exceptions
        raise _broken() from None


def _pixel_cap(im: Image.Image) -> int:
    if im.format == "PNG":
        return PNG_MAX_PIXELS
    if im.info.get("progressive") or im.info.get("progression"):
        return JPEG_PROGRESSIVE_MAX_PIXELS
    return JPEG_MAX_PIXELS


def _open(data: bytes) -> Image.Image:
    """Open (header only) and refuse by the declared size before any pixel is decoded."""
    im = Image.open(io.BytesIO(data), formats=tuple(_FORMATS))
    cap = _pixel_cap(im)
    if im.width <= 0 or im.height <= 0 or im.width * im.height > cap:
        im.close()
        raise _Refused(_too_many_pixels(cap))
    return im


def _draft(im: Image.Image, max_side: int) -> None:
    """Ask libjpeg for a reduced decode: as small as the output size allows, and small enough to stay
    within DECODE_MAX_PIXELS (draft picks the largest of 1/2, 1/4, 1/8 not below the asked size)."""
    w, h = im.size
    scale = 1
    while scale < 8 and (-(-w // scale)) * (-(-h // scale)) > DECODE_MAX_PIXELS:
        scale *= 2
    by_output = max(1, min(w // max_side, h // max_side))
    scale = max(scale, min(8, 1 << (by_output.bit_length() - 1)))
    if scale > 1:
        im.draft(None, (max(1, w // scale), max(1, h // scale)))
    if im.width * im.height > DECODE_MAX_PIXELS:
        raise _Refused(_too_many_pixels(JPEG_MAX_PIXELS))


def _clean(data: bytes, kind: str) -> CleanImage:
    with _open(data) as probe:
        fmt = probe.format
        probe.verify()  # checksums and structure, without decoding the pixels
    # verify() leaves the image unusable: open it again to decode
    max_side = MAX_SIDE[kind]
    with _open(data) as im:
        if fmt == "JPEG":
            _draft(im, max_side)
        im.load()
        icc = im.info.get("icc_profile")  # colours, not personal data: kept
        img = ImageOps.exif_transpose(im, in_place=False) if _rotated(im) else im
        if max(img.size) > max_side:
            if img.mode in ("P", "1"):
                img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        if fmt == "JPEG" and img.mode not in ("L", "RGB"):
            img = img.convert("RGB")
        if fmt == "PNG" and img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            img = img.convert("RGBA")
        transparency = img.info.get("transparency") if fmt == "PNG" else None
        img.info = {}  # no EXIF, XMP, comments or text chunks follow the pixels
        out = io.BytesIO()
        params: dict = {"icc_profile": icc} if icc else {}
        if fmt == "JPEG":
            img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, **params)
        else:
            if transparency is not None:
                params["transparency"] = transparency
            img.save(out, "PNG", optimize=False, **params)
    content_type, ext = _FORMATS[fmt]
    return CleanImage(out.getvalue(), content_type, ext, img.width, img.height)


def _rotated(im: Image.Image) -> bool:
    """Whether EXIF orientation asks for a transpose (only then is a copy of the pixels made)."""
    try:
        return im.getexif().get(0x0112, 1) not in (None, 1)
    except Exception:  # a broken EXIF block: ignore the orientation, the block is dropped anyway
        return False


def check_upload(kind: str, data: bytes, limit: int) -> None:
    """The cheap checks done before any decoding: kind, empty file, size."""
    if kind not in KINDS:
        raise errors.field_error("kind", f"取值无效，可选值：{', '.join(KINDS)}", "上传类型无效")
    if not data:
        raise errors.field_error("file", "文件为空", "上传的文件为空")
    if kind == "photo":
        limit = min(limit, PHOTO_MAX_BYTES)
    if len(data) > limit:
        raise errors.PayloadTooLarge.field("file", "文件过大", f"文件过大，不能超过{limit // (1024 * 1024)}MB")


async def save_upload(deps, owner: Principal, kind: str, data: bytes, filename: str | None) -> dict:
    """Check, clean and store one uploaded photo or material for `owner`; returns the `uploads` row."""
    check_upload(kind, data, deps.config.max_upload_bytes)
    loop = asyncio.get_running_loop()
    if is_pdf(data):
        if kind != "material":
            raise _unsupported(kind)
        image = check_pdf(data)
    else:
        async with deps.decode_slots:  # a few decodes at once: each may take tens of MB
            image = await loop.run_in_executor(deps.executor, clean_image, data, kind)
    key = f"{secrets.token_hex(1)}/{secrets.token_hex(16)}{image.extension}"
    store = deps.upload_store
    await loop.run_in_executor(deps.executor, store.put, key, image.data, image.content_type)
    name = os.path.basename((filename or "").replace("\\", "/"))[:255] or None
    row = {"public_id": secrets.token_hex(16), "owner_id": owner.id, "kind": kind,
           "content_type": image.content_type, "storage_key": key,
           "original_name": name, "size": len(image.data), "width": image.width, "height": image.height,
           "sha256": hashlib.sha256(image.data).hexdigest(), "now": deps.clock()}
    try:
        res = await deps.db.execute(_INSERT, row)
    except BaseException:
        await loop.run_in_executor(deps.executor, store.delete, key)
        raise
    return {**row, "id": res.lastrowid}


def valid_file_id(file_id) -> bool:
    return isinstance(file_id, str) and _FILE_ID.fullmatch(file_id) is not None


async def get_upload(db, file_id: str) -> dict | None:
    """The `uploads` row for a wire file id, or None."""
    if not valid_file_id(file_id):
        return None
    return await db.fetchone(_BY_PUBLIC_ID, {"public_id": file_id})


async def owned_files(db_or_tx, owner_id: int, file_ids) -> dict[str, dict]:
    """The rows of those wire file ids that exist and belong to `owner_id` (others are left out: a
    caller refuses a reference that is missing here)."""
    wanted = sorted({f for f in file_ids if valid_file_id(f)})
    if not wanted:
        return {}
    rows = await db_or_tx.fetchall(sa.select(uploads.c.id, uploads.c.public_id, uploads.c.owner_id, uploads.c.kind,
                                             uploads.c.content_type).where(uploads.c.public_id.in_(wanted)))
    return {r["public_id"]: r for r in rows if r["owner_id"] == owner_id}


def _form_mentions(form: dict, file_id: str) -> bool:
    return form.get("photo_file_id") == file_id or any(
        m.get("file_id") == file_id for m in form.get("materials") or [] if isinstance(m, dict))


async def may_view(deps, principal: Principal, row: dict) -> bool:
    """The owner and administrators see a file; a staff member only through a record of their scope:
    a reviewer through an application of the owner that the reviewer may open (their org is on its
    route, as GET /applications/{id} decides) and whose form names the file; a window clerk through an
    appointment of the owner at one of their windows (the city window: all) that carries the file; venue
    staff the owner's current photo, within 10 minutes of an ok scan or check-in at their venue."""
    if row["owner_id"] == principal.id or principal.has("admin"):
        return True
    db, fid, owner = deps.db, row["public_id"], row["owner_id"]
    if principal.has("reviewer") and principal.org_id is not None:
        for app in await db.fetchall(_APPLICATIONS_WITH, {"owner": owner, "public_id": fid}):
            orgs = {s.get("org_id") for s in json.loads(app["route"] or "[]")}
            if principal.org_id in orgs and _form_mentions(json.loads(app["form"]), fid):
                return True
    if principal.has("window_staff"):
        rows = await db.fetchall(_APPOINTMENTS_WITH, {"owner": owner, "public_id": fid})
        if rows:
            from server.appointments.service import staff_scope  # appointments import this module

            scope = await staff_scope(db, principal)
            if any(scope.sees(r["window_id"]) and fid in json.loads(r["attachments"] or "[]") for r in rows):
                return True
    if principal.has("venue_staff") and principal.org_id is not None and row["kind"] == "photo":
        since = deps.clock() - VENUE_PHOTO_WINDOW
        if await db.fetchone(_RECENT_VENUE_VISIT, {"org": principal.org_id, "owner": owner, "since": since,
                                                   "upload_id": row["id"]}):
            return True
    return False


async def read_upload(deps, principal: Principal | None, file_id: str, exp: str | None = None,
                      sig: str | None = None) -> Served:
    """The stored file for a valid signed URL, or else for a caller who may see it; anything else is
    404 (a refusal would tell that the file exists), or 401 without a signature and without a login."""
    left = deps.upload_links.remaining(file_id, exp, sig) if valid_file_id(file_id) else None
    if left is None and principal is None:
        raise errors.Unauthorized()
    row = await get_upload(deps.db, file_id)
    if row is None or (left is None and not await may_view(deps, principal, row)):
        raise errors.NotFound("文件不存在")
    loop = asyncio.get_running_loop()
    data = await loop.run_in_executor(deps.executor, deps.upload_store.get, row["storage_key"])
    if data is None:
        raise errors.NotFound("文件不存在")
    name = None
    if row["content_type"] == PDF_TYPE:  # a download, never shown inline from our origin
        orig = row["original_name"] or ""
        name = orig if orig.lower().endswith(".pdf") else "材料.pdf"
    return Served(data, row["content_type"], left, name)


def public(row: dict, links) -> dict:
    """The wire form of an upload: its random id and a signed URL."""
    out = {"file_id": row["public_id"], "url": links.url(row["public_id"]), "content_type": row["content_type"]}
    if row.get("width"):
        out["width"], out["height"] = row["width"], row["height"]
    return out
