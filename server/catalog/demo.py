"""Demo catalog: services in all four categories, one window per district plus the city window
(every appointment service at every window), and the two on-site venues of API.md."""

from __future__ import annotations

import datetime as dt
import json

from server.db.tables import (
    accounts,
    appointment_history,
    appointments,
    services,
    venue_services,
    venues,
    window_services,
    window_staff,
    windows,
)
from server.demo_city import DISTRICT_CODES, DISTRICTS

# code, name, category, description, eligible levels, quota per year, step limits (hours)
SERVICES = [
    ("airport_vip", "机场贵宾通道", "onsite", "持卡人凭英才卡在威海国际机场商务贵宾区享受贵宾休息室、快速安检等服务。",
     "A,B", 12, None),
    ("medical_green", "就医绿色通道", "onsite", "持卡人在威海市立医院享受挂号、就诊、检查、取药优先服务。",
     "A,B,C", None, None),
    ("child_school", "子女入学", "appointment", "协调解决持卡人子女在本市义务教育阶段入学及转学事宜。",
     "A,B,C", None, {"submitted": 48, "accepted": 120, "prereviewed": 240}),
    ("spouse_job", "配偶就业", "appointment", "协助持卡人配偶在本市就业安置或推荐就业岗位。",
     "A,B", None, {"submitted": 48, "accepted": 120, "prereviewed": 240}),
    ("talent_housing", "人才住房", "appointment", "人才公寓租住、购房补贴等住房保障服务的预约受理。",
     "A,B,C", None, {"submitted": 48, "accepted": 168, "prereviewed": 336}),
    ("hukou", "落户服务", "appointment", "持卡人及其家属落户、迁移户口的预约办理。",
     "A,B,C", None, {"submitted": 24, "accepted": 72, "prereviewed": 120}),
    ("project_apply", "人才项目申报", "project", "各级人才工程、科技项目的申报咨询与材料预审。",
     "A,B,C", None, {"submitted": 72, "accepted": 168, "prereviewed": 336}),
    ("policy_consult", "政策咨询", "other", "人才政策解读、待遇兑现等咨询服务。",
     "A,B,C", None, {"submitted": 24, "accepted": 48, "prereviewed": 72}),
]

WINDOW_CONTACTS = {
    "环翠区": ("王芳", "0631-5201001", "环翠区新威路18号政务服务中心二楼"),
    "文登区": ("刘敏", "0631-8451002", "文登区昆嵛路55号政务服务中心三楼人才服务窗口"),
    "荣成市": ("李强", "0631-7561003", "荣成市成山大道1号政务服务中心一楼"),
    "乳山市": ("张静", "0631-6651004", "乳山市胜利街88号政务服务中心二楼"),
    "高区": ("赵磊", "0631-5681005", "高区火炬路213号创新创业基地"),
    "经区": ("孙涛", "0631-5981006", "经区海滨南路16号人才服务中心"),
    "临港区": ("周婷", "0631-3591007", "临港区江苏路6号政务服务大厅"),
    "南海新区": ("吴昊", "0631-8861008", "南海新区香水路1号便民服务中心"),
}


async def load(tx, ctx: dict, deps) -> None:
    now = deps.clock()
    orgs, accts = ctx["orgs"], ctx["accounts"]
    ids = {}
    for i, (code, name, cat, desc, levels, quota, limits) in enumerate(SERVICES):
        ids[code] = await tx.insert(services, dict(
            code=code, name=name, category=cat, description=desc, eligible_levels=levels, quota_per_year=quota,
            step_limits=json.dumps(limits) if limits else None, status="active", sort=i, created_at=now, updated_at=now))
    ctx["services"] = ids
    appointment_services = [ids[s[0]] for s in SERVICES if s[2] != "onsite"]
    wins = {}
    wins["city"] = await tx.insert(windows, dict(
        org_id=orgs["city_hr"], name="威海市人才服务中心（市级窗口）", district="环翠区", is_city=True,
        contact_name="陈静", phone="0631-5200000", address="环翠区青岛北路1号威海市民服务中心四楼",
        hours="工作日 9:00-12:00，13:30-17:00", status="active", created_at=now, updated_at=now))
    for d, code in zip(DISTRICTS, DISTRICT_CODES):
        contact, phone, address = WINDOW_CONTACTS[d]
        wins[code] = await tx.insert(windows, dict(
            org_id=orgs[f"hr_{code}"], name=f"{d}人才服务窗口", district=d, is_city=False, contact_name=contact,
            phone=phone, address=address, hours="工作日 9:00-12:00，13:30-17:00", status="active",
            created_at=now, updated_at=now))
    ctx["windows"] = wins
    await tx.insert_many(window_services, [{"window_id": w, "service_id": s}
                                           for w in wins.values() for s in appointment_services])
    await tx.insert_many(window_staff, [{"account_id": accts["wendeng_window"], "window_id": wins["wendeng"]},
                                        {"account_id": accts["city_window"], "window_id": wins["city"]}])
    ctx["venues"] = {
        "airport": await tx.insert(venues, dict(org_id=orgs["venue_airport"], name="威海国际机场商务贵宾区",
                                                type="airport", district="文登区", address="文登区大水泊镇威海国际机场航站楼二层",
                                                status="active", created_at=now, updated_at=now)),
        "hospital": await tx.insert(venues, dict(org_id=orgs["venue_hospital"], name="威海市立医院", type="hospital",
                                                 district="环翠区", address="环翠区和平路70号", status="active",
                                                 created_at=now, updated_at=now)),
    }
    await tx.insert_many(venue_services, [{"venue_id": ctx["venues"]["airport"], "service_id": ids["airport_vip"]},
                                          {"venue_id": ctx["venues"]["hospital"], "service_id": ids["medical_green"]}])


# the window clerks' mobiles receive "work arrived" and supervision SMS
STAFF_MOBILES = {"wendeng_window": "13900000101", "city_window": "13900000102"}


async def load_appointments(tx, ctx: dict, deps) -> None:
    """张三's completed, unrated 子女入学 appointment at the 文登区 window."""
    now = deps.clock()
    accts, wins, svc = ctx["accounts"], ctx["windows"], ctx["services"]
    for username, phone in STAFF_MOBILES.items():
        await tx.execute(accounts.update().where(accounts.c.id == accts[username]).values(phone=phone))
    start = now - dt.timedelta(days=6)
    appt = await tx.insert(appointments, dict(
        holder_id=accts["zhangsan"], service_id=svc["child_school"], window_id=wins["wendeng"], district="文登区",
        holder_name="张三", status="completed", content="孩子今年9月升入小学一年级，希望就近安排到文登区实验小学。",
        preferred_date=None, attachments="[]", deadline_at=None, version=4, created_at=start,
        updated_at=start + dt.timedelta(days=3), completed_at=start + dt.timedelta(days=3)))
    steps = [("submit", "张三", None, None, "submitted", 0),
             ("accept", "刘敏", "材料齐全，予以受理。", "submitted", "accepted", 1),
             ("prereview", "刘敏", "已与区教育局对接，符合就近入学条件。", "accepted", "prereviewed", 2),
             ("complete", "刘敏", "已安排至文登区实验小学一年级，请于8月25日前报到。", "prereviewed", "completed", 3)]
    for action, actor, opinion, frm, to, day in steps:
        await tx.insert(appointment_history, dict(
            appointment_id=appt, action=action, actor_id=accts["zhangsan" if action == "submit" else "wendeng_window"],
            actor_name=actor, opinion=opinion, from_status=frm, to_status=to,
            to_window_id=wins["wendeng"] if action == "submit" else None, created_at=start + dt.timedelta(days=day)))
