"""Demo employer (API.md v1.1): 威海某科技有限公司, 市直, 关联代码 WHKJ2026, its staff `demo_employer`;
no holder is linked yet, so the whole path (link → confirm → application → employer review) can be walked."""

from __future__ import annotations

from server.accounts.demo import demo_password_hash
from server.db.tables import accounts, employers, orgs

DEMO_CODE = "WHKJ2026"
DEMO_CREDIT_CODE = "91371000MA3WHKJ26N"  # a well-formed 统一社会信用代码 (check character N)


async def load(tx, ctx: dict, deps) -> None:
    now = deps.clock()
    city = ctx["orgs"]["city_hr"]
    org = await tx.insert(orgs, dict(code="emp_whkj", type="employer", name="威海某科技有限公司", district="环翠区",
                                     is_city_level=True, association_code=DEMO_CODE, fixed_route=False,
                                     created_at=now))
    ctx["orgs"]["emp_whkj"] = org
    await tx.insert(employers, dict(org_id=org, credit_code=DEMO_CREDIT_CODE, contact_name="钱芳",
                                    contact_phone="13800000010", status="active", approver_org_id=city,
                                    opinion="同意", decided_by="系统管理员", decided_at=now, version=1,
                                    created_at=now, updated_at=now))
    ctx["accounts"]["demo_employer"] = await tx.insert(accounts, dict(
        username="demo_employer", name="钱芳", roles="employer", org_id=org, password_hash=demo_password_hash(),
        password_changed_at=now, status="active", failed_logins=0, version=1, created_at=now, updated_at=now))
