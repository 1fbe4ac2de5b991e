"""Applications to the seeds' depth (API v1.1): outcome messages, 诚信声明, 副卡, the honor-title picker."""

import json

import pytest
import sqlalchemy as sa

from server.db.tables import accounts, outbox, wechat_bindings
from tests.applications.test_api import act, applicant, lisi_draft, upload
from tests.onsite.helpers import scan

LISI = "13800000002"


async def sms_rows(deps, template=None):
    stmt = sa.select(outbox).where(outbox.c.channel == "sms", outbox.c.template.like("application_%"))
    if template:
        stmt = stmt.where(outbox.c.template == template)
    return await deps.db.fetchall(stmt.order_by(outbox.c.id))


async def deliver(deps):
    while await deps.relay.run_once():
        pass


async def submitted_lisi(api):
    lisi = await api.login_sms(LISI)
    app_id = (await lisi_draft(api, lisi))["id"]
    assert (await applicant(api, lisi, app_id, "submit")).status == 200
    return lisi, app_id


async def approve_all(api, app_id):
    agri = await api.login_password("agri_reviewer")
    city = await api.login_password("city_reviewer")
    assert (await act(api, agri, app_id, "approve")).status == 200
    assert (await act(api, city, app_id, "approve", "同意")).status == 200
    r = await act(api, city, app_id, "approve", "同意发卡")
    assert r.status == 200 and r.json["status"] == "approved", r
    return r.json


# --------------------------------------------------------------------------- 1. the applicant hears the outcome

async def test_return_sends_one_sms_readable_in_dev_sms(api, deps):
    lisi, app_id = await submitted_lisi(api)
    agri = await api.login_password("agri_reviewer")
    r = await act(api, agri, app_id, "return", "学历证书不清晰，请重新上传")
    assert r.status == 200
    rows = await sms_rows(deps)
    assert [(x["template"], x["recipient"]) for x in rows] == [("application_returned", LISI)]
    assert json.loads(rows[0]["params"])["acceptance_no"] == r.json["acceptance_no"]
    await deliver(deps)
    texts = [m["text"] for m in (await api.get(f"/api/v1/dev/sms?phone={LISI}")).json["items"]]
    assert any("需补正材料：学历证书不清晰，请重新上传" in t and r.json["acceptance_no"] in t for t in texts), texts


async def test_reject_sends_the_rejection(api, deps):
    _, app_id = await submitted_lisi(api)
    agri = await api.login_password("agri_reviewer")
    assert (await act(api, agri, app_id, "reject", "不符合申领条件")).status == 200
    assert [x["template"] for x in await sms_rows(deps)] == ["application_rejected"]
    await deliver(deps)
    texts = [m["text"] for m in (await api.get(f"/api/v1/dev/sms?phone={LISI}")).json["items"]]
    assert any("不予受理，原因：不符合申领条件" in t for t in texts), texts


async def test_only_the_final_approval_sends_and_names_the_card(api, deps):
    _, app_id = await submitted_lisi(api)
    agri = await api.login_password("agri_reviewer")
    assert (await act(api, agri, app_id, "approve")).status == 200
    assert await sms_rows(deps) == [], "a stage passed is not an outcome"
    done = await approve_all_from_first_review(api, app_id)
    rows = await sms_rows(deps)
    assert [x["template"] for x in rows] == ["application_approved"]
    assert json.loads(rows[0]["params"])["card_no"] == done["card_no"]
    await deliver(deps)
    texts = [m["text"] for m in (await api.get(f"/api/v1/dev/sms?phone={LISI}")).json["items"]]
    assert any("已审批通过" in t and done["card_no"] in t for t in texts), texts


async def approve_all_from_first_review(api, app_id):
    city = await api.login_password("city_reviewer")
    assert (await act(api, city, app_id, "approve", "同意")).status == 200
    r = await act(api, city, app_id, "approve", "同意发卡")
    assert r.status == 200 and r.json["status"] == "approved"
    return r.json


async def test_a_granted_wechat_subscription_gets_one_message(api, deps):
    lisi, app_id = await submitted_lisi(api)
    lid = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == LISI))
    now = deps.clock()
    await deps.db.execute(wechat_bindings.insert().values(app_id=deps.config.wechat_mp_app_id, openid="o-lisi",
                                                          account_id=lid, created_at=now, updated_at=now))
    assert (await api.post("/api/v1/me/wechat-subscriptions", {"template": "appointment_progress"}, token=lisi)).status == 200
    agri = await api.login_password("agri_reviewer")
    assert (await act(api, agri, app_id, "return", "请补充劳动合同")).status == 200
    rows = await deps.db.fetchall(sa.select(outbox).where(outbox.c.channel == "wechat_subscribe"))
    assert len(rows) == 1 and rows[0]["recipient"] == "o-lisi"
    params = json.loads(rows[0]["params"])
    assert params["status"] == "需补正" and params["page"] == f"pages/applications/detail?id={app_id}"


