"""The picture captcha shown after three failed password logins: drawn with Pillow."""

from __future__ import annotations

import base64
import io
import random
import secrets

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LENGTH = 4


def new_answer() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def draw(answer: str) -> str:
    """A 120×44 PNG as a data: URL."""
    rnd = random.Random(secrets.randbits(64))
    w, h = 120, 44
    img = Image.new("RGB", (w, h), (245, 247, 250))
    d = ImageDraw.Draw(img)
    for _ in range(6):
        d.line([(rnd.randint(0, w), rnd.randint(0, h)), (rnd.randint(0, w), rnd.randint(0, h))],
               fill=(rnd.randint(120, 200),) * 3, width=1)
    try:
        font = ImageFont.load_default(size=30)
    except TypeError:  # Pillow without FreeType
        font = ImageFont.load_default()
    for i, ch in enumerate(answer):
        glyph = Image.new("RGBA", (34, 40), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 0), ch, font=font,
                                   fill=(rnd.randint(10, 90), rnd.randint(30, 110), rnd.randint(90, 170)))
        glyph = glyph.rotate(rnd.randint(-25, 25), expand=False, resample=Image.BICUBIC)
        img.paste(glyph, (6 + i * 28 + rnd.randint(-2, 2), rnd.randint(0, 4)), glyph)
    for _ in range(120):
        d.point((rnd.randint(0, w - 1), rnd.randint(0, h - 1)), fill=(rnd.randint(90, 200),) * 3)
    img = img.filter(ImageFilter.SMOOTH)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
