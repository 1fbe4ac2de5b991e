"""Card applications (申领): drafts, submission with rule-based routing, review, progress.

Statuses (SPEC §3): draft → submitted (at stage k) → approved | correction_required | rejected;
withdrawn by the applicant before the first review action. Every change is one transaction with
its history row and its event; versions make concurrent reviewers safe (one wins, the other 409).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

import sqlalchemy as sa

from server import errors
from server.applications import eligibility, notify, prefill
from server.applications import materials as mats
from server.applications.routing import honor_titles_matching, route_application
from server.applications.schemas import missing_fields
from server.calendar import service as workcal
from server.cards import service as cards_service
from server.core.pagination import keyset_page
from server.core.privacy import mask_id_number, mask_phone
from server.core.timeutil import iso, to_cst, today_cst
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, application_actions, applications, cards, holder_profiles
from server.events import catalog as event
from server.events import log as events
from server.uploads import service as uploads_service

IN_PROGRESS = ("submitted", "correction_required")
# still open (one application at a time): under review, or approved and in its 公示 period
OPEN = (*IN_PROGRESS, "publicizing")
ACTION_ZH = {"submit": "提交申请", "resubmit": "补正后重新提交", "approve": "审核通过", "return": "退回补正",
             "reject": "不予受理", "withdraw": "撤回申请",
             "objection": "公示有异议，退回审核", "issue": "公示期满，发放英才卡"}
TYPE_ZH = {"new": "新办", "renew": "续办", "replace": "补办", "change": "变更"}
STATUS_ZH = {"draft": "草稿", "submitted": "正在审批", "correction_required": "材料补正", "approved": "审批通过",
             "rejected": "不予受理", "withdrawn": "已撤回", "publicizing": "公示中"}


# 公示 applies where a level is decided: a new card or a changed one (not renewals or replacements)
PUBLICIZED_TYPES = ("new", "change")


_GET = Query(sa.select(applications).where(applications.c.id == sa.bindparam("id")))
_GET_LOCK = Query(sa.select(applications).where(applications.c.id == sa.bindparam("id")).with_for_update())
_LOCK_APPLICANT = Query(sa.select(accounts.c.id).where(accounts.c.id == sa.bindparam("id")).with_for_update())
_OTHER_IN_PROGRESS = Query(sa.select(applications.c.id).where(
    applications.c.applicant_id == sa.bindparam("applicant_id"), applications.c.id != sa.bindparam("id"),
    sa.or_(*(applications.c.status == st for st in OPEN))).limit(1))
_ACTIONS = Query(sa.select(application_actions).where(application_actions.c.application_id == sa.bindparam("id"))
                 .order_by(application_actions.c.id))


# --------------------------------------------------------------------------- personal data in the form

def protect_form(form: dict, cipher, previous: dict | None) -> dict:
    """ID numbers are stored encrypted plus masked; a masked value sent back keeps the stored one."""
    previous = previous or {}
    personal = form.setdefault("personal", {})
    prev_personal = previous.get("personal") or {}
    _protect_id(personal, prev_personal, cipher)
    phone = personal.get("phone")
    if phone and "*" in phone:
        personal["phone"] = prev_personal.get("phone")
    prev_family = {(m.get("name"), m.get("relation")): m for m in previous.get("family") or []}
    for member in form.get("family") or []:
        _protect_id(member, prev_family.get((member.get("name"), member.get("relation"))) or {}, cipher)
    return form


def _protect_id(part: dict, prev: dict, cipher) -> None:
    value = part.pop("id_number", None)
    if value and "*" not in value:
        part["id_number_enc"] = cipher.encrypt(value)
        part["id_number_masked"] = mask_id_number(value)
        part["id_number_hash"] = cipher.lookup_hash(value)
    elif value and prev.get("id_number_enc"):
        for k in ("id_number_enc", "id_number_masked", "id_number_hash"):
            part[k] = prev.get(k)


def public_form(form: dict) -> dict:
    """The form as shown: ID numbers and phones masked, ciphertexts removed."""
    out = json.loads(json.dumps(form))
    for part in [out.get("personal") or {}, *(out.get("family") or [])]:
        part.pop("id_number_enc", None)
        part.pop("id_number_hash", None)
        part["id_number"] = part.pop("id_number_masked", None)
    personal = out.get("personal") or {}
    if personal.get("phone"):
        personal["phone"] = mask_phone(personal["phone"])
    return out


# --------------------------------------------------------------------------- views

def _stages(app: dict, actions: list[dict]) -> list[dict]:
    if app["status"] == "draft" or not app["route"]:
        return []
    route = json.loads(app["route"])
    last: dict[int, dict] = {}
    for a in actions:
        if a["action"] in ("approve", "return", "reject") and a["stage_index"] is not None:
            last[a["stage_index"]] = a
    submit = next((a for a in actions if a["action"] == "submit"), None)
    out = [{"name": "提交申请", "org_name": None, "state": "done", "actor_name": submit["actor_name"] if submit else None,
            "opinion": None, "at": iso(app["submitted_at"])}]
    k, status = app["stage_index"] or 0, app["status"]
    for i, st in enumerate(route):
        act = last.get(i)
        if status in ("approved", "publicizing") or i < k:
            state = "done"
        elif i == k:
            state = {"submitted": "current", "correction_required": "returned", "rejected": "rejected"}.get(status, "pending")
        else:
            state = "pending"
        show = act is not None and state in ("done", "returned", "rejected")
        out.append({"name": st["name"], "org_name": st["org_name"], "state": state,
                    "actor_name": act["actor_name"] if show else None,
                    "opinion": act["opinion"] if show else None, "at": iso(act["created_at"]) if show else None})
    if status == "publicizing" or app["publicity_starts_at"] is not None:
        out.append({"name": "公示", "org_name": None, "state": "current" if status == "publicizing" else "done",
                    "actor_name": None, "opinion": None, "at": iso(app["publicity_starts_at"]),
                    "ends_at": iso(app["publicity_ends_at"])})
    out.append({"name": "领卡", "org_name": None, "state": "done" if status == "approved" else "pending",
                "actor_name": None, "opinion": None, "at": iso(app["decided_at"]) if status == "approved" else None})
    return out


def _current_stage(app: dict) -> dict | None:
    if app["status"] == "publicizing":
        return {"index": None, "name": "公示", "org_name": None, "ends_at": iso(app["publicity_ends_at"])}
    if app["status"] not in IN_PROGRESS or not app["route"]:
        return None
    st = json.loads(app["route"])[app["stage_index"]]
    return {"index": app["stage_index"], "name": st["name"], "org_name": st["org_name"]}


def summary(app: dict) -> dict:
    form = json.loads(app["form"])
    return {"id": str(app["id"]), "type": app["type"], "type_name": TYPE_ZH[app["type"]], "status": app["status"],
            "status_name": STATUS_ZH[app["status"]], "acceptance_no": app["acceptance_no"], "version": app["version"],
            "applicant_name": (form.get("personal") or {}).get("name"),
            "current_stage": _current_stage(app), "submitted_at": iso(app["submitted_at"]),
            "updated_at": iso(app["updated_at"]), "created_at": iso(app["created_at"]),
            "declaration_accepted_at": iso(app.get("declaration_accepted_at")),
            # 撤回 works only before a reviewer acted: the page offers it only then
            "can_withdraw": app["status"] == "submitted" and not app["reviewed"]}


async def _files(db_or_tx, app: dict, form: dict, links) -> dict[str, dict]:
    """The files the form names, by file id: a signed URL and the content type, so the applicant's
    preview and the reviewer's zoom view load images as plain `<img src>` and offer PDFs as downloads
    (the form itself stays as it was sent)."""
    ids = [m.get("file_id") for m in form.get("materials") or [] if isinstance(m, dict)]
    ids.append(form.get("photo_file_id"))
    rows = await uploads_service.owned_files(db_or_tx, app["applicant_id"], ids)
    return {f: {"url": links.url(f), "content_type": r["content_type"]} for f, r in rows.items()}


async def full_view(db_or_tx, app: dict, links, card_no: str | None = None) -> dict:
    """The application with its stages, history and files (`card_no`: the caller already holds it)."""
    actions = await db_or_tx.fetchall(_ACTIONS, {"id": app["id"]})
    out = summary(app)
    out["form"] = public_form(json.loads(app["form"]))
    out["files"] = await _files(db_or_tx, app, out["form"], links)
    out["stages"] = _stages(app, actions)
    out["history"] = [{"action": a["action"], "action_name": ACTION_ZH.get(a["action"], a["action"]),
                       "actor_name": a["actor_name"], "opinion": a["opinion"], "at": iso(a["created_at"])}
                      for a in actions]
    out["missing_materials"] = mats.missing_materials(app["type"], json.loads(app["form"])) \
        if app["status"] in ("draft", "correction_required") else []
    if card_no is not None:
        out["card_no"] = card_no
    elif app["card_id"]:
        card = await db_or_tx.fetchone(sa.select(cards.c.card_no).where(cards.c.id == app["card_id"]))
        out["card_no"] = card["card_no"] if card else None
    return out


# --------------------------------------------------------------------------- applicant side

async def _check_type_precondition(db_or_tx, applicant_id: int, app_type: str) -> dict | None:
    card = await cards_service.holder_card(db_or_tx, applicant_id)
    if app_type == "new" and card is not None:
        raise errors.CardExists()
    if app_type != "new" and card is None:
        raise errors.CardRequired()
    return card


async def _check_files(tx, applicant_id: int, form: dict) -> None:
    """Every file the form names exists, is the applicant's own, and the photo is a photo."""
    ids = {m["file_id"]: m["kind"] for m in form.get("materials") or []}
    photo = form.get("photo_file_id")
    if photo:
        ids[photo] = "photo"
    bad = {m["kind"] for m in form.get("materials") or [] if m["kind"] not in mats.KINDS}
    if bad:
        msg = f"未知的材料类型：{', '.join(sorted(bad))}"
        raise errors.field_error("form.materials", msg, "材料类型无效")
    if not ids:
        return
    owned = await uploads_service.owned_files(tx, applicant_id, ids)
    for file_id, kind in ids.items():
        row = owned.get(file_id)
        if row is None:
            raise errors.field_error("form", f"附件{file_id}不存在或不属于您", "附件不存在或不属于您")
        if kind == "photo" and row["kind"] != "photo":
            raise errors.field_error("form.photo_file_id", "请上传照片", "一寸照片需以照片类型上传")


