"""Demo rows for cards and applications (API.md "Demo data"): honor titles, 张三's active A card,
王五's disabled card, and 李四's complete draft with photo and materials, ready to submit."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import secrets

from PIL import Image, ImageDraw

from server.applications import materials as mats
from server.applications.service import protect_form
from server.cards import service as cards_service
from server.db.tables import applications, cards, holder_profiles, honor_titles, uploads
from server.demo_city import HOLDERS

HONOR_TITLES = [
    ("威海市乡村之星", "dept_agri"),
    ("威海市农业科技领军人才", "dept_agri"),
    ("威海市科技创新领军人才", "dept_sci"),
    ("威海市有突出贡献的中青年专家", "dept_sci"),
    ("威海市名医", "dept_health"),
    ("威海市卫生健康领军人才", "dept_health"),
]


def _portrait(seed: int) -> bytes:
    """A plain one-inch-photo stand-in (295×413 px): a silhouette on a blue background."""
    img = Image.new("RGB", (295, 413), (67, 142, 219))
    d = ImageDraw.Draw(img)
    tone = (240 - seed * 12, 205 - seed * 8, 180 - seed * 6)
    d.ellipse((92, 70, 203, 200), fill=tone)
    d.rounded_rectangle((40, 215, 255, 440), radius=90, fill=(40, 44, 52))
    d.polygon([(147, 215), (120, 300), (147, 330), (174, 300)], fill=(250, 250, 250))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def _document(title_lines: int) -> bytes:
    """A scanned-document stand-in: a white page with text-like bars and a red seal."""
    img = Image.new("RGB", (620, 860), (252, 252, 250))
    d = ImageDraw.Draw(img)
    d.rectangle((60, 60, 560, 90), fill=(60, 60, 60))
    for i in range(title_lines + 12):
        y = 140 + i * 40
        d.rectangle((60, y, 560 - (i * 37) % 180, y + 12), fill=(150, 150, 150))
    d.ellipse((400, 660, 540, 800), outline=(200, 30, 30), width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


async def _store(tx, deps, owner_id: int, kind: str, data: bytes, content_type: str, size: tuple,
                 name: str) -> tuple[int, str]:
    """Store a demo file; returns its internal id and its wire `file_id` (random, as every upload's)."""
    key = f"demo/{secrets.token_hex(16)}{'.jpg' if content_type == 'image/jpeg' else '.png'}"
    public_id = secrets.token_hex(16)
    await asyncio.get_running_loop().run_in_executor(deps.executor, deps.upload_store.put, key, data, content_type)
    ident = await tx.insert(uploads, dict(public_id=public_id, owner_id=owner_id, kind=kind, content_type=content_type,
                                          storage_key=key, original_name=name, size=len(data), width=size[0],
                                          height=size[1], sha256=hashlib.sha256(data).hexdigest(),
                                          created_at=deps.clock()))
    return ident, public_id


async def load(tx, ctx: dict, deps) -> None:
    now = deps.clock()
    orgs, accts = ctx["orgs"], ctx["accounts"]
    for name, dept in HONOR_TITLES:
        await tx.insert(honor_titles, dict(name=name, dept_org_id=orgs[dept]))
    today = (now + dt.timedelta(hours=8)).date()
    photos = {}
    for i, key in enumerate(("zhangsan", "lisi", "wangwu")):
        photos[key] = await _store(tx, deps, accts[key], "photo", _portrait(i), "image/jpeg", (295, 413), "一寸照片.jpg")
    zhang_emp = orgs["emp_wendeng_co"]
    for key, emp in (("zhangsan", zhang_emp), ("wangwu", orgs["emp_city_co"]), ("lisi", orgs["emp_city_co"])):
        await tx.insert(holder_profiles, dict(account_id=accts[key], employer_org_id=emp,
                                              photo_file_id=photos[key][0] if key != "lisi" else None,
                                              sync_version=0, updated_at=now))
    ctx["cards"] = {
        "zhangsan": await tx.insert(cards, dict(
            card_no="WH202400000001", holder_id=accts["zhangsan"], level="A", status="active",
            issued_at=cards_service.plus_years(today, -1), valid_until=cards_service.plus_years(today, 2),
            sync_version=0, version=1, created_at=now, updated_at=now)),
        "wangwu": await tx.insert(cards, dict(
            card_no="WH202300000002", holder_id=accts["wangwu"], level="B", status="disabled",
            issued_at=cards_service.plus_years(today, -2), valid_until=cards_service.plus_years(today, 1),
            status_reason="人才已调离本市，按规定停用", status_by="系统管理员", status_at=now,
            sync_version=0, version=2, created_at=now, updated_at=now)),
    }
    await cards_service.record_status_change(tx, card_id=ctx["cards"]["wangwu"], status="disabled",
                                             reason="人才已调离本市，按规定停用", actor="系统管理员", now=now)
    # 李四's complete draft: 市直 company + 威海市乡村之星 → 市农业农村局 → 初审 → 终审
    docs = []
    for kind, _, types in mats.MATERIALS:
        if "new" in types:
            _, fid = await _store(tx, deps, accts["lisi"], "material", _document(len(docs)), "image/png", (620, 860),
                               f"{mats.NAMES[kind]}.png")
            docs.append({"kind": kind, "file_id": fid})
    lisi_id = next(h[3] for h in HOLDERS if h[0] == "lisi")
    form = {
        "personal": {"name": "李四", "gender": "男", "ethnicity": "汉族", "birth_date": "1985-03-15",
                     "nationality": "中国", "native_place": "山东威海", "id_type": "resident_id", "id_number": lisi_id,
                     "phone": "13800000002", "email": "lisi@example.com", "residence": "威海市环翠区海滨北路88号"},
        "education": {"school": "中国农业大学", "major": "农业经济管理", "degree": "硕士研究生"},
        "employer": {"name": "威海市海洋科技发展有限公司", "association_code": "91371000MA3CITY01X",
                     "is_city_level": True, "district": "环翠区", "position": "技术总监"},
        "talent": {"category": "第三类", "title": "高级农艺师", "honor_title": "威海市乡村之星", "card_level": "B"},
        "history": [{"start": "2008-07", "end": "2015-06", "org": "威海市农业科学院", "role": "研究员"},
                    {"start": "2015-07", "end": "", "org": "威海市海洋科技发展有限公司", "role": "技术总监"}],
        "achievements": "主持海水稻示范种植项目，带动周边三个村增收；获威海市乡村之星称号。",
        "family": [],
        "materials": docs,
        "photo_file_id": photos["lisi"][1],
        "declaration_accepted": True,
    }
    stored = protect_form(form, deps.cipher, None)
    ctx["lisi_draft"] = await tx.insert(applications, dict(
        applicant_id=accts["lisi"], type="new", status="draft", form=json.dumps(stored, ensure_ascii=False),
        reviewed=False, version=1, created_at=now, updated_at=now, declaration_accepted_at=now))
