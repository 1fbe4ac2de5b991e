"""HTTP for the WeChat logins and the JSSDK signature (API.md Auth). The logic is in wechat_service."""

from __future__ import annotations

from server.auth import schemas as s
from server.auth import wechat_service as service
from server.web.auth_policy import PUBLIC
from server.web.base import ApiHandler, endpoint

# The OAuth state is bound to the browser that started the flow by this cookie's nonce.
OAUTH_COOKIE = "wx_oauth_nonce"
OAUTH_COOKIE_PATH = "/api/v1/auth/wechat/oauth"


class MpLoginHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.MpLoginIn, response=s.MpLoginOut,
              summary="小程序登录（wx.login 的 code）；未绑定时返回绑定凭证")
    async def post(self):
        return await service.mp_login(self.deps, code=self.body_args.code, ip=self.client_ip)


class MpPhoneLoginHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.MpPhoneLoginIn, response=s.SessionOut,
              summary="小程序手机号快捷登录（getPhoneNumber），并绑定微信")
    async def post(self):
        b = self.body_args
        return await service.mp_phone_login(self.deps, login_code=b.login_code, phone_code=b.phone_code,
                                            ip=self.client_ip)


class BindHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.BindIn, response=s.SessionOut, summary="用短信验证码把微信绑定到手机号账号并登录")
    async def post(self):
        b = self.body_args
        return await service.bind(self.deps, bind_ticket=b.bind_ticket, phone=b.phone, code=b.code,
                                  ip=self.client_ip)


def _cookie_attrs(handler: ApiHandler) -> dict:
    return {"path": OAUTH_COOKIE_PATH, "httponly": True, "samesite": "Lax",
            "secure": handler.config.public_base_url.startswith("https://")}


class OAuthStartHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.OAuthStartQuery, status=302, produces="text/html",
              summary="H5 微信授权：跳转到微信授权页（state 与本浏览器绑定）")
    async def get(self):
        start = await service.oauth_start(self.deps, next_path=self.query_args.next)
        self.set_cookie(OAUTH_COOKIE, start.nonce, max_age=int(service.STATE_TTL.total_seconds()),
                        **_cookie_attrs(self))
        self.redirect(start.authorize_url)


class OAuthCallbackHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.OAuthCallbackQuery, status=302, produces="text/html",
              summary="H5 微信授权回调：校验 state，跳回 H5（已登录或绑定页）")
    async def get(self):
        q = self.query_args
        location = await service.oauth_callback(self.deps, code=q.code, state=q.state,
                                                nonce=self.get_cookie(OAUTH_COOKIE))
        self.clear_cookie(OAUTH_COOKIE, **_cookie_attrs(self))
        self.redirect(location)


class OAuthExchangeHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.OAuthExchangeIn, response=s.SessionOut,
              summary="H5 微信授权后用一次性登录凭证换取登录令牌")
    async def post(self):
        return await service.oauth_exchange(self.deps, login_ticket=self.body_args.login_ticket, ip=self.client_ip)


class JssdkHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.JssdkQuery, response=s.JssdkOut, summary="微信 JS-SDK 签名（仅限本站页面）")
    async def get(self):
        return await service.jssdk_config(self.deps, url=self.query_args.url)


ROUTES = [
    (r"/api/v1/auth/wechat/mp-login", MpLoginHandler),
    (r"/api/v1/auth/wechat/mp-phone-login", MpPhoneLoginHandler),
    (r"/api/v1/auth/wechat/bind", BindHandler),
    (r"/api/v1/auth/wechat/oauth", OAuthStartHandler),
    (r"/api/v1/auth/wechat/oauth/callback", OAuthCallbackHandler),
    (r"/api/v1/auth/wechat/oauth/exchange", OAuthExchangeHandler),
    (r"/api/v1/wechat/jssdk", JssdkHandler),
]