_COPYABLE = ("rejected", "withdrawn")


async def _check_honor_title(tx, form: dict) -> None:
    """The honor title is one of the routing table's full names, refused when the draft is saved, not
    only at submission (an abbreviation cannot be routed)."""
    title = ((form.get("talent") or {}).get("honor_title") or "").strip()
    if title and title not in {t["title"] for t in await honor_titles_matching(tx, title)}:
        raise errors.HonorTitleUnknown.fields({"form.talent.honor_title": "请从列表中选择荣誉称号全称"}, honor_title=title)


async def create_draft(deps, applicant_id: int, app_type: str, form: dict, copy_of: int | None = None) -> dict:
    """A new draft; with `copy_of` (重新申报) prefilled from the applicant's own rejected or withdrawn
    application, its stored form (encrypted ID numbers included) taken as it is."""
    now = deps.clock()
    await _check_type_precondition(deps.db, applicant_id, app_type)
    if copy_of is not None:
        old = await deps.db.fetchone(_GET, {"id": copy_of})
        if old is None or old["applicant_id"] != applicant_id:
            raise errors.NotFound("申请不存在")
        if old["status"] not in _COPYABLE:
            raise errors.InvalidTransition("只有不予受理或已撤回的申请可以重新申报")
        stored = json.loads(old["form"])
        stored["declaration_accepted"] = False  # the commitment is made anew for the new application
    else:
        # masked values the applicant got from the prefill (GET /me/application-prefill) keep its data
        known, _ = await prefill.prefill(deps.db, applicant_id)
        stored = protect_form(form, deps.cipher, known)
    async with deps.db.transaction() as tx:
        # said when the draft is started, not only at its submission
        if await tx.fetchone(_OTHER_IN_PROGRESS, {"applicant_id": applicant_id, "id": 0}):
            raise errors.ApplicationInProgress()
        await _check_honor_title(tx, stored)
        await _check_files(tx, applicant_id, stored)
        app_id = await tx.insert(applications, dict(
            applicant_id=applicant_id, type=app_type, status="draft", form=json.dumps(stored, ensure_ascii=False),
            reviewed=False, version=1, created_at=now, updated_at=now,
            declaration_accepted_at=now if stored.get("declaration_accepted") else None))
        app = await tx.fetchone(_GET, {"id": app_id})
        return await full_view(tx, app, deps.upload_links)


