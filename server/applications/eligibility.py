"""Which card level a person qualifies for (一键测试, seed 004), by the rules submission applies.

One set of rules, two callers: the anonymous self-test (`POST /api/v1/eligibility/check`) and the
submission of a `new` or `change` application, which is refused when the level applied for is not
among the levels the form qualifies for. The review route shown by the self-test is computed by
`routing.route_application`, the function submission uses.

Card levels (英才卡类别), highest first; a person may apply for the level they qualify for or a lower one:
- A (领军人才): a 正高级 title; or a city honor title together with a doctorate or a 副高级 title;
- B (拔尖人才): a city honor title (荣誉称号, recognised by its full name); or a doctorate; or a 副高级 title;
- C (青年人才): a master's degree; or a 中级 title; or a bachelor's degree at 35 or younger.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from server import errors
from server.applications.routing import FIXED_ROUTE_NAMES, route_application
from server.auth import ratelimit
from server.cards.service import LEVELS
from server.core.timeutil import today_cst
from server.db.tables import honor_titles

LEVEL_ZH = {"A": "A类（领军人才）", "B": "B类（拔尖人才）", "C": "C类（青年人才）"}
EDUCATION_ZH = {"doctor": "博士研究生", "master": "硕士研究生", "bachelor": "大学本科", "college": "大学专科", "other": "其他"}
TITLE_ZH = {"full_senior": "正高级", "senior": "副高级", "intermediate": "中级", "none": "无"}
YOUNG_BACHELOR_AGE = 35
# the self-test is anonymous: per IP, so it cannot be used to hammer the database
CHECK_IP_LIMIT = 60
CHECK_IP_WINDOW = dt.timedelta(minutes=10)

_FULL_SENIOR = ("教授", "研究员", "主任医师", "主任药师", "主任护师", "主任技师")
_INTERMEDIATE = ("工程师", "讲师", "主治医师", "农艺师", "经济师", "会计师", "审计师", "统计师", "主管护师", "主管药师",
                 "兽医师", "编辑", "记者")


def education_level(text: str | None) -> str:
    """学历学位 as typed in the form (or a code) → doctor / master / bachelor / college / other."""
    t = (text or "").strip()
    if t in EDUCATION_ZH:
        return t
    for word, level in (("博士", "doctor"), ("硕士", "master"), ("研究生", "master"), ("本科", "bachelor"),
                        ("学士", "bachelor"), ("专科", "college"), ("大专", "college")):
        if word in t:
            return level
    return "other"


def title_level(text: str | None) -> str:
    """职称 as typed (高级农艺师, 副教授, 正高级工程师 …) or a code → full_senior / senior / intermediate / none."""
    t = (text or "").strip()
    if t in TITLE_ZH:
        return t
    if not t or t in ("无", "没有", "以上均不具有"):
        return "none"
    if "正高" in t:
        return "full_senior"
    if "副" in t:
        return "senior"  # 副教授, 副研究员, 副主任医师, 副高级
    if any(w in t for w in _FULL_SENIOR):
        return "full_senior"
    if "高级" in t and "技师" not in t and "技工" not in t:  # 高级技师 is a skill grade, not a title
        return "senior"
    if "中级" in t or any(w in t for w in _INTERMEDIATE):
        return "intermediate"
    return "none"


@dataclasses.dataclass(frozen=True)
class Facts:
    education: str
    title: str
    honors: tuple[str, ...]          # recognised city honor titles
    unknown_honors: tuple[str, ...]  # typed but not found (abbreviations, typos)
    age: int | None


@dataclasses.dataclass(frozen=True)
class Verdict:
    levels: list[str]
    reasons: list[str]

    @property
    def eligible(self) -> bool:
        return bool(self.levels)


# (level, whether the facts meet it, why): a level's rules are looked at only while no higher level is met
_LEVEL_RULES: tuple[tuple[str, Callable[[Facts], bool], str], ...] = (
    ("A", lambda f: f.title == "full_senior", "具有正高级职称"),
    ("A", lambda f: bool(f.honors) and f.education == "doctor", "持有市级荣誉称号{honors}且具有博士研究生学历"),
    ("A", lambda f: bool(f.honors) and f.title == "senior", "持有市级荣誉称号{honors}且具有副高级职称"),
    ("B", lambda f: bool(f.honors), "持有市级荣誉称号{honors}"),
    ("B", lambda f: f.education == "doctor", "具有博士研究生学历"),
    ("B", lambda f: f.title == "senior", "具有副高级职称"),
    ("C", lambda f: f.education == "master", "具有硕士研究生学历"),
    ("C", lambda f: f.title == "intermediate", "具有中级职称"),
    ("C", lambda f: f.education == "bachelor" and f.age is not None and f.age <= YOUNG_BACHELOR_AGE,
     "具有大学本科学历且年龄在{young}周岁及以下"),
)


def card_levels(f: Facts) -> Verdict:
    """The rules (see the module docstring): the levels qualified for, highest first, and why."""
    reasons: list[str] = []
    honors = "、".join(f"「{h}」" for h in f.honors)
    for h in f.unknown_honors:
        reasons.append(f"未找到荣誉称号「{h}」，请填写荣誉称号全称（不要使用简称）")
    best: str | None = None
    for level, meets, why in _LEVEL_RULES:
        if (best is None or best >= level) and meets(f):
            best = level
            reasons.append(why.format(honors=honors, young=YOUNG_BACHELOR_AGE) + f"，符合{LEVEL_ZH[level]}条件")
    if best in (None, "C") and f.education == "bachelor":
        if f.age is None:
            reasons.append(f"大学本科学历须年龄在{YOUNG_BACHELOR_AGE}周岁及以下方可申领C类，请填写年龄")
        elif f.age > YOUNG_BACHELOR_AGE:
            reasons.append(f"大学本科学历申领C类须年龄在{YOUNG_BACHELOR_AGE}周岁及以下")
    levels = list(LEVELS[LEVELS.index(best):]) if best else []
    if not levels:
        reasons.append("暂不符合英才卡申领条件：C类至少需具有硕士研究生学历、中级职称，"
                       f"或{YOUNG_BACHELOR_AGE}周岁及以下的大学本科学历")
    return Verdict(levels, reasons)


async def _facts(db_or_tx, education: str | None, title: str | None, honors: list[str], age: int | None) -> Facts:
    typed = [h.strip() for h in honors if h and h.strip()]
    known: set[str] = set()
    if typed:
        rows = await db_or_tx.fetchall(sa.select(honor_titles.c.name).where(honor_titles.c.name.in_(typed)))
        known = {r["name"] for r in rows}
    return Facts(education_level(education), title_level(title), tuple(h for h in typed if h in known),
                 tuple(h for h in typed if h not in known), age)


def _age(birth_date: str | None, now: dt.datetime) -> int | None:
    try:
        born = dt.date.fromisoformat(birth_date or "")
    except ValueError:
        return None
    today = today_cst(now)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def check_form(tx, form: dict, now: dt.datetime) -> None:
    """Submission: the card level applied for must be one the form qualifies for (the self-test's rules)."""
    talent = form.get("talent") or {}
    facts = await _facts(tx, (form.get("education") or {}).get("degree"), talent.get("title"),
                         [talent.get("honor_title") or ""], _age((form.get("personal") or {}).get("birth_date"), now))
    verdict = card_levels(facts)
    wanted = talent.get("card_level")
    if wanted not in verdict.levels:
        allowed = "、".join(LEVEL_ZH[lv] for lv in verdict.levels) or "无"
        raise errors.LevelNotEligible.fields(
            {"talent.card_level": "所选类别超出可申领范围"},
            f"所填条件不符合申领{LEVEL_ZH.get(wanted, wanted)}英才卡的条件（可申领：{allowed}）",
            levels=verdict.levels, reasons=verdict.reasons)


async def self_test(deps, ip: str, *, education: str, title: str | None, honors: list[str], age: int | None,
                    employer_district: str | None, employer_is_city_level: bool, employer_name: str | None) -> dict:
    """一键测试: the levels the answers qualify for, why, and the departments that would review."""
    retry = await ratelimit.hit(deps.db, f"eligibility:{ip}", limit=CHECK_IP_LIMIT, window=CHECK_IP_WINDOW,
                                now=deps.clock())
    if retry is not None:
        raise errors.RateLimited(retry, f"测试过于频繁，请{max(retry // 60, 1)}分钟后再试")
    facts = await _facts(deps.db, education, title, honors, age)
    verdict = card_levels(facts)
    reasons = list(verdict.reasons)
    form = {"employer": {"name": employer_name, "is_city_level": employer_is_city_level,
                         "district": employer_district},
            "talent": {"honor_title": facts.honors[0] if facts.honors else ""}}
    stages: list[dict] = []
    if employer_is_city_level and not facts.honors and not _fixed(employer_name):
        reasons.append("市直单位的申请由主要依据荣誉称号的主管部门审核：请填写荣誉称号全称后查看审核部门")
    elif not employer_is_city_level and not employer_district and not _fixed(employer_name):
        reasons.append("选择单位所在地后可查看审核部门")
    else:
        try:
            stages = [{"name": s["name"], "org_name": s["org_name"]} for s in await route_application(deps.db, form)]
        except (errors.HonorTitleUnknown, errors.DistrictUnknown) as exc:
            reasons.append(exc.message)
    route: list[str] = []
    for s in stages:
        if s["org_name"] not in route:
            route.append(s["org_name"])
    return {"eligible": verdict.eligible, "levels": verdict.levels,
            "level_names": [LEVEL_ZH[lv] for lv in verdict.levels], "reasons": reasons, "route": route,
            "stages": stages, "education_level": EDUCATION_ZH[facts.education], "title_level": TITLE_ZH[facts.title]}


def _fixed(name: str | None) -> bool:
    return (name or "").strip() in FIXED_ROUTE_NAMES
