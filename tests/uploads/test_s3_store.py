"""Uploads in an S3-compatible bucket (UPLOAD_STORE=s3): the store itself and the whole upload path,
against moto's S3 server on loopback (real HTTP, boto3 as in production)."""

from __future__ import annotations

import io
import uuid

import boto3
import pytest
import sqlalchemy as sa
from PIL import Image

from server.config import Config, ConfigError
from server.db.database import open_database
from server.db.tables import uploads
from server.deps import build_deps
from server.uploads.service import read_upload
from server.uploads.storage import LocalStore, S3Store, open_store
from tests.uploads.test_api import upload

moto_server = pytest.importorskip("moto.server")

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing-secret"}
REGION = "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    name = f"yck-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS).create_bucket(Bucket=name)
    return name


def _client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **KEYS)


def _store(endpoint, bucket, prefix=""):
    return S3Store(bucket=bucket, endpoint_url=endpoint, region=REGION, access_key_id=KEYS["aws_access_key_id"],
                   secret_access_key=KEYS["aws_secret_access_key"], prefix=prefix, addressing_style="path")


def _env(endpoint, bucket):
    return {"UPLOAD_STORE": "s3", "S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket, "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"], "S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
            "S3_ADDRESSING_STYLE": "path", "S3_PREFIX": "uploads/"}


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 80), (200, 40, 40)).save(buf, "JPEG")
    return buf.getvalue()


# --------------------------------------------------------------------------- the store alone (no database)


def test_put_get_delete_round_trip(s3_endpoint, bucket):
    store = _store(s3_endpoint, bucket, prefix="p/")
    store.put("ab/x.jpg", b"\xff\xd8bytes", "image/jpeg")
    assert store.get("ab/x.jpg") == b"\xff\xd8bytes"
    head = _client(s3_endpoint).head_object(Bucket=bucket, Key="p/ab/x.jpg")  # the prefix is applied
    assert head["ContentType"] == "image/jpeg"
    store.delete("ab/x.jpg")
    assert store.get("ab/x.jpg") is None


def test_a_missing_object_is_none_and_deleting_it_is_fine(s3_endpoint, bucket):
    store = _store(s3_endpoint, bucket)
    assert store.get("no/such.jpg") is None
    store.delete("no/such.jpg")


def test_a_missing_bucket_is_an_error_not_a_missing_file(s3_endpoint):
    """Misconfiguration must not look like "file not found" (404 to the user, silence for the operator)."""
    store = _store(s3_endpoint, "no-such-bucket-" + uuid.uuid4().hex[:8])
    with pytest.raises(Exception) as info:
        store.get("ab/x.jpg")
    assert "NoSuchBucket" in repr(info.value)


def test_the_configuration_chooses_the_store(s3_endpoint, bucket, tmp_path):
    assert isinstance(open_store(Config.from_env({"UPLOAD_DIR": str(tmp_path)})), LocalStore)
    cfg = Config.from_env(_env(s3_endpoint, bucket))
    cfg.check()
    store = open_store(cfg)
    assert isinstance(store, S3Store) and store.bucket == bucket and store.prefix == "uploads/"


@pytest.mark.parametrize("env, message", [
    ({"UPLOAD_STORE": "ftp"}, "UPLOAD_STORE"),
    ({"UPLOAD_STORE": "s3"}, "S3_BUCKET"),
    ({"UPLOAD_STORE": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE"),
])
def test_bad_store_settings_refuse_to_start(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env).check()


# --------------------------------------------------------------------------- the upload path over S3


@pytest.fixture
def config_overrides(s3_endpoint, bucket):
    return _env(s3_endpoint, bucket)


async def test_an_upload_lands_in_the_bucket_and_is_served_from_it(api, deps, s3_endpoint, bucket, tmp_path):
    token = await api.login_sms("13800000001")
    r = await upload(api, token, _jpeg())
    assert r.status == 201, r.body
    row = await deps.db.fetchone(sa.select(uploads).where(uploads.c.public_id == r.json["file_id"]))
    obj = _client(s3_endpoint).get_object(Bucket=bucket, Key="uploads/" + row["storage_key"])
    stored = obj["Body"].read()
    assert obj["ContentType"] == "image/jpeg"
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").rglob("*.jpg"))
    got = await api.get(r.json["url"])  # the server's own signed URL, no login
    assert got.status == 200 and got.body == stored


async def test_another_process_serves_what_this_one_received(api, deps, config, io_loop, tmp_path):
    """Two processes (two Deps, two executors, their own UPLOAD_DIR) share the database and the bucket:
    the second serves a photo the first one stored, as a second host would."""
    token = await api.login_sms("13800000001")
    r = await upload(api, token, _jpeg())
    assert r.status == 201
    other_cfg = Config.from_env({"APP_ENV": "test",
                                 "DATABASE_URL": config.database_url, "UPLOAD_DIR": str(tmp_path / "elsewhere"),
                                 "OUTBOX_RELAY": "0", **_env(config.s3_endpoint_url, config.s3_bucket)})
    db = open_database(other_cfg.database_url, 2)
    other = build_deps(other_cfg, db, clock=deps.clock)
    try:
        exp, sig = r.json["url"].split("exp=")[1].split("&sig=")
        served = await read_upload(other, None, r.json["file_id"], exp, sig)
        assert served.content_type == "image/jpeg" and served.data.startswith(b"\xff\xd8")
    finally:
        await db.close()
        other.executor.shutdown(wait=False)