async def _own(tx, app_id: int, applicant_id: int, lock: bool = True) -> dict:
    app = await tx.fetchone(_GET_LOCK if lock else _GET, {"id": app_id})
    if app is None or app["applicant_id"] != applicant_id:
        raise errors.NotFound("申请不存在")
    return app


def _check_version(app: dict, version: int, view: dict | None = None) -> None:
    if version != app["version"]:
        raise errors.VersionConflict(details={"current": view or summary(app)})


async def update_form(deps, app_id: int, applicant_id: int, form: dict, version: int) -> dict:
    now = deps.clock()
    async with deps.db.transaction() as tx:
        app = await _own(tx, app_id, applicant_id)
        if version != app["version"]:
            raise errors.VersionConflict(details={"current": await full_view(tx, app, deps.upload_links)})
        if app["status"] not in ("draft", "correction_required"):
            raise errors.InvalidTransition("只有草稿或待补正的申请可以修改")
        stored = protect_form(form, deps.cipher, json.loads(app["form"]))
        await _check_honor_title(tx, stored)
        await _check_files(tx, applicant_id, stored)
        # the declaration's time is the first acceptance; unticking it withdraws the commitment
        accepted = (app["declaration_accepted_at"] or now) if stored.get("declaration_accepted") else None
        await tx.execute(applications.update().where(applications.c.id == app_id).values(
            form=json.dumps(stored, ensure_ascii=False), version=applications.c.version + 1, updated_at=now,
            declaration_accepted_at=accepted))
        return await full_view(tx, await tx.fetchone(_GET, {"id": app_id}), deps.upload_links)


