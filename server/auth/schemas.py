"""Inputs and outputs of the login endpoints (they also feed the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.accounts.privacy import PHONE_RE


def _phone(v: str) -> str:
    v = v.strip()
    if not PHONE_RE.match(v):
        raise ValueError("请输入正确的11位手机号")
    return v


class In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class SmsSendIn(In):
    phone: str = Field(description="11位手机号")
    purpose: Literal["login", "bind"] = "login"

    _p = field_validator("phone")(_phone)


class SmsSendOut(BaseModel):
    cooldown_seconds: int


class SmsLoginIn(In):
    phone: str
    code: str = Field(min_length=1, max_length=12)

    _p = field_validator("phone")(_phone)


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