async def test_a_rolled_back_outcome_sends_nothing(api, deps):
    """The event written after the message fails (a database fault): the outcome and its SMS go together."""
    lisi, app_id = await submitted_lisi(api)
    if deps.db.dialect == "sqlite":
        await deps.db.execute(sa.text(
            "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'application.updated' "
            "BEGIN SELECT RAISE(ABORT, 'boom'); END"))
    else:
        await deps.db.execute(sa.text(
            "CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW BEGIN "
            "IF NEW.type = 'application.updated' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END IF; END"))
    agri = await api.login_password("agri_reviewer")
    r = await act(api, agri, app_id, "reject", "不符合申领条件")
    assert r.status in (500, 503)  # the fault (SQLite: an integrity error, MySQL: SIGNAL)
    assert await sms_rows(deps) == []
    await deps.db.execute(sa.text("DROP TRIGGER boom"))
    assert (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json["status"] == "submitted"


# --------------------------------------------------------------------------- 5. 申请须知 / 诚信声明

async def test_submit_requires_the_declaration_and_records_its_time(api, deps):
    lisi = await api.login_sms(LISI)
    draft = await lisi_draft(api, lisi)
    full = (await api.get(f"/api/v1/applications/{draft['id']}", token=lisi)).json
    assert full["declaration_accepted_at"]  # the demo draft was started with the declaration accepted
    form = {**full["form"], "declaration_accepted": False}
    r = await api.put(f"/api/v1/applications/{draft['id']}", {"form": form, "version": full["version"]}, token=lisi)
    assert r.status == 200 and r.json["declaration_accepted_at"] is None
    r = await applicant(api, lisi, draft["id"], "submit")
    assert r.status == 422 and r.code == "FORM_INCOMPLETE"
    assert "declaration_accepted" in r.json["error"]["details"]["fields"]
    form["declaration_accepted"] = True
    r = await api.put(f"/api/v1/applications/{draft['id']}", {"form": form, "version": r.json["error"]["details"].get(
        "version", full["version"] + 1)}, token=lisi)
    assert r.status == 200 and r.json["declaration_accepted_at"].endswith("+08:00")
    assert (await applicant(api, lisi, draft["id"], "submit")).status == 200


# --------------------------------------------------------------------------- 8. honor titles are chosen

async def test_honor_titles_are_listed_with_their_department(api):
    lisi = await api.login_sms(LISI)
    r = await api.get("/api/v1/honor-titles?q=乡村", token=lisi)
    assert r.status == 200
    assert {"title": "威海市乡村之星", "org_name": "威海市农业农村局"} in r.json["items"]
    assert all("乡村" in i["title"] for i in r.json["items"])
    everything = (await api.get("/api/v1/honor-titles", token=lisi)).json["items"]
    assert len(everything) > len(r.json["items"])
    assert (await api.get("/api/v1/honor-titles?q=%25", token=lisi)).json["items"] == []  # a literal %, not a wildcard
    assert (await api.get("/api/v1/honor-titles")).status == 401


# --------------------------------------------------------------------------- 2. 副卡

async def lisi_with_spouse_card(api):
    lisi = await api.login_sms(LISI)
    full = (await api.get(f"/api/v1/applications/{(await lisi_draft(api, lisi))['id']}", token=lisi)).json
    assert "family_id" not in [m["kind"] for m in full["missing_materials"]]
    form = full["form"]
    form["family"] = [{"name": "王芳", "relation": "配偶", "wants_card": True},
                      {"name": "李小明", "relation": "子女", "wants_card": False}]
    r = await api.put(f"/api/v1/applications/{full['id']}", {"form": form, "version": full["version"]}, token=lisi)
    assert r.status == 200, r
    # the 副卡 material is required as soon as one is asked for, not only at submit
    assert "family_id" in [m["kind"] for m in r.json["missing_materials"]]
    form["materials"].append({"kind": "family_id", "file_id": await upload(api, lisi, "material")})
    r = await api.put(f"/api/v1/applications/{full['id']}", {"form": form, "version": r.json["version"]}, token=lisi)
    assert r.status == 200 and r.json["missing_materials"] == []
    assert (await applicant(api, lisi, full["id"], "submit")).status == 200
    return lisi, full["id"]


async def test_dependent_card_issued_shown_scanned_and_following_the_main(api, deps):
    lisi, app_id = await lisi_with_spouse_card(api)
    done = await approve_all(api, app_id)
    card = (await api.get("/api/v1/me/card", token=lisi)).json
    assert card["card_no"] == done["card_no"]
    [dep] = card["dependents"]
    assert dep["relation"] == "配偶" and dep["name_masked"] == "王*" and dep["status"] == "active"
    assert dep["card_no"] != card["card_no"] and dep["level"] == card["level"]
    assert dep["valid_until"] == card["valid_until"]
    # the holder shows the dependent's code; a scan names the relation, not the main holder
    r = await api.post("/api/v1/me/card/qr", {"card_no": dep["card_no"]}, token=lisi)
    assert r.status == 200, r
    staff = await api.login_password("airport_staff")
    s = await scan(api, staff, r.json["token"])
    assert s.status == 200 and s.json["holder"]["relation"] == "配偶" and s.json["holder"]["name_masked"] == "王*"
    main_token = (await api.post("/api/v1/me/card/qr", token=lisi)).json["token"]
    assert (await scan(api, staff, main_token)).json["holder"]["relation"] is None
    # not another holder's cards, nor the main card by number
    zhang = await api.login_sms("13800000001")
    assert (await api.post("/api/v1/me/card/qr", {"card_no": dep["card_no"]}, token=zhang)).status == 404
    assert (await api.post("/api/v1/me/card/qr", {"card_no": card["card_no"]}, token=lisi)).status == 404
    # admin lists: kind and the main card's number
    admin = await api.login_password("admin")
    items = (await api.get(f"/api/v1/admin/cards?q={dep['card_no']}", token=admin)).json["items"]
    assert [(i["kind"], i["main_card_no"], i["relation"]) for i in items] == [("dependent", card["card_no"], "配偶")]
    items = (await api.get(f"/api/v1/admin/cards?q={card['card_no']}", token=admin)).json["items"]
    assert [(i["kind"], i["main_card_no"]) for i in items] == [("main", None)]
    import io

    import openpyxl
    r = await api.get(f"/api/v1/admin/cards/export.xlsx?q={dep['card_no']}", token=admin)
    rows = list(openpyxl.load_workbook(io.BytesIO(r.body)).active.values)
    assert rows[1][-4:] == ("副卡", card["card_no"], "王芳", "配偶")
    # disabling the main card disables the dependent; enabling it brings it back
    assert (await api.post(f"/api/v1/admin/cards/{card['card_no']}/disable", {"reason": "核查"}, token=admin)).status == 200
    assert (await api.get("/api/v1/me/card", token=lisi)).json["dependents"][0]["status"] == "disabled"
    r = await api.post("/api/v1/me/card/qr", {"card_no": dep["card_no"]}, token=lisi)
    assert r.status == 403 and r.code == "CARD_DISABLED"
    r = await api.post(f"/api/v1/admin/cards/{dep['card_no']}/enable", {}, token=admin)
    assert r.status == 409, "a dependent cannot be enabled while its main card is disabled"
    assert (await api.post(f"/api/v1/admin/cards/{card['card_no']}/enable", {}, token=admin)).status == 200
    assert (await api.get("/api/v1/me/card", token=lisi)).json["dependents"][0]["status"] == "active"


@pytest.mark.parametrize("wants", [False])
async def test_family_without_wants_card_gets_no_dependent(api, wants):
    lisi = await api.login_sms(LISI)
    full = (await api.get(f"/api/v1/applications/{(await lisi_draft(api, lisi))['id']}", token=lisi)).json
    form = full["form"]
    form["family"] = [{"name": "王芳", "relation": "配偶", "wants_card": wants}]
    r = await api.put(f"/api/v1/applications/{full['id']}", {"form": form, "version": full["version"]}, token=lisi)
    assert r.status == 200 and r.json["missing_materials"] == []
    assert (await applicant(api, lisi, full["id"], "submit")).status == 200
    await approve_all(api, full["id"])
    assert (await api.get("/api/v1/me/card", token=lisi)).json["dependents"] == []


# --------------------------------------------------------------------------- rough edges

async def test_withdraw_is_offered_only_while_it_can_work(api):
    lisi, app_id = await submitted_lisi(api)
    assert (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json["can_withdraw"] is True
    agri = await api.login_password("agri_reviewer")
    assert (await act(api, agri, app_id, "approve")).status == 200
    assert (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json["can_withdraw"] is False
    assert (await applicant(api, lisi, app_id, "withdraw")).status == 409


async def test_a_second_draft_is_refused_when_started(api):
    lisi, _ = await submitted_lisi(api)
    r = await api.post("/api/v1/applications", {"type": "new", "form": {}}, token=lisi)
    assert r.status == 409 and r.code == "APPLICATION_IN_PROGRESS"


async def test_a_rejected_application_is_declared_again_prefilled(api):
    lisi, app_id = await submitted_lisi(api)
    agri = await api.login_password("agri_reviewer")
    assert (await act(api, agri, app_id, "reject", "不符合申领条件")).status == 200
    old = (await api.get(f"/api/v1/applications/{app_id}", token=lisi)).json
    r = await api.post("/api/v1/applications", {"type": "new", "copy_of": app_id}, token=lisi)
    assert r.status == 201, r
    new = r.json
    assert new["id"] != app_id and new["status"] == "draft" and new["declaration_accepted_at"] is None
    assert new["form"]["personal"] == old["form"]["personal"] and new["form"]["materials"] == old["form"]["materials"]
    new = (await api.put(f"/api/v1/applications/{new['id']}", {"form": {**new["form"], "declaration_accepted": True},
                                                              "version": new["version"]}, token=lisi)).json
    r = await applicant(api, lisi, new["id"], "submit")
    assert r.status == 200, r  # the encrypted ID number came along: nothing to type again
    zhang = await api.login_sms("13800000001")
    assert (await api.post("/api/v1/applications", {"type": "renew", "copy_of": app_id}, token=zhang)).status == 404


async def test_only_a_finished_application_can_be_copied(api):
    lisi = await api.login_sms(LISI)
    draft = await lisi_draft(api, lisi)
    r = await api.post("/api/v1/applications", {"type": "new", "copy_of": draft["id"]}, token=lisi)
    assert r.status == 409 and r.code == "INVALID_TRANSITION"


async def test_exported_times_are_real_excel_date_times_in_china_time(api, deps):
    import datetime as dt
    import io

    import openpyxl

    admin = await api.login_password("admin")
    assert (await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": "核查"}, token=admin)).status == 200
    r = await api.get("/api/v1/admin/cards/export.xlsx?q=WH202400000001", token=admin)
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
    head, row = [c.value for c in ws[1]], list(ws[2])
    issued, status_at = row[head.index("发卡日期")], row[head.index("操作时间")]
    assert isinstance(issued.value, dt.datetime) and issued.number_format == 'yyyy"年"m"月"d"日"'
    assert isinstance(status_at.value, dt.datetime) and "hh:mm" in status_at.number_format
    # China time: the stored instant (UTC) plus eight hours
    stored = (await api.get("/api/v1/admin/cards?q=WH202400000001", token=admin)).json["items"][0]["status_at"]
    assert abs((status_at.value - dt.datetime.fromisoformat(stored).replace(tzinfo=None)).total_seconds()) < 1


async def test_a_pc_side_status_change_carries_the_dependents(api, deps, clock):
    """The PC side disables a main card by its versioned upsert: its 副卡 follow, as with the admin's button."""
    from server.cards.service import issue_card
    from server.db.tables import cards
    from tests.sync.test_api import Pc, card, holder

    pc = Pc(api, clock)
    assert (await pc.call("PUT", "/api/v1/sync/holders/PC-1001", holder(1))).status == 201
    assert (await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(1))).status in (200, 201)
    async with deps.db.transaction() as tx:
        main = await tx.fetchone(sa.select(cards).where(cards.c.card_no == "WH202600009999"))
        dep = await issue_card(tx, holder_id=main["holder_id"], level=main["level"], now=deps.clock(),
                               valid_until=main["valid_until"], main=main, member={"name": "钱芳", "relation": "配偶"})
    r = await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(2, status="disabled"))
    assert r.status == 200 and r.json == {"applied": True}
    status = lambda: deps.db.fetchval(sa.select(cards.c.status).where(cards.c.id == dep["id"]))  # noqa: E731
    assert await status() == "disabled"
    assert (await pc.call("PUT", "/api/v1/sync/cards/WH202600009999", card(3, status="active"))).json == {"applied": True}
    assert await status() == "active"


async def test_an_abbreviated_honor_title_is_refused_when_saved(api):
    lisi = await api.login_sms(LISI)
    full = (await api.get(f"/api/v1/applications/{(await lisi_draft(api, lisi))['id']}", token=lisi)).json
    form = full["form"]
    form["talent"]["honor_title"] = "乡村之星"
    r = await api.put(f"/api/v1/applications/{full['id']}", {"form": form, "version": full["version"]}, token=lisi)
    assert r.status == 422 and r.code == "HONOR_TITLE_UNKNOWN"
    assert "form.talent.honor_title" in r.json["error"]["details"]["fields"]
    r = await api.post("/api/v1/applications", {"type": "renew", "form": {"talent": {"honor_title": "名医"}}},
                       token=await api.login_sms("13800000001"))
    assert r.status == 422 and r.code == "HONOR_TITLE_UNKNOWN"
    form["talent"]["honor_title"] = "威海市名医"
    assert (await api.put(f"/api/v1/applications/{full['id']}", {"form": form, "version": full["version"]},
                          token=lisi)).status == 200