async def delete_draft(deps, app_id: int, applicant_id: int) -> None:
    async with deps.db.transaction() as tx:
        app = await _own(tx, app_id, applicant_id)
        if app["status"] != "draft":
            raise errors.InvalidTransition("只能删除草稿")
        await tx.execute(applications.delete().where(applications.c.id == app_id))


def new_acceptance_no(now: dt.datetime) -> str:
    """`RC` + yyyyMMddHHmmss + 3 digits (seed 000: RC20170610105423143)."""
    return "RC" + to_cst(now).strftime("%Y%m%d%H%M%S") + f"{secrets.randbelow(1000):03d}"


async def submit(deps, app_id: int, applicant_id: int, actor_name: str, version: int) -> dict:
    """Submit a draft (routing it and numbering it) or resubmit after 补正 (same stage as before)."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        await tx.fetchone(_LOCK_APPLICANT, {"id": applicant_id})  # one submission at a time per person
        app = await _own(tx, app_id, applicant_id)
        _check_version(app, version)
        if app["status"] not in ("draft", "correction_required"):
            raise errors.InvalidTransition("该申请已提交，不能重复提交")
        if await tx.fetchone(_OTHER_IN_PROGRESS, {"applicant_id": applicant_id, "id": app_id}):
            raise errors.ApplicationInProgress()
        await _check_type_precondition(tx, applicant_id, app["type"])
        form = json.loads(app["form"])
        if app["declaration_accepted_at"] is None:
            raise errors.DeclarationRequired.fields({"declaration_accepted": "请阅读申请须知并勾选诚信声明"})
        missing = missing_fields(form)
        if missing:
            raise errors.FormIncomplete.fields(missing)
        if app["type"] in ("new", "change"):  # the level applied for, by the 一键测试 rules
            await eligibility.check_form(tx, form, now)
        lacking = mats.missing_materials(app["type"], form)
        if lacking:
            names = "、".join(m["name"] for m in lacking)
            raise errors.MaterialsMissing(f"申请材料不齐全，请补充：{names}", details={"missing": lacking})
        await _check_files(tx, applicant_id, form)
        if app["status"] == "draft":
            route = await route_application(tx, form, applicant_id)
            values = dict(route=json.dumps(route, ensure_ascii=False), stage_index=0, current_org_id=route[0]["org_id"],
                          submitted_at=now)
            action = "submit"
            for _ in range(10):
                no = new_acceptance_no(now)
                if await tx.fetchone(sa.select(applications.c.id).where(applications.c.acceptance_no == no)) is None:
                    values["acceptance_no"] = no
                    break
            else:  # pragma: no cover - 1000 numbers a second
                raise errors.ServiceUnavailable("受理编号繁忙，请稍后再试")
        else:
            route = json.loads(app["route"])
            values = dict(current_org_id=route[app["stage_index"]]["org_id"])
            action = "resubmit"
        try:
            await tx.execute(applications.update().where(applications.c.id == app_id).values(
                status="submitted", version=applications.c.version + 1, updated_at=now, **values))
        except IntegrityError as exc:  # a concurrent submission took the same acceptance number
            raise errors.SubmitConflict() from exc
        await tx.insert(application_actions, dict(application_id=app_id, action=action, stage_index=app["stage_index"],
                                                  org_id=None, actor_id=applicant_id, actor_name=actor_name,
                                                  opinion=None, created_at=now))
        app = await tx.fetchone(_GET, {"id": app_id})
        await events.record(tx, event.application_submitted(app), now=now)
        return await full_view(tx, app, deps.upload_links)


async def withdraw(deps, app_id: int, applicant_id: int, actor_name: str, version: int) -> dict:
    """Withdraw before the first review action (seed 004), from the version the applicant saw."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        app = await _own(tx, app_id, applicant_id)
        _check_version(app, version)
        if app["status"] != "submitted" or app["reviewed"]:
            raise errors.InvalidTransition("审核人员已开始办理，不能撤回", details={"current": summary(app)})
        prev_org = app["current_org_id"]
        await tx.execute(applications.update().where(applications.c.id == app_id).values(
            status="withdrawn", current_org_id=None, decided_at=now, version=applications.c.version + 1, updated_at=now))
        await tx.insert(application_actions, dict(application_id=app_id, action="withdraw", stage_index=app["stage_index"],
                                                  org_id=None, actor_id=applicant_id, actor_name=actor_name,
                                                  opinion=None, created_at=now))
        app = await tx.fetchone(_GET, {"id": app_id})
        await events.record(tx, event.application_withdrawn(app, left_org=prev_org), now=now)
        return await full_view(tx, app, deps.upload_links)


