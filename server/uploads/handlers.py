"""POST /api/v1/uploads (multipart `file`, `kind`) and GET /api/v1/uploads/{file_id}."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server import errors
from server.uploads import service
from server.web.auth_policy import LOGGED_IN, SIGNED_URL_OR_LOGGED_IN
from server.web.base import ApiHandler, Raw, endpoint


class UploadOut(BaseModel):
    file_id: str
    url: str
    content_type: str
    width: int | None = None
    height: int | None = None


class SignedQuery(BaseModel):
    # no format rules here: a malformed signature is no signature (the header rules apply), never a 400
    exp: str | None = Field(default=None, description="签名到期时间（unix秒），由接口返回的url给出")
    sig: str | None = Field(default=None, description="签名（十六进制HMAC），由接口返回的url给出")


class UploadsHandler(ApiHandler):
    @endpoint(LOGGED_IN, raw_body=True, status=201, response=UploadOut, idempotent=True,
              summary="上传照片或材料（multipart：file、kind=photo|material；照片JPEG/PNG，材料另可PDF）")
    async def post(self):
        ctype = self.request.headers.get("Content-Type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            raise errors.UnsupportedMedia("请以multipart/form-data格式上传文件")
        files = self.request.files.get("file") or []
        if not files:
            raise errors.field_error("file", "此项为必填项", "请选择要上传的文件")
        if len(files) > 1:
            raise errors.field_error("file", "一次只能上传一个文件")
        kind = self.get_body_argument("kind", "")
        row = await service.save_upload(self.deps, self.principal, kind, files[0].body, files[0].filename)
        return service.public(row, self.deps.upload_links)


class UploadHandler(ApiHandler):
    @endpoint(SIGNED_URL_OR_LOGGED_IN, query=SignedQuery, produces="*/*",
              summary="读取上传的文件：带有效签名（exp、sig，10分钟内有效）无需登录；否则本人及有权查看的工作人员可见，其他人返回404")
    async def get(self, file_id: str):
        q = self.query_args
        f = await service.read_upload(self.deps, self.principal, file_id, q.exp, q.sig)
        # a signed URL may be cached (privately) until it expires; a header-authorised answer is rechecked
        self.set_header("Cache-Control", f"private, max-age={f.max_age}" if f.max_age else "private, no-cache")
        self.set_header("X-Content-Type-Options", "nosniff")
        # opened directly (a new tab), a file is inert: no scripts, no plugins, an opaque origin
        self.set_header("Content-Security-Policy", "default-src 'none'; sandbox")
        return Raw(f.data, f.content_type, filename=f.download_name)


ROUTES = [
    (r"/api/v1/uploads", UploadsHandler),
    (r"/api/v1/uploads/(?P<file_id>[^/]+)", UploadHandler),
]
