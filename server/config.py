"""Every environment variable the server reads is read here, and nowhere else.

`Config.from_env()` builds the configuration; `Config.check()` refuses to start a production
server on the development defaults.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Development defaults. A production server refuses to start while any of these is in use.
DEV_SECRET_KEY = "dev-secret-key-change-me"
DEV_ID_ENCRYPTION_KEY = base64.b64encode(hashlib.sha256(b"dev-id-key").digest()).decode()
DEV_ID_HASH_KEY = "dev-id-hash-key-change-me"
DEV_SYNC_CLIENTS = "pc-demo:pc-demo-secret"
DEV_QR_KEYS = "k1:dev-qr-key-change-me"
DEV_UPLOAD_URL_KEY = "dev-upload-url-key-change-me"


class ConfigError(Exception):
    """Raised when the configuration cannot be used; the message is shown to the operator."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _pairs(raw: str) -> dict[str, str]:
    """Parse `key:secret,key2:secret2`."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, secret = part.partition(":")
        if not sep or not key or not secret:
            raise ConfigError(f"expected key:secret pairs separated by commas, got {part!r}")
        out[key] = secret
    return out


@dataclasses.dataclass
class Config:
    app_env: str = "dev"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'app.db'}"
    db_pool_size: int = 10
    # bounds the wait for a pooled connection and every statement: a hanging database costs a 503, not a hang
    db_timeout_seconds: float = 3.0
    secret_key: str = DEV_SECRET_KEY
    id_encryption_key: str = DEV_ID_ENCRYPTION_KEY
    id_hash_key: str = DEV_ID_HASH_KEY
    public_base_url: str = "http://127.0.0.1:8000"
    session_ttl_hours: int = 24 * 7
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    upload_dir: str = str(ROOT / "var" / "uploads")
    # HMAC key of the short-lived signed upload URLs (API.md v1.1)
    upload_url_key: str = DEV_UPLOAD_URL_KEY
    # image decodes running at once per process (each may take tens of MB)
    upload_decode_concurrency: int = 2
    trusted_proxy: bool = False
    # the peers whose X-Real-IP / X-Forwarded-For are believed when TRUSTED_PROXY is on (addresses or CIDRs)
    trusted_proxy_addresses: tuple[str, ...] = ("127.0.0.1", "::1")
    # on SIGTERM: how long in-flight requests may take to finish before the process exits anyway
    shutdown_grace_seconds: float = 20.0
    # where uploaded files live: "local" (UPLOAD_DIR) or "s3" (an S3-compatible bucket: S3, OSS, MinIO)
    upload_store: str = "local"
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_prefix: str = ""
    s3_addressing_style: str = "auto"  # "virtual" for Aliyun OSS, "path" for MinIO
    # /metrics from anywhere but a direct loopback connection needs `Authorization: Bearer <this>`
    metrics_token: str = ""
    log_level: str = "INFO"
    log_json: bool = True
    load_demo_data: bool = True
    # Messages
    sms_provider: str = "console"
    aliyun_access_key_id: str = ""
    aliyun_access_key_secret: str = ""
    aliyun_sms_region: str = "cn-hangzhou"
    aliyun_sms_endpoint: str = "dysmsapi.aliyuncs.com"
    aliyun_sms_protocol: str = "https"
    aliyun_sms_sign_name: str = "威海英才卡"
    aliyun_sms_templates: dict[str, str] = dataclasses.field(default_factory=dict)
    aliyun_sms_connect_timeout: int = 5
    aliyun_sms_read_timeout: int = 10
    sms_ip_hourly_limit: int = 30
    captcha_ip_limit: int = 30  # anonymous captchas per IP per 10 minutes
    # 公示 (seed 004): working days an approved application is publicly listed before its card issues; 0 = none
    publicity_days: int = 0
    outbox_relay: bool = True
    outbox_poll_seconds: float = 1.0
    # how long a relay holds a message it is sending; must exceed the provider's timeouts
    outbox_lease_seconds: int = 60
    # WeChat
    wechat_mp_app_id: str = "wx-demo-mp"
    wechat_mp_secret: str = "demo-mp-secret"
    wechat_oa_app_id: str = "wx-demo-oa"
    wechat_oa_secret: str = "demo-oa-secret"
    wechat_api_base: str = "https://api.weixin.qq.com/"
    wechat_open_base: str = "https://open.weixin.qq.com/"
    wechat_jssdk_hosts: tuple[str, ...] = ()
    # the mini-program's subscribe-message template for appointment progress (办理进度提醒)
    wechat_subscribe_template_id: str = "demo-appointment-progress"
    # Server-to-server and on-site
    sync_clients: dict[str, str] = dataclasses.field(default_factory=lambda: _pairs(DEV_SYNC_CLIENTS))
    qr_keys: dict[str, str] = dataclasses.field(default_factory=lambda: _pairs(DEV_QR_KEYS))
    qr_active_key: str = "k1"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def dev_routes(self) -> bool:
        return not self.is_production

    @classmethod
    def from_env(cls, env: dict | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        d = cls()
        app_env = env.get("APP_ENV", d.app_env)
        if app_env not in ("dev", "test", "production"):
            raise ConfigError(f"APP_ENV must be dev, test or production, got {app_env!r}")
        templates = {}
        for name in ("LOGIN", "APPOINTMENT_FEEDBACK", "RATING_INVITE", "WORK_ARRIVED", "SUPERVISION",
                     "APPLICATION_RETURNED", "APPLICATION_REJECTED", "APPLICATION_APPROVED"):
            value = env.get(f"ALIYUN_SMS_TEMPLATE_{name}")
            if value:
                templates[name.lower()] = value
        cfg = cls(
            app_env=app_env,
            host=env.get("HOST", d.host),
            port=_int(env, "PORT", d.port),
            database_url=env.get("DATABASE_URL") or d.database_url,
            db_pool_size=_int(env, "DB_POOL_SIZE", d.db_pool_size),
            db_timeout_seconds=_float(env, "DB_TIMEOUT_SECONDS", d.db_timeout_seconds),
            secret_key=env.get("SECRET_KEY", d.secret_key),
            id_encryption_key=env.get("ID_ENCRYPTION_KEY", d.id_encryption_key),
            id_hash_key=env.get("ID_HASH_KEY", d.id_hash_key),
            public_base_url=env.get("PUBLIC_BASE_URL", d.public_base_url).rstrip("/"),
            session_ttl_hours=_int(env, "SESSION_TTL_HOURS", d.session_ttl_hours),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", d.max_body_bytes),
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", d.max_upload_bytes),
            upload_dir=env.get("UPLOAD_DIR", d.upload_dir),
            upload_url_key=env.get("UPLOAD_URL_KEY", d.upload_url_key),
            upload_decode_concurrency=_int(env, "UPLOAD_DECODE_CONCURRENCY", d.upload_decode_concurrency),
            trusted_proxy=_bool(env.get("TRUSTED_PROXY"), d.trusted_proxy),
            trusted_proxy_addresses=tuple(
                a.strip() for a in env.get("TRUSTED_PROXY_ADDRESSES", ",".join(d.trusted_proxy_addresses)).split(",")
                if a.strip()
            ),
            shutdown_grace_seconds=float(_int(env, "SHUTDOWN_GRACE_SECONDS", int(d.shutdown_grace_seconds))),
            upload_store=env.get("UPLOAD_STORE", d.upload_store).strip().lower(),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", d.s3_endpoint_url),
            s3_bucket=env.get("S3_BUCKET", d.s3_bucket),
            s3_region=env.get("S3_REGION", d.s3_region),
            s3_access_key_id=env.get("S3_ACCESS_KEY_ID", d.s3_access_key_id),
            s3_secret_access_key=env.get("S3_SECRET_ACCESS_KEY", d.s3_secret_access_key),
            s3_prefix=env.get("S3_PREFIX", d.s3_prefix),
            s3_addressing_style=env.get("S3_ADDRESSING_STYLE", d.s3_addressing_style),
            metrics_token=env.get("METRICS_TOKEN", d.metrics_token),
            log_level=env.get("LOG_LEVEL", d.log_level).upper(),
            log_json=_bool(env.get("LOG_JSON"), d.log_json),
            load_demo_data=_bool(env.get("LOAD_DEMO_DATA"), app_env != "production"),
            sms_provider=env.get("SMS_PROVIDER", "aliyun" if app_env == "production" else "console"),
            aliyun_access_key_id=env.get("ALIYUN_ACCESS_KEY_ID", ""),
            aliyun_access_key_secret=env.get("ALIYUN_ACCESS_KEY_SECRET", ""),
            aliyun_sms_region=env.get("ALIYUN_SMS_REGION", d.aliyun_sms_region),
            aliyun_sms_endpoint=env.get("ALIYUN_SMS_ENDPOINT", d.aliyun_sms_endpoint),
            aliyun_sms_protocol=env.get("ALIYUN_SMS_PROTOCOL", d.aliyun_sms_protocol),
            aliyun_sms_sign_name=env.get("ALIYUN_SMS_SIGN_NAME", d.aliyun_sms_sign_name),
            aliyun_sms_templates=templates,
            aliyun_sms_connect_timeout=_int(env, "ALIYUN_SMS_CONNECT_TIMEOUT", d.aliyun_sms_connect_timeout),
            aliyun_sms_read_timeout=_int(env, "ALIYUN_SMS_READ_TIMEOUT", d.aliyun_sms_read_timeout),
            sms_ip_hourly_limit=_int(env, "SMS_IP_HOURLY_LIMIT", d.sms_ip_hourly_limit),
            captcha_ip_limit=_int(env, "CAPTCHA_IP_LIMIT", d.captcha_ip_limit),
            publicity_days=_int(env, "PUBLICITY_DAYS", d.publicity_days),
            outbox_relay=_bool(env.get("OUTBOX_RELAY"), d.outbox_relay),
            outbox_lease_seconds=_int(env, "OUTBOX_LEASE_SECONDS", d.outbox_lease_seconds),
            wechat_mp_app_id=env.get("WECHAT_MP_APP_ID", d.wechat_mp_app_id),
            wechat_mp_secret=env.get("WECHAT_MP_SECRET", d.wechat_mp_secret),
            wechat_oa_app_id=env.get("WECHAT_OA_APP_ID", d.wechat_oa_app_id),
            wechat_oa_secret=env.get("WECHAT_OA_SECRET", d.wechat_oa_secret),
            wechat_api_base=env.get("WECHAT_API_BASE", d.wechat_api_base),
            wechat_open_base=env.get("WECHAT_OPEN_BASE", d.wechat_open_base),
            wechat_jssdk_hosts=tuple(
                h.strip() for h in env.get("WECHAT_JSSDK_HOSTS", "").split(",") if h.strip()
            ),
            wechat_subscribe_template_id=env.get("WECHAT_SUBSCRIBE_TEMPLATE_ID", d.wechat_subscribe_template_id),
            sync_clients=_pairs(env.get("SYNC_CLIENTS", DEV_SYNC_CLIENTS)),
            qr_keys=_pairs(env.get("QR_KEYS", DEV_QR_KEYS)),
            qr_active_key=env.get("QR_ACTIVE_KEY", d.qr_active_key),
        )
        return cfg

    def check(self) -> None:
        """Refuse configurations that must never serve real users."""
        if not 0 <= self.publicity_days <= 60:
            raise ConfigError("PUBLICITY_DAYS must be between 0 and 60 (working days)")
        if self.qr_active_key not in self.qr_keys:
            raise ConfigError("QR_ACTIVE_KEY must name one of the keys in QR_KEYS")
        try:
            key = base64.b64decode(self.id_encryption_key, validate=True)
        except ValueError as exc:
            raise ConfigError("ID_ENCRYPTION_KEY must be base64") from exc
        if len(key) != 32:
            raise ConfigError("ID_ENCRYPTION_KEY must be 32 bytes, base64-encoded")
        if self.upload_decode_concurrency < 1:
            raise ConfigError("UPLOAD_DECODE_CONCURRENCY must be at least 1")
        if self.sms_provider not in ("console", "aliyun"):
            raise ConfigError("SMS_PROVIDER must be console or aliyun")
        if not 0 < self.db_timeout_seconds <= 60 or self.db_pool_size < 1:
            raise ConfigError("DB_TIMEOUT_SECONDS must be within (0, 60] and DB_POOL_SIZE at least 1")
        self._check_deploy()
        if not self.is_production:
            self._check_aliyun()
            return
        defaults = []
        if self.secret_key == DEV_SECRET_KEY:
            defaults.append("SECRET_KEY")
        if self.id_encryption_key == DEV_ID_ENCRYPTION_KEY:
            defaults.append("ID_ENCRYPTION_KEY")
        if self.id_hash_key == DEV_ID_HASH_KEY:
            defaults.append("ID_HASH_KEY")
        if "pc-demo-secret" in self.sync_clients.values():
            defaults.append("SYNC_CLIENTS")
        if any(v == "dev-qr-key-change-me" for v in self.qr_keys.values()):
            defaults.append("QR_KEYS")
        if self.upload_url_key == DEV_UPLOAD_URL_KEY:
            defaults.append("UPLOAD_URL_KEY")
        if self.wechat_mp_secret == "demo-mp-secret" or self.wechat_oa_secret == "demo-oa-secret":
            defaults.append("WECHAT_MP_SECRET/WECHAT_OA_SECRET")
        if defaults:
            raise ConfigError(
                "APP_ENV=production refuses to start with development secrets; set: "
                + ", ".join(defaults)
            )
        if len(self.secret_key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        if self.sms_provider == "console":
            raise ConfigError("SMS_PROVIDER=console is for development only")
        if self.database_url.startswith("sqlite"):
            raise ConfigError("production needs DATABASE_URL=mysql+aiomysql://…")
        self._check_aliyun()

    def _check_aliyun(self) -> None:
        """SMS_PROVIDER=aliyun needs its keys, the sign name and at least the login template code."""
        if self.sms_provider != "aliyun":
            return
        missing = [name for name, value in (
            ("ALIYUN_ACCESS_KEY_ID", self.aliyun_access_key_id),
            ("ALIYUN_ACCESS_KEY_SECRET", self.aliyun_access_key_secret),
            ("ALIYUN_SMS_SIGN_NAME", self.aliyun_sms_sign_name),
            ("ALIYUN_SMS_TEMPLATE_LOGIN", self.aliyun_sms_templates.get("login")),
        ) if not value]
        if missing:
            raise ConfigError("SMS_PROVIDER=aliyun needs: " + ", ".join(missing))
        if self.aliyun_sms_protocol not in ("http", "https"):
            raise ConfigError("ALIYUN_SMS_PROTOCOL must be http or https")
        if self.aliyun_sms_connect_timeout <= 0 or self.aliyun_sms_read_timeout <= 0:
            raise ConfigError("ALIYUN_SMS_CONNECT_TIMEOUT and ALIYUN_SMS_READ_TIMEOUT must be positive")
        if self.outbox_lease_seconds <= self.aliyun_sms_connect_timeout + self.aliyun_sms_read_timeout:
            # a send still in flight when its lease ends could be sent again by another relay
            raise ConfigError("OUTBOX_LEASE_SECONDS must exceed ALIYUN_SMS_CONNECT_TIMEOUT + ALIYUN_SMS_READ_TIMEOUT")

    def _check_deploy(self) -> None:
        """The upload store, the trusted proxies and the shutdown grace."""
        import ipaddress

        if self.upload_store not in ("local", "s3"):
            raise ConfigError("UPLOAD_STORE must be local or s3")
        if self.upload_store == "s3" and not self.s3_bucket:
            raise ConfigError("UPLOAD_STORE=s3 needs S3_BUCKET")
        if self.s3_addressing_style not in ("auto", "virtual", "path"):
            raise ConfigError("S3_ADDRESSING_STYLE must be auto, virtual or path")
        for a in self.trusted_proxy_addresses:
            try:
                ipaddress.ip_network(a, strict=False)
            except ValueError as exc:
                raise ConfigError(f"TRUSTED_PROXY_ADDRESSES: not an address or network: {a!r}") from exc
        if self.shutdown_grace_seconds < 0:
            raise ConfigError("SHUTDOWN_GRACE_SECONDS must not be negative")


def checked_from_env() -> Config | None:
    """A starting process's configuration, checked; None once the operator has been told what is wrong
    (the process then exits with status 2)."""
    try:
        config = Config.from_env()
        config.check()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return None
    return config
