"""Materials each application type requires (seed 001: attachment rules per card type)."""

from __future__ import annotations

# kind, Chinese name, the application types that require it
MATERIALS = [
    ("id_card", "身份证或护照", ("new", "renew", "replace", "change")),
    ("degree_cert", "学历学位证书", ("new",)),
    ("honor_cert", "荣誉称号证明材料", ("new",)),
    ("employment_proof", "劳动合同或在职证明", ("new", "renew")),
    ("title_cert", "职称证书", ()),
    ("loss_statement", "遗失或损坏情况说明", ("replace",)),
    ("change_proof", "变更事项证明材料", ("change",)),
    ("family_id", "（副卡）家属身份证明", ()),
    ("other", "其他材料", ()),
]
KINDS = {k for k, _, _ in MATERIALS}
NAMES = {k: n for k, n, _ in MATERIALS}
PHOTO_REQUIRED = ("new", "replace", "change")


def catalog() -> list[dict]:
    return [{"kind": k, "name": n, "required_for": list(t)} for k, n, t in MATERIALS]


def wants_dependent_card(form: dict) -> bool:
    """A family member is marked for a dependent card (副卡): its documents become required."""
    return any(isinstance(m, dict) and m.get("wants_card") for m in form.get("family") or [])


def missing_materials(app_type: str, form: dict) -> list[dict]:
    """What a submission of this type still lacks, as [{kind, name}]."""
    have = {m["kind"] for m in form.get("materials") or []}
    need = [k for k, _, types in MATERIALS if app_type in types]
    if wants_dependent_card(form):
        need.append("family_id")  # 副卡: the family members' identity documents
    out = [{"kind": k, "name": NAMES[k]} for k in need if k not in have]
    if app_type in PHOTO_REQUIRED and not form.get("photo_file_id"):
        out.insert(0, {"kind": "photo", "name": "一寸免冠照片"})
    return out
