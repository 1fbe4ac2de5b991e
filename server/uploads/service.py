"""Uploads (照片、材料): decode with Pillow under bomb limits, re-encode without metadata, store.

Only JPEG and PNG are accepted, decided by the bytes, never by the file name or the declared type.
Every image is decoded and re-encoded: EXIF (GPS, camera …), comments and text chunks are dropped,
EXIF orientation is applied to the pixels first. The file lands under `config.upload_dir` with a
random key; the client's file name is only kept in the row, never in a path.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import os
import secrets
import struct
import warnings
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from server import errors
from server.db.database import Query
from server.db.tables import uploads
from server.web.auth_policy import Principal

KINDS = ("photo", "material")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 MP: a phone camera photo fits, a decompression bomb does not
MAX_SIDE = {"photo": 1200, "material": 4096}  # longer side after re-encoding
JPEG_QUALITY = 88

# Pillow refuses > 2 × MAX_IMAGE_PIXELS itself and warns above it; the warning is an error here
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
# who may read an upload besides its owner: staff, and venue staff only the holder's photo
_STAFF_KINDS = {"window_staff": KINDS, "reviewer": KINDS, "admin": KINDS, "venue_staff": ("photo",)}

_INSERT = Query(uploads.insert().values(
    owner_id=sa.bindparam("owner_id"), kind=sa.bindparam("kind"), content_type=sa.bindparam("content_type"),
    storage_key=sa.bindparam("storage_key"), original_name=sa.bindparam("original_name"),
    size=sa.bindparam("size"), width=sa.bindparam("width"), height=sa.bindparam("height"),
    sha256=sa.bindparam("sha256"), created_at=sa.bindparam("now"),
))
_BY_ID = Query(sa.select(uploads).where(uploads.c.id == sa.bindparam("id")))


@dataclasses.dataclass(frozen=True)
class CleanImage:
    """An image decoded and re-encoded without metadata."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


class _Refused(Exception):
    """Raised in the worker thread; turned into a domain error on the event loop."""

    def __init__(self, error: errors.DomainError):
        self.error = error


def _too_many_pixels() -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(f"图片像素尺寸过大，不能超过{MAX_PIXELS // 10_000}万像素",
                                  details={"fields": {"file": "图片像素尺寸过大"}})


def _broken() -> errors.InvalidRequest:
    return errors.InvalidRequest("图片文件已损坏，无法读取", details={"fields": {"file": "图片文件已损坏"}})


def _unsupported() -> errors.UnsupportedMedia:
    return errors.UnsupportedMedia("只支持JPEG或PNG格式的图片", details={"fields": {"file": "只支持JPEG或PNG格式"}})


def clean_image(data: bytes, kind: str) -> CleanImage:
    """Decode, check, orient, downscale and re-encode an image (blocking: run it in the executor).
    Raises a domain error for anything that is not a sound JPEG/PNG of a sane size."""
    try:
        return _clean(data, kind)
    except _Refused as exc:
        raise exc.error from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise _unsupported() from None
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError, struct.error):
        # Pillow reports damaged files with a wide range of exceptions
        raise _broken() from None


def _open(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data), formats=tuple(_FORMATS))
    if im.width * im.height > MAX_PIXELS or im.width <= 0 or im.height <= 0:
        raise _Refused(_too_many_pixels())
    return im


def _clean(data: bytes, kind: str) -> CleanImage:
    with _open(data) as probe:
        fmt = probe.format
        probe.verify()  # checksums and structure, without decoding the pixels
    # verify() leaves the image unusable: open it again to decode
    with _open(data) as im:
        max_side = MAX_SIDE[kind]
        if fmt == "JPEG":
            im.draft(None, (max_side, max_side))  # decode big JPEGs at a reduced scale (cheap)
        im.load()
        icc = im.info.get("icc_profile")  # colours, not personal data: kept
        img = ImageOps.exif_transpose(im)
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


def _write_file(root: Path, key: str, data: bytes) -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # readers never see half a file


def _remove_file(root: Path, key: str) -> None:
    try:
        (root / key).unlink()
    except FileNotFoundError:
        pass


def _read_file(root: Path, key: str) -> bytes | None:
    try:
        return (root / key).read_bytes()
    except FileNotFoundError:
        return None


def check_upload(kind: str, data: bytes, limit: int) -> None:
    """The cheap checks done before any decoding: kind, empty file, size."""
    if kind not in KINDS:
        raise errors.InvalidRequest("上传类型无效", details={"fields": {"kind": f"取值无效，可选值：{', '.join(KINDS)}"}})
    if not data:
        raise errors.InvalidRequest("上传的文件为空", details={"fields": {"file": "文件为空"}})
    if kind == "photo":
        limit = min(limit, PHOTO_MAX_BYTES)
    if len(data) > limit:
        raise errors.PayloadTooLarge(f"文件过大，不能超过{limit // (1024 * 1024)}MB",
                                     details={"fields": {"file": "文件过大"}})


async def save_upload(deps, owner: Principal, kind: str, data: bytes, filename: str | None) -> dict:
    """Check, clean and store one uploaded image for `owner`; returns the `uploads` row values."""
    check_upload(kind, data, deps.config.max_upload_bytes)
    loop = asyncio.get_running_loop()
    image = await loop.run_in_executor(deps.executor, clean_image, data, kind)
    key = f"{secrets.token_hex(1)}/{secrets.token_hex(16)}{image.extension}"
    root = Path(deps.config.upload_dir)
    await loop.run_in_executor(deps.executor, _write_file, root, key, image.data)
    name = os.path.basename((filename or "").replace("\\", "/"))[:255] or None
    row = {"owner_id": owner.id, "kind": kind, "content_type": image.content_type, "storage_key": key,
           "original_name": name, "size": len(image.data), "width": image.width, "height": image.height,
           "sha256": hashlib.sha256(image.data).hexdigest(), "now": deps.clock()}
    try:
        res = await deps.db.execute(_INSERT, row)
    except BaseException:
        await loop.run_in_executor(deps.executor, _remove_file, root, key)
        raise
    return {**row, "id": res.lastrowid}


async def get_upload(db, file_id: str | int) -> dict | None:
    """The `uploads` row for an id as it appears on the wire (a string), or None."""
    try:
        ident = int(file_id)
    except (TypeError, ValueError):
        return None
    if not 0 < ident < 2**63:
        return None
    return await db.fetchone(_BY_ID, {"id": ident})


def may_view(principal: Principal, row: dict) -> bool:
    """The owner sees his files; window staff, reviewers and admins see all; venue staff see photos."""
    if row["owner_id"] == principal.id:
        return True
    return any(row["kind"] in _STAFF_KINDS.get(role, ()) for role in principal.roles)


async def read_upload(deps, principal: Principal, file_id: str) -> tuple[bytes, str]:
    """The stored bytes and content type of an upload the caller may see; anything else is 404
    (a refusal would tell that the file exists)."""
    row = await get_upload(deps.db, file_id)
    if row is None or not may_view(principal, row):
        raise errors.NotFound("文件不存在")
    loop = asyncio.get_running_loop()
    data = await loop.run_in_executor(deps.executor, _read_file, Path(deps.config.upload_dir), row["storage_key"])
    if data is None:
        raise errors.NotFound("文件不存在")
    return data, row["content_type"]


def public(row: dict) -> dict:
    """The wire form of an upload."""
    out = {"file_id": str(row["id"]), "url": f"/api/v1/uploads/{row['id']}", "content_type": row["content_type"]}
    if row.get("width"):
        out["width"], out["height"] = row["width"], row["height"]
    return out
