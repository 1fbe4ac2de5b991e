"""Inputs and outputs of the login endpoints (they also feed the OpenAPI document)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.core.validators import PHONE_RE

# ASCII digits only: a Unicode digit class would take "１" or "٩", which MariaDB's collation then equates with "1" and "9"
# (another person's account, or a fresh SMS past the per-phone limit).
SMS_CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)
CAPTCHA_CODE_RE = re.compile(r"[A-Za-z0-9]{1,16}", re.ASCII)


def is_phone(v: str) -> bool:
    """A mainland mobile number: exactly 11 ASCII digits starting 13–19."""
    return isinstance(v, str) and PHONE_RE.fullmatch(v) is not None


def _phone(v: str) -> str:
    v = v.strip()
    if not is_phone(v):
        raise ValueError("请输入正确的11位手机号")
    return v


def _sms_code(v: str) -> str:
    if not SMS_CODE_RE.fullmatch(v):
        raise ValueError("请输入6位数字验证码")
    return v


def _captcha_code(v: str | None) -> str | None:
    if not v:
        return None
    if not CAPTCHA_CODE_RE.fullmatch(v):
        raise ValueError("图形验证码格式不正确")
    return v


class In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class SmsSendIn(In):
    phone: str = Field(description="11位手机号")
    # employer_reg: the contact phone of an employer registration (server/employers)
    purpose: Literal["login", "bind", "employer_reg"] = "login"

    _p = field_validator("phone")(_phone)


class SmsSendOut(BaseModel):
    cooldown_seconds: int


class SmsLoginIn(In):
    phone: str
    code: str = Field(min_length=1, max_length=12)

    _p = field_validator("phone")(_phone)
    _c = field_validator("code")(_sms_code)


class UserOut(BaseModel):
    id: str
    name: str
    roles: list[str]
    phone_masked: str | None = None


class SessionOut(BaseModel):
    token: str
    expires_at: str
    user: UserOut


class PasswordLoginIn(In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    captcha_id: str | None = Field(default=None, max_length=128)
    captcha_code: str | None = Field(default=None, max_length=16)

    _c = field_validator("captcha_code")(_captcha_code)


class CaptchaOut(BaseModel):
    captcha_id: str
    image: str = Field(description="data:image/png;base64,…")


class ChangePasswordIn(BaseModel):
    old_password: str = Field(default="", max_length=128)
    new_password: str = Field(max_length=128)
    confirm_password: str = Field(max_length=128)


class MpLoginIn(In):
    code: str = Field(min_length=1, max_length=128, description="wx.login 返回的 code")


class MpLoginOut(BaseModel):
    token: str | None = None
    expires_at: str | None = None
    user: UserOut | None = None
    bind_required: bool | None = None
    bind_ticket: str | None = None


class MpPhoneLoginIn(In):
    login_code: str = Field(min_length=1, max_length=128)
    phone_code: str = Field(min_length=1, max_length=128)


class BindIn(In):
    bind_ticket: str = Field(min_length=1, max_length=128)
    phone: str
    code: str = Field(min_length=1, max_length=12)

    _p = field_validator("phone")(_phone)
    _c = field_validator("code")(_sms_code)


class OAuthStartQuery(In):
    next: str = Field(default="/h5/", max_length=512)


class OAuthCallbackQuery(In):
    code: str | None = Field(default=None, max_length=256)
    state: str = Field(min_length=1, max_length=128)


class OAuthExchangeIn(In):
    login_ticket: str = Field(min_length=1, max_length=128)


class JssdkQuery(In):
    url: str = Field(min_length=1, max_length=1024)


class JssdkOut(BaseModel):
    app_id: str
    timestamp: int
    nonce_str: str
    signature: str


class OrgOut(BaseModel):
    id: str
    name: str
    type: str


class MeOut(UserOut):
    org: OrgOut | None = None
    id_number_masked: str | None = None
    window_ids: list[str] | None = None
    sees_all_windows: bool | None = None
    venue_id: str | None = None
    card: dict | None = None
    has_password: bool = False
