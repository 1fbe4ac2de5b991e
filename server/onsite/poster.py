"""The venue guide poster (引导图, seed 002 §4.5.1): a printable A5 portrait PNG with the venue's name,
its services, the QR code of its signed check-in URL and short instructions in Chinese.

Chinese text needs a CJK font on the server. `find_cjk_font()` looks for one (fontconfig first, then
the usual paths of Debian's fonts-noto-cjk / fonts-wqy-zenhei / fonts-wqy-microhei / fonts-droid);
without one the poster is refused with POSTER_FONT_MISSING instead of printing empty boxes.
Drawing is CPU work: callers run `draw_poster` in the executor.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from server import errors

# A5 at 200 dpi (148 × 210 mm)
WIDTH, HEIGHT, DPI = 1166, 1654, 200
RED = (196, 30, 58)
DARK = (34, 34, 34)
GREY = (102, 102, 102)

KNOWN_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]

_found: str | None = None


def _fontconfig_cjk() -> list[str]:
    """Font files fontconfig says cover Chinese (empty when fontconfig is not installed)."""
    fc = shutil.which("fc-list")
    if not fc:
        return []
    try:
        out = subprocess.run([fc, ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    # prefer the sans faces people read on signs
    return sorted(files, key=lambda f: (not any(k in f.lower() for k in ("sans", "hei")), "bold" in f.lower(), f))


def find_cjk_font(candidates: list[str] | None = None) -> str | None:
    """The path of a font that renders Chinese, or None. A hit is remembered for the process."""
    global _found
    if candidates is None and _found and Path(_found).exists():
        return _found
    for path in candidates if candidates is not None else KNOWN_FONTS + _fontconfig_cjk():
        if Path(path).is_file() and _renders_chinese(path):
            if candidates is None:
                _found = path
            return path
    return None


def _renders_chinese(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 32)
    except OSError:
        return False
    # a font without the glyph draws the same "missing" box for any two characters
    return font.getmask("英").getbbox() is not None and bytes(font.getmask("英")) != bytes(font.getmask("卡"))


def _fit(draw: ImageDraw.ImageDraw, text: str, path: str, size: int, max_width: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, size)
    while size > 16 and draw.textlength(text, font=font) > max_width:
        size -= 2
        font = ImageFont.truetype(path, size)
    return font


def _centered(draw, y: int, text: str, font, fill) -> int:
    w = draw.textlength(text, font=font)
    draw.text(((WIDTH - w) / 2, y), text, font=font, fill=fill)
    box = draw.textbbox((0, y), text, font=font)
    return box[3]


def _qr_image(url: str, size: int) -> Image.Image:
    """The QR code at most `size` pixels wide, every module the same whole number of pixels (crisp print)."""
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=1)
    q.add_data(url)
    q.make(fit=True)
    q.box_size = max(1, size // (q.modules_count + 2 * q.border))
    return q.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def draw_poster(*, venue_name: str, service_names: list[str], url: str, code: str,
                font_path: str | None = None) -> bytes:
    """The poster as PNG bytes. Raises PosterFontMissing when no CJK font is installed."""
    font_path = font_path or find_cjk_font()
    if font_path is None:
        raise errors.PosterFontMissing()
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    d = ImageDraw.Draw(img)
    # header band
    d.rectangle((0, 0, WIDTH, 210), fill=RED)
    _centered(d, 48, "威海英才卡", ImageFont.truetype(font_path, 72), "white")
    _centered(d, 140, "人才服务绿色通道 · 现场服务", ImageFont.truetype(font_path, 40), (255, 228, 228))
    y = 260
    y = _centered(d, y, venue_name, _fit(d, venue_name, font_path, 64, WIDTH - 120), DARK) + 24
    services_line = "服务项目：" + ("、".join(service_names) if service_names else "现场服务")
    y = _centered(d, y, services_line, _fit(d, services_line, font_path, 40, WIDTH - 120), GREY) + 40
    # the QR code in a thin frame
    size = 680
    x0 = (WIDTH - size) // 2
    d.rounded_rectangle((x0 - 24, y - 24, x0 + size + 24, y + size + 24), radius=24, outline=RED, width=6)
    code_img = _qr_image(url, size)
    pad = (size - code_img.width) // 2
    img.paste(code_img, (x0 + pad, y + pad))
    y += size + 70
    steps = [
        "① 请使用微信扫一扫，扫描上方二维码",
        "② 登录后页面显示“签到成功”、实时时钟和校验码",
        "③ 请向工作人员出示该页面，核对照片与校验码",
    ]
    font = ImageFont.truetype(font_path, 38)
    left = 130
    for line in steps:
        d.text((left, y), line, font=font, fill=DARK)
        y += 64
    y += 20
    d.line((100, y, WIDTH - 100, y), fill=(220, 220, 220), width=2)
    note = ImageFont.truetype(font_path, 28)
    _centered(d, y + 24, "仅限本人持有效英才卡使用 · 每次使用均有记录", note, GREY)
    _centered(d, HEIGHT - 110, "威海市人力资源和社会保障局", ImageFont.truetype(font_path, 34), DARK)
    _centered(d, HEIGHT - 60, f"场所编码 {code}", ImageFont.truetype(font_path, 20), (160, 160, 160))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True, dpi=(DPI, DPI))
    return buf.getvalue()