async def my_applications(db, applicant_id: int, status: str | None, cursor: int | None, limit: int) -> dict:
    stmt = sa.select(applications).where(applications.c.applicant_id == applicant_id) \
        .order_by(applications.c.id.desc()).limit(limit + 1)
    if status:
        stmt = stmt.where(applications.c.status == status)
    if cursor:
        stmt = stmt.where(applications.c.id < cursor)
    rows = await db.fetchall(stmt)
    return keyset_page(rows, limit, summary)


async def get_for(db, app_id: int, principal, links) -> dict:
    """The application for its applicant, reviewers of an org on its route, and administrators."""
    app = await db.fetchone(_GET, {"id": app_id})
    if app is None:
        raise errors.NotFound("申请不存在")
    allowed = app["applicant_id"] == principal.id or principal.has("admin")
    if not allowed and principal.has("reviewer", "employer") and app["route"]:
        allowed = principal.org_id in {s["org_id"] for s in json.loads(app["route"])}
    if not allowed:
        raise errors.NotFound("申请不存在")
    return await full_view(db, app, links)


# --------------------------------------------------------------------------- review side

async def review_queue(db, org_id: int | None, status: str, cursor: int | None, limit: int) -> dict:
    if org_id is None:
        return {"items": [], "next_cursor": None}
    if status == "pending":
        stmt = sa.select(applications).where(applications.c.current_org_id == org_id,
                                             applications.c.status == "submitted")
    else:
        acted = sa.select(application_actions.c.application_id).where(
            application_actions.c.org_id == org_id).distinct()
        stmt = sa.select(applications).where(applications.c.id.in_(acted))
    stmt = stmt.order_by(applications.c.id.desc()).limit(limit + 1)
    if cursor:
        stmt = stmt.where(applications.c.id < cursor)
    rows = await db.fetchall(stmt)
    return keyset_page(rows, limit, summary)


