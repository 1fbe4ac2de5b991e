"""POST /api/v1/uploads (multipart `file`, `kind`) and GET /api/v1/uploads/{file_id}."""

from __future__ import annotations

from pydantic import BaseModel

from server import errors
from server.uploads import service
from server.web.auth_policy import LOGGED_IN
from server.web.base import ApiHandler, Raw, endpoint


class UploadOut(BaseModel):
    file_id: str
    url: str
    content_type: str
    width: int | None = None
    height: int | None = None


class UploadsHandler(ApiHandler):
    @endpoint(LOGGED_IN, raw_body=True, status=201, response=UploadOut, idempotent=True,
              summary="上传照片或材料（multipart：file、kind=photo|material；仅JPEG/PNG）")
    async def post(self):
        ctype = self.request.headers.get("Content-Type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            raise errors.UnsupportedMedia("请以multipart/form-data格式上传文件")
        files = self.request.files.get("file") or []
        if not files:
            raise errors.InvalidRequest("请选择要上传的文件", details={"fields": {"file": "此项为必填项"}})
        if len(files) > 1:
            raise errors.InvalidRequest("一次只能上传一个文件", details={"fields": {"file": "一次只能上传一个文件"}})
        kind = self.get_body_argument("kind", "")
        row = await service.save_upload(self.deps, self.principal, kind, files[0].body, files[0].filename)
        return service.public(row)


class UploadHandler(ApiHandler):
    @endpoint(LOGGED_IN, produces="image/*", summary="读取上传的文件（本人及工作人员可见，其他人返回404）")
    async def get(self, file_id: str):
        data, content_type = await service.read_upload(self.deps, self.principal, file_id)
        return Raw(data, content_type)


ROUTES = [
    (r"/api/v1/uploads", UploadsHandler),
    (r"/api/v1/uploads/(?P<file_id>[^/]+)", UploadHandler),
]
