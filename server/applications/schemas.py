"""The card application form (SPEC §3; seeds 000, 001, 003) and the review inputs.

Drafts may be incomplete, so every form field is optional here; `missing_fields` says what a
submission still lacks. ID numbers are accepted in clear text and never stored or shown that way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from server.core.privacy import normalize_id_number
from server.core.rules import Needs, RuledModel
from server.core.validators import PHONE_RE, Day, IdStr, check_code, check_id_number

S = lambda n: Field(default=None, max_length=n)  # noqa: E731


class Part(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


def _check_id(v: str | None, id_type: str | None = "resident_id") -> str | None:
    if v is None or v == "":
        return None
    v = normalize_id_number(v)
    if "*" in v:  # the masked value sent back unchanged: keep what is stored
        return v
    return check_id_number(v, id_type)


class Personal(Part):
    name: str | None = S(32)
    gender: Literal["男", "女"] | None = None
    ethnicity: str | None = S(16)
    birth_date: Day | None = None
    nationality: str | None = S(32)
    native_place: str | None = S(64)
    id_type: Literal["resident_id", "passport", "hk_macao_pass", "taiwan_pass", "foreign_permit"] | None = None
    id_number: str | None = S(32)
    phone: str | None = S(20)
    email: str | None = S(64)
    residence: str | None = S(128)

    @field_validator("id_number")
    @classmethod
    def _id(cls, v, info: ValidationInfo):
        # the document type (declared above, so already validated) decides the number's shape
        return _check_id(v, info.data.get("id_type"))

    @field_validator("phone")
    @classmethod
    def _phone(cls, v):
        if v and "*" not in v and not PHONE_RE.match(v):
            raise ValueError("请输入正确的11位手机号")
        return v or None

    @field_validator("email")
    @classmethod
    def _email(cls, v):
        if v and ("@" not in v or v.startswith("@") or v.endswith("@")):
            raise ValueError("邮箱格式不正确")
        return v or None


class Education(Part):
    school: str | None = S(64)
    major: str | None = S(64)
    degree: str | None = S(32)


class Employer(Part):
    name: str | None = S(128)
    # 单位关联代码 (seed 003): links the applicant to a registered employer
    association_code: str | None = S(64)

    _code = field_validator("association_code")(check_code)
    # 是否市直 / 单位所在地 decide the competent org (seed 002 §2.2.1)
    is_city_level: bool | None = None
    district: str | None = S(32)
    position: str | None = S(64)


class Talent(Part):
    category: str | None = S(32)
    title: str | None = S(64)
    # 主要依据荣誉称号: typed in full, never abbreviated
    honor_title: str | None = S(128)
    card_level: Literal["A", "B", "C"] | None = None


class HistoryItem(Part):
    start: str | None = S(16)
    end: str | None = S(16)
    org: str | None = S(128)
    role: str | None = S(64)


class FamilyMember(Part):
    name: str = Field(min_length=1, max_length=32)
    id_number: str | None = S(32)
    relation: Literal["配偶", "子女", "父母", "其他"]
    # 申领副卡 (seed 001): a dependent card for this member, issued with the main card
    wants_card: bool = False

    _id = field_validator("id_number")(_check_id)


class Material(Part):
    kind: str = Field(min_length=1, max_length=32)
    file_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="上传文件的file_id")


class ApplicationForm(Part):
    personal: Personal = Field(default_factory=Personal)
    education: Education = Field(default_factory=Education)
    employer: Employer = Field(default_factory=Employer)
    talent: Talent = Field(default_factory=Talent)
    history: list[HistoryItem] = Field(default_factory=list, max_length=30)
    achievements: str | None = Field(default=None, max_length=5000)
    family: list[FamilyMember] = Field(default_factory=list, max_length=10)
    materials: list[Material] = Field(default_factory=list, max_length=30)
    photo_file_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$", description="一寸照片的file_id")
    # 申请须知 / 诚信声明 accepted (the time is recorded on the application; submission requires it)
    declaration_accepted: bool = False


REQUIRED_FIELDS = {
    "personal.name": "请填写姓名",
    "personal.gender": "请选择性别",
    "personal.birth_date": "请填写出生日期",
    "personal.id_type": "请选择证件类型",
    "personal.id_number": "请填写证件号码",
    "personal.phone": "请填写手机号码",
    "education.degree": "请填写学历学位",
    "employer.name": "请填写工作单位",
    "employer.district": "请选择单位所在地",
    "talent.category": "请填写人才类别",
    "talent.honor_title": "请填写主要依据荣誉称号（全称）",
    "talent.card_level": "请选择申领的英才卡类别",
}


def missing_fields(form: dict) -> dict[str, str]:
    out = {}
    for path, msg in REQUIRED_FIELDS.items():
        section, field = path.split(".")
        part = form.get(section) or {}
        if part.get(field) in (None, "") and not (field == "id_number" and part.get("id_number_enc")):
            out[path] = msg
    if (form.get("employer") or {}).get("is_city_level") is None:
        out["employer.is_city_level"] = "请选择是否市直单位"
    return out


class NewApplicationIn(BaseModel):
    type: Literal["new", "renew", "replace", "change"]
    form: ApplicationForm = Field(default_factory=ApplicationForm)
    # 重新申报: start from one's own rejected or withdrawn application (its form is copied; `form` is ignored)
    copy_of: IdStr | None = None


class UpdateApplicationIn(BaseModel):
    form: ApplicationForm
    version: int = Field(ge=1)


class VersionIn(BaseModel):
    # every state-changing action sends the version it saw: 400 without it, 409 when stale
    version: int = Field(ge=1, description="客户端看到的版本号（过期返回409 VERSION_CONFLICT）")


class ReviewActionIn(RuledModel):
    rules = (Needs("opinion", "请填写审核意见", "退回或不予受理时请填写审核意见", when=("action", ("return", "reject"))),)

    action: Literal["approve", "return", "reject"]
    opinion: str = Field(default="", max_length=1000)
    version: int = Field(ge=1)
    # the final reviewer may set the card level (defaults to the one applied for)
    card_level: Literal["A", "B", "C"] | None = None


class MyApplicationsQuery(BaseModel):
    status: Literal["draft", "submitted", "correction_required", "publicizing", "approved", "rejected",
                    "withdrawn"] | None = None
    cursor: str | None = Field(default=None, max_length=20)
    limit: int = Field(default=20, ge=1, le=100)


class HonorTitlesQuery(BaseModel):
    q: str | None = Field(default=None, max_length=64, description="全称中包含的文字")

    @field_validator("q")
    @classmethod
    def _strip(cls, v):
        return (v or "").strip() or None


class ReviewQueueQuery(BaseModel):
    status: Literal["pending", "handled"] = "pending"
    cursor: str | None = Field(default=None, max_length=20)
    limit: int = Field(default=20, ge=1, le=100)


class EligibilityIn(BaseModel):
    """一键测试 (seed 004): answers as a person would give them; free text is read as the form's is."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    education: str = Field(min_length=1, max_length=32, description="学历学位：博士研究生、硕士研究生、大学本科、大学专科、其他")
    title: str | None = Field(default=None, max_length=64, description="职称：正高级、副高级、中级、无，或职称全称")
    honors: list[str] = Field(default_factory=list, max_length=5, description="荣誉称号全称，第一个为主要依据")
    age: int | None = Field(default=None, ge=16, le=100)
    employer_district: str | None = Field(default=None, max_length=32, description="单位所在地（区市）")
    employer_is_city_level: bool = Field(default=False, description="是否市直单位")
    employer_name: str | None = Field(default=None, max_length=128,
                                      description="单位名称（哈工大（威海）、山大（威海）直接由市人社局审核）")

    @field_validator("honors")
    @classmethod
    def _honors(cls, v: list[str]) -> list[str]:
        if any(len(h) > 128 for h in v):
            raise ValueError("荣誉称号不能超过128个字")
        return v


class PublicityQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=20)
    limit: int = Field(default=20, ge=1, le=100)


class ObjectionIn(RuledModel):
    rules = (Needs("opinion", "请填写异议内容"),)

    opinion: str = Field(min_length=1, max_length=1000, description="异议内容（退回终审环节重新审核）")