async def review(deps, app_id: int, principal, action: str, opinion: str, version: int,
                 card_level: str | None = None) -> dict:
    """approve / return / reject at the stage that belongs to the reviewer's org."""
    now = deps.clock()
    opinion = opinion.strip()  # given for return / reject: schemas.ReviewActionIn
    publicity_ends = None
    if action == "approve" and deps.config.publicity_days > 0:
        cal = await workcal.current(deps.db)
        publicity_ends = cal.add_working_time(now, deps.config.publicity_days, "working_days")
    async with deps.db.transaction() as tx:
        app = await tx.fetchone(_GET_LOCK, {"id": app_id})
        if app is None:
            raise errors.NotFound("申请不存在")
        route = json.loads(app["route"]) if app["route"] else []
        if principal.org_id is None or principal.org_id not in {s["org_id"] for s in route}:
            raise errors.NotFound("申请不存在")
        if version != app["version"]:
            raise errors.VersionConflict(details={"current": await full_view(tx, app, deps.upload_links)})
        if app["status"] != "submitted":
            raise errors.InvalidTransition("该申请当前不在审核中",
                                           details={"current": await full_view(tx, app, deps.upload_links)})
        if app["current_org_id"] != principal.org_id:
            raise errors.Forbidden("该申请当前不在本单位的审核环节")
        k = app["stage_index"]
        card_no = None
        values: dict = dict(reviewed=True, version=applications.c.version + 1, updated_at=now)
        outcome, card = action != "approve", None  # an approval is an outcome at the last stage only
        if action == "approve":
            if k + 1 < len(route):
                values.update(stage_index=k + 1, current_org_id=route[k + 1]["org_id"])
            else:
                level = card_level or (json.loads(app["form"]).get("talent") or {}).get("card_level") or "C"
                values.update(current_org_id=None, card_level=level)
                if publicity_ends is not None and app["type"] in PUBLICIZED_TYPES:
                    # 公示: the card issues when the period ends (server.applications.publicity)
                    values.update(status="publicizing", publicity_starts_at=now, publicity_ends_at=publicity_ends)
                else:
                    outcome = True
                    values.update(status="approved", decided_at=now)
                    card = await _fulfil(tx, app, level, now, principal.name)
                    values["card_id"], card_no = card["id"], card["card_no"]
        elif action == "return":
            values.update(status="correction_required")
        else:
            values.update(status="rejected", current_org_id=None, decided_at=now)
        await tx.execute(applications.update().where(applications.c.id == app_id).values(**values))
        await tx.insert(application_actions, dict(application_id=app_id, action=action, stage_index=k,
                                                  org_id=principal.org_id, actor_id=principal.id,
                                                  actor_name=principal.name, opinion=opinion or "同意",
                                                  created_at=now))
        app = {**app, **values, "version": app["version"] + 1}  # the row as written: no second read
        if outcome:  # the applicant hears it: SMS (+ WeChat where granted), committed with the outcome
            await notify.outcome(tx, deps, app, action, opinion or "同意", now, card["card_no"] if card else None)
        await events.record(tx, event.application_updated(app, acting_org=principal.org_id), now=now)
        return await full_view(tx, app, deps.upload_links, card_no=card_no)


