"""The storage port of uploads: where the bytes of a stored file live.

Two stores speak the same three blocking calls (`put`, `get`, `delete`; the service runs them in the
executor, as every file or network I/O, so the event loop never waits on them):

- `LocalStore`: a directory (`UPLOAD_DIR`), the default. Fine for one host; a second host cannot
  read what the first one received.
- `S3Store`: an S3-compatible bucket (`UPLOAD_STORE=s3`: AWS S3, Aliyun OSS, MinIO …) through boto3,
  so every process on every host reads every file.

The wire form does not change with the store: a file is served by the server at its own signed URL
(`server/uploads/links.py`), whichever process answers, after the same access checks. The bucket
stays private; no presigned object-store URL is handed out.
"""

from __future__ import annotations

import os
from pathlib import Path

from server.ports import UploadStore


class LocalStore:
    """Files under one directory; a key is a relative path (`ab/<random>.jpg`)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        try:
            (self.root / key).unlink()
        except FileNotFoundError:
            pass


class S3Store:
    """Objects `<prefix><key>` in one bucket of an S3-compatible service.

    A PUT of an object is atomic (readers see the old object, none, or the whole new one). The client
    is thread-safe and keeps a connection pool, so the executor's threads share it."""

    def __init__(self, *, bucket: str, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 prefix: str = "", addressing_style: str = "auto", timeout: float = 10.0):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
            config=BotoConfig(s3={"addressing_style": addressing_style}, connect_timeout=timeout,
                              read_timeout=timeout, retries={"max_attempts": 3, "mode": "standard"},
                              max_pool_connections=16),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return None
        with obj["Body"] as body:
            return body.read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)  # absent: no error in S3


def open_store(config) -> UploadStore:
    """The store the configuration names (`UPLOAD_STORE`)."""
    if config.upload_store == "s3":
        return S3Store(bucket=config.s3_bucket, endpoint_url=config.s3_endpoint_url, region=config.s3_region,
                       access_key_id=config.s3_access_key_id, secret_access_key=config.s3_secret_access_key,
                       prefix=config.s3_prefix, addressing_style=config.s3_addressing_style)
    return LocalStore(config.upload_dir)