async def _fulfil(tx, app: dict, card_level: str | None, now: dt.datetime, actor: str) -> dict:
    """Final approval: issue, renew, replace or change the card, and adopt the verified identity."""
    form = json.loads(app["form"])
    holder_id = app["applicant_id"]
    level = card_level or (form.get("talent") or {}).get("card_level") or "C"
    await _adopt_identity(tx, holder_id, form, now)
    card = await _fulfil_main(tx, app, form, level, now, actor)
    # 副卡: the family members marked for a dependent card, linked to the (new) main card
    await cards_service.issue_dependents(tx, card, form.get("family") or [], now)
    return card


async def _fulfil_main(tx, app: dict, form: dict, level: str, now: dt.datetime, actor: str) -> dict:
    holder_id = app["applicant_id"]
    current = None if app["type"] == "new" else await cards_service.holder_card(tx, holder_id)
    if current is None:
        return await cards_service.issue_card(tx, holder_id=holder_id, level=level, now=now)
    today = today_cst(now)
    if app["type"] == "replace":
        await cards_service.change_status(tx, {**current, "holder_id": holder_id}, status="disabled",
                                          reason="补办新卡，原卡作废", actor=actor, now=now)
        card = await cards_service.issue_card(tx, holder_id=holder_id, level=current["level"], now=now,
                                              valid_until=current["valid_until"])
        await cards_service.move_dependents(tx, current["id"], card["id"], now)
        return card
    values: dict = dict(version=cards.c.version + 1, updated_at=now)
    if app["type"] == "renew":
        base = max(today, current["valid_until"])
        values["valid_until"] = cards_service.plus_years(base, cards_service.VALIDITY_YEARS)
    else:  # change
        values["level"] = level
    await tx.execute(cards.update().where(cards.c.id == current["id"]).values(**values))
    card = await tx.fetchone(sa.select(cards).where(cards.c.id == current["id"]))
    await cards_service.follow_main(tx, card, now)
    await events.record(tx, event.card_updated(card, holder_id=holder_id), now=now)
    return card


async def _adopt_identity(tx, holder_id: int, form: dict, now: dt.datetime) -> None:
    """After final review the applicant's name, ID number and photo are the verified ones."""
    personal = form.get("personal") or {}
    values: dict = {"updated_at": now}
    if personal.get("name"):
        values["name"] = personal["name"]
    h = personal.get("id_number_hash")
    if personal.get("id_number_enc") and h:
        owner = await tx.fetchone(sa.select(accounts.c.id).where(accounts.c.id_number_hash == h))
        if owner is None or owner["id"] == holder_id:  # never steal another account's identity
            values.update(id_type=personal.get("id_type"), id_number_enc=personal["id_number_enc"],
                          id_number_masked=personal.get("id_number_masked"), id_number_hash=h)
    await tx.execute(accounts.update().where(accounts.c.id == holder_id).values(**values))
    photo = (await uploads_service.owned_files(tx, holder_id, [form.get("photo_file_id")])).get(form.get("photo_file_id"))
    if photo:
        res = await tx.execute(holder_profiles.update().where(holder_profiles.c.account_id == holder_id).values(
            photo_file_id=photo["id"], updated_at=now))  # updated_at always changes: 1 row when it exists
        if res.rowcount == 0:
            await tx.insert(holder_profiles, dict(account_id=holder_id, photo_file_id=photo["id"], sync_version=0,
                                                  updated_at=now))


async def application_prefill(db, applicant_id: int) -> dict:
    """`GET /api/v1/me/application-prefill`: the new form as the system already knows it, masked."""
    form, sources = await prefill.prefill(db, applicant_id)
    return {"form": public_form(form), "sources": sources}
