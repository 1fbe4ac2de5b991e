"""The schema, as SQLAlchemy Core metadata. Alembic migrations own the real schema; this module is
what statements are built from, and a test checks that the two agree.

Conventions: ids are BIGINT auto-increment (strings on the wire); instants are naive UTC
DATETIME(6); booleans are small integers; JSON is stored as text.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Instant = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


MYSQL_OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def _id() -> sa.Column:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


orgs = sa.Table(
    "orgs",
    metadata,
    _id(),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    # city_hr | district_hr | city_dept | employer | venue
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("district", sa.String(32)),
    sa.Column("is_city_level", sa.Boolean, nullable=False, server_default=sa.false()),
    # 单位关联代码 (seed 003): how an applicant links to an employer
    sa.Column("association_code", sa.String(64), unique=True),
    # 哈工大（威海）/ 山大（威海）: applications go straight to the city HR bureau
    sa.Column("fixed_route", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_orgs_type_district", "type", "district"),
    **MYSQL_OPTS,
)

accounts = sa.Table(
    "accounts",
    metadata,
    _id(),
    sa.Column("username", sa.String(64), unique=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("phone", sa.String(20), unique=True),
    # comma-separated roles: holder, window_staff, reviewer, venue_staff, admin
    sa.Column("roles", sa.String(128), nullable=False),
    sa.Column("org_id", BigId, sa.ForeignKey("orgs.id")),
    sa.Column("id_type", sa.String(16)),
    # AES-GCM ciphertext (nonce + ct + tag, base64) and keyed hash for look-up
    sa.Column("id_number_enc", sa.String(255)),
    sa.Column("id_number_hash", sa.String(64), unique=True),
    sa.Column("id_number_masked", sa.String(32)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("password_changed_at", Instant),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", Instant),
    # active | disabled
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    **MYSQL_OPTS,
)

sessions = sa.Table(
    "sessions",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    # sms | password | wechat_mp | wechat_oauth
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("expires_at", Instant, nullable=False),
    sa.Column("revoked_at", Instant),
    sa.Column("ip", sa.String(64)),
    # last use, written at most once a minute: staff sessions end after 2 hours idle
    sa.Column("last_seen_at", Instant),
    sa.Index("ix_sessions_expires", "expires_at"),
    **MYSQL_OPTS,
)

sms_codes = sa.Table(
    "sms_codes",
    metadata,
    _id(),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("expires_at", Instant, nullable=False),
    sa.Column("used_at", Instant),
    sa.Index("ix_sms_codes_phone_created", "phone", "created_at"),
    sa.Index("ix_sms_codes_ip_created", "ip", "created_at"),
    sa.Index("ix_sms_codes_created", "created_at"),
    **MYSQL_OPTS,
)

# Short-lived single-use secrets: captchas, OAuth states, bind tickets, OAuth login tickets.
auth_tickets = sa.Table(
    "auth_tickets",
    metadata,
    _id(),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("expires_at", Instant, nullable=False),
    sa.Column("used_at", Instant),
    sa.Index("ix_auth_tickets_expires", "expires_at"),
    **MYSQL_OPTS,
)

wechat_bindings = sa.Table(
    "wechat_bindings",
    metadata,
    _id(),
    sa.Column("app_id", sa.String(64), nullable=False),
    sa.Column("openid", sa.String(64), nullable=False),
    sa.Column("unionid", sa.String(64)),
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    # the mini-program session_key, encrypted; it never leaves the server
    sa.Column("session_key_enc", sa.String(255)),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.UniqueConstraint("app_id", "openid"),
    **MYSQL_OPTS,
)

# Shared key-value store (wechatpy session storage: access_token, jsapi_ticket) for every process.
kv_store = sa.Table(
    "kv_store",
    metadata,
    sa.Column("k", sa.String(191), primary_key=True),
    sa.Column("v", sa.Text, nullable=False),
    sa.Column("expires_at", Instant),
    **MYSQL_OPTS,
)

# Fixed-window request counters (per-IP limits): one row per key, its window and the count in it,
# changed by one guarded UPDATE so racing requests cannot pass the limit together.
rate_counters = sa.Table(
    "rate_counters",
    metadata,
    sa.Column("k", sa.String(191), primary_key=True),
    sa.Column("window_start", Instant, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    **MYSQL_OPTS,
)

outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    # sms | wechat_subscribe
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("recipient", sa.String(64), nullable=False),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    # pending | sent | dead
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", Instant, nullable=False),
    sa.Column("locked_by", sa.String(64)),
    sa.Column("locked_until", Instant),
    sa.Column("provider_response", sa.Text),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("sent_at", Instant),
    # set just before the provider is called, cleared when its answer is recorded: a row whose lease
    # ran out with it set is a send of unknown outcome (server/jobs/outbox.py)
    sa.Column("attempted_at", Instant),
    sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),
    sa.Index("ix_outbox_status_sent", "status", "sent_at"),
    **MYSQL_OPTS,
)

# What the console SMS provider "sent" (development only; read by /api/v1/dev/sms).
dev_sms = sa.Table(
    "dev_sms",
    metadata,
    _id(),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_dev_sms_phone_id", "phone", "id"),
    sa.Index("ix_dev_sms_created", "created_at"),
    **MYSQL_OPTS,
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    _id(),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("route", sa.String(128), nullable=False),
    sa.Column("idem_key", sa.String(128), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    # NULL while the first request is still running
    sa.Column("status_code", sa.Integer),
    sa.Column("response_body", LongText),
    sa.Column("created_at", Instant, nullable=False),
    sa.UniqueConstraint("scope", "route", "idem_key"),
    sa.Index("ix_idempotency_keys_created", "created_at"),
    **MYSQL_OPTS,
)

# --------------------------------------------------------------------------- cards and applications

# 荣誉称号 → the city department in charge of it (routing of 市直 applicants, SPEC §2)
honor_titles = sa.Table(
    "honor_titles",
    metadata,
    _id(),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("dept_org_id", BigId, sa.ForeignKey("orgs.id"), nullable=False),
    **MYSQL_OPTS,
)

# Holder profile fields that live beside the account: employer link and PC-side identity.
holder_profiles = sa.Table(
    "holder_profiles",
    metadata,
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), primary_key=True),
    # 单位关联代码 link (seed 003): the employer org the holder belongs to
    sa.Column("employer_org_id", BigId, sa.ForeignKey("orgs.id")),
    sa.Column("photo_file_id", BigId),
    # identity in the PC-side system and the version it last pushed
    sa.Column("external_id", sa.String(64), unique=True),
    sa.Column("sync_version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("extra", sa.Text),
    sa.Column("updated_at", Instant, nullable=False),
    **MYSQL_OPTS,
)

uploads = sa.Table(
    "uploads",
    metadata,
    _id(),
    # the wire `file_id`: 128 random bits in lowercase hex (sequential ids would be guessable; lowercase
    # because MySQL's default collation compares case-insensitively)
    sa.Column("public_id", sa.String(32), nullable=False, unique=True),
    sa.Column("owner_id", BigId, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    # photo | material
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("content_type", sa.String(32), nullable=False),
    sa.Column("storage_key", sa.String(128), nullable=False, unique=True),
    sa.Column("original_name", sa.String(255)),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer),
    sa.Column("height", sa.Integer),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    **MYSQL_OPTS,
)

applications = sa.Table(
    "applications",
    metadata,
    _id(),
    sa.Column("applicant_id", BigId, sa.ForeignKey("accounts.id"), nullable=False),
    # new | renew | replace | change
    sa.Column("type", sa.String(16), nullable=False),
    # draft | submitted | correction_required | publicizing | approved | rejected | withdrawn
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("form", LongText, nullable=False),
    sa.Column("acceptance_no", sa.String(32), unique=True),
    # the review route decided at submission: JSON list of {key, name, org_id, org_name}
    sa.Column("route", sa.Text),
    sa.Column("stage_index", sa.Integer),
    # the org whose reviewers act now (the review queue reads this)
    sa.Column("current_org_id", BigId, sa.ForeignKey("orgs.id")),
    sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("card_id", BigId),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("submitted_at", Instant),
    sa.Column("decided_at", Instant),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    # 公示 (seed 004): the period of an approved application in status `publicizing`
    sa.Column("publicity_starts_at", Instant),
    sa.Column("publicity_ends_at", Instant),
    sa.Column("card_level", sa.String(1)),
    # 诚信声明: when the applicant accepted the declaration (submission requires it)
    sa.Column("declaration_accepted_at", Instant),
    sa.Index("ix_applications_applicant_status", "applicant_id", "status"),
    sa.Index("ix_applications_queue", "current_org_id", "status", "submitted_at"),
    sa.Index("ix_applications_created", "created_at"),
    sa.Index("ix_applications_publicity", "status", "publicity_ends_at"),
    **MYSQL_OPTS,
)

application_actions = sa.Table(
    "application_actions",
    metadata,
    _id(),
    sa.Column("application_id", BigId, sa.ForeignKey("applications.id"), nullable=False),
    # submit | resubmit | approve | return | reject | withdraw | objection | issue (公示)
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("stage_index", sa.Integer),
    sa.Column("org_id", BigId),
    sa.Column("actor_id", BigId, nullable=False),
    sa.Column("actor_name", sa.String(64), nullable=False),
    sa.Column("opinion", sa.Text),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_application_actions_app", "application_id", "id"),
    # 人才管理: what an org's reviewers have acted on (review/processed)
    sa.Index("ix_application_actions_org", "org_id", "application_id", "id"),
    **MYSQL_OPTS,
)

cards = sa.Table(
    "cards",
    metadata,
    _id(),
    sa.Column("card_no", sa.String(32), nullable=False, unique=True),
    sa.Column("holder_id", BigId, sa.ForeignKey("accounts.id"), nullable=False),
    # A | B | C
    sa.Column("level", sa.String(1), nullable=False),
    # active | disabled (expired is derived from valid_until)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("issued_at", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("status_reason", sa.String(255)),
    sa.Column("status_by", sa.String(64)),
    sa.Column("status_at", Instant),
    sa.Column("sync_version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    # 副卡 (seed 001): a dependent card names its main card (same holder account), the family member
    # and the relation; NULL for a main card
    sa.Column("main_card_id", BigId),
    sa.Column("member_name", sa.String(32)),
    sa.Column("relation", sa.String(8)),
    sa.Index("ix_cards_holder", "holder_id", "status"),
    sa.Index("ix_cards_main", "main_card_id"),
    sa.Index("ix_cards_status_level", "status", "level", "id"),
    **MYSQL_OPTS,
)

# The one event log (change feed): written in the transaction of every state change. It feeds the
# PC-side pull (`/api/v1/sync/events`) and the WebSocket push in every process.
events = sa.Table(
    "events",
    metadata,
    _id(),
    sa.Column("type", sa.String(48), nullable=False),
    sa.Column("entity", sa.String(24), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    # who is told live: space-separated tokens a:<account id>, o:<org id>, r:<role>
    sa.Column("audience", sa.String(255), nullable=False, server_default=""),
    sa.Column("created_at", Instant, nullable=False),
    **MYSQL_OPTS,
)

sync_nonces = sa.Table(
    "sync_nonces",
    metadata,
    _id(),
    sa.Column("client_key", sa.String(64), nullable=False),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    sa.UniqueConstraint("client_key", "nonce"),
    sa.Index("ix_sync_nonces_created", "created_at"),
    **MYSQL_OPTS,
)

# --------------------------------------------------------------------------- green channel

services = sa.Table(
    "services",
    metadata,
    _id(),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(64), nullable=False),
    # onsite | appointment | project | other
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    # comma-separated card levels: "A,B"
    sa.Column("eligible_levels", sa.String(16), nullable=False),
    # on-site services: uses per card per calendar year (NULL: no quota)
    sa.Column("quota_per_year", sa.Integer),
    # appointment services: 办理时限 per step in hours, JSON {"submitted": 24, "accepted": 72, "prereviewed": 120}
    sa.Column("step_limits", sa.Text),
    # the unit of step_limits: "hours" (hours that pass on working days) or "working_days" (工作日)
    sa.Column("step_limit_unit", sa.String(16), nullable=False, server_default="hours"),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("sort", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Index("ix_services_category", "category", "status", "sort"),
    **MYSQL_OPTS,
)

windows = sa.Table(
    "windows",
    metadata,
    _id(),
    sa.Column("org_id", BigId, sa.ForeignKey("orgs.id"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("district", sa.String(32), nullable=False),
    # the city window sees all windows' work and sends supervision
    sa.Column("is_city", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("contact_name", sa.String(32), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("address", sa.String(255), nullable=False),
    sa.Column("hours", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Index("ix_windows_district", "district"),
    **MYSQL_OPTS,
)

window_services = sa.Table(
    "window_services",
    metadata,
    sa.Column("window_id", BigId, sa.ForeignKey("windows.id"), primary_key=True),
    sa.Column("service_id", BigId, sa.ForeignKey("services.id"), primary_key=True),
    sa.Index("ix_window_services_service", "service_id"),
    **MYSQL_OPTS,
)

window_staff = sa.Table(
    "window_staff",
    metadata,
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), primary_key=True),
    sa.Column("window_id", BigId, sa.ForeignKey("windows.id"), primary_key=True),
    sa.Index("ix_window_staff_window", "window_id"),
    **MYSQL_OPTS,
)

appointments = sa.Table(
    "appointments",
    metadata,
    _id(),
    sa.Column("holder_id", BigId, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("service_id", BigId, sa.ForeignKey("services.id"), nullable=False),
    sa.Column("window_id", BigId, sa.ForeignKey("windows.id"), nullable=False),
    # denormalised from the window and the holder for the comprehensive query's filters
    sa.Column("district", sa.String(32), nullable=False),
    sa.Column("holder_name", sa.String(64), nullable=False),
    # submitted | accepted | prereviewed | completed | returned | cancelled
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("preferred_date", sa.Date),
    sa.Column("attachments", sa.Text),
    # the deadline of the current step (办理时限); NULL once no step is running
    sa.Column("deadline_at", Instant),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Column("completed_at", Instant),
    sa.Index("ix_appointments_holder", "holder_id", "id"),
    sa.Index("ix_appointments_window_status", "window_id", "status", "id"),
    sa.Index("ix_appointments_status", "status", "id"),
    sa.Index("ix_appointments_service", "service_id", "status", "id"),
    sa.Index("ix_appointments_district", "district", "status", "id"),
    sa.Index("ix_appointments_deadline", "deadline_at"),
    sa.Index("ix_appointments_window_deadline", "window_id", "deadline_at"),
    sa.Index("ix_appointments_created", "created_at"),
    sa.Index("ix_appointments_holder_name", "holder_name", "id"),
    **MYSQL_OPTS,
)

appointment_history = sa.Table(
    "appointment_history",
    metadata,
    _id(),
    sa.Column("appointment_id", BigId, sa.ForeignKey("appointments.id"), nullable=False),
    # submit | accept | prereview | complete | forward | return | resubmit | cancel | rate | supervise
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("actor_id", BigId),
    sa.Column("actor_name", sa.String(64), nullable=False),
    sa.Column("opinion", sa.Text),
    sa.Column("from_status", sa.String(16)),
    sa.Column("to_status", sa.String(16)),
    sa.Column("from_window_id", BigId),
    sa.Column("to_window_id", BigId),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_appointment_history_appt", "appointment_id", "id"),
    # the forwarding clerk's 已转办 view: what was forwarded from these windows
    sa.Index("ix_appointment_history_from_window", "from_window_id", "appointment_id"),
    **MYSQL_OPTS,
)

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column("appointment_id", BigId, sa.ForeignKey("appointments.id"), primary_key=True),
    sa.Column("holder_id", BigId, nullable=False),
    sa.Column("stars", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.String(500)),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_ratings_created", "created_at"),
    **MYSQL_OPTS,
)

# 督办: one automatic supervision per window per day (unique auto_day), manual ones any time
supervisions = sa.Table(
    "supervisions",
    metadata,
    _id(),
    sa.Column("window_id", BigId, sa.ForeignKey("windows.id"), nullable=False),
    sa.Column("auto_day", sa.Date),
    sa.Column("overdue_count", sa.Integer, nullable=False),
    sa.Column("actor_id", BigId),
    sa.Column("created_at", Instant, nullable=False),
    sa.UniqueConstraint("window_id", "auto_day"),
    **MYSQL_OPTS,
)

# holders who allowed WeChat subscribe messages (mini-program wx.requestSubscribeMessage)
wechat_subscriptions = sa.Table(
    "wechat_subscriptions",
    metadata,
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), primary_key=True),
    sa.Column("template", sa.String(64), primary_key=True),
    # how many one-time messages the holder allowed and not yet used
    sa.Column("remaining", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", Instant, nullable=False),
    **MYSQL_OPTS,
)

listings = sa.Table(
    "listings",
    metadata,
    _id(),
    # demand 企业需求 | project 人才项目资源 | platform 平台载体资源 | notice 通报公告
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("category", sa.String(64)),
    sa.Column("body", LongText, nullable=False),
    sa.Column("contact", sa.String(128)),
    sa.Column("published_at", Instant, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="published"),
    sa.Column("created_by", BigId),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Index("ix_listings_kind", "kind", "status", "id"),
    **MYSQL_OPTS,
)

# --------------------------------------------------------------------------- on-site

venues = sa.Table(
    "venues",
    metadata,
    _id(),
    sa.Column("org_id", BigId, sa.ForeignKey("orgs.id"), nullable=False, unique=True),
    sa.Column("name", sa.String(128), nullable=False),
    # airport | hospital | station | scenic | other
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("district", sa.String(32)),
    sa.Column("address", sa.String(255)),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    **MYSQL_OPTS,
)

venue_services = sa.Table(
    "venue_services",
    metadata,
    sa.Column("venue_id", BigId, sa.ForeignKey("venues.id"), primary_key=True),
    sa.Column("service_id", BigId, sa.ForeignKey("services.id"), primary_key=True),
    **MYSQL_OPTS,
)

# every scan and check-in, refusals too
visits = sa.Table(
    "visits",
    metadata,
    _id(),
    sa.Column("venue_id", BigId, nullable=False),
    sa.Column("service_id", BigId),
    sa.Column("card_id", BigId),
    sa.Column("holder_id", BigId),
    sa.Column("staff_id", BigId),
    # staff_scan | holder_checkin
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("verdict", sa.String(32), nullable=False),
    sa.Column("check_code", sa.String(8)),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_visits_venue_created", "venue_id", "created_at"),
    sa.Index("ix_visits_card", "card_id", "created_at"),
    sa.Index("ix_visits_created", "created_at"),
    **MYSQL_OPTS,
)

# single-use card QR tokens: the unique key is what makes a token work once
qr_uses = sa.Table(
    "qr_uses",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_qr_uses_created", "created_at"),
    **MYSQL_OPTS,
)

# yearly on-site quota use per card and service, counted atomically
quota_usage = sa.Table(
    "quota_usage",
    metadata,
    sa.Column("card_id", BigId, primary_key=True),
    sa.Column("service_id", BigId, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("used", sa.Integer, nullable=False, server_default="0"),
    **MYSQL_OPTS,
)

# --------------------------------------------------------------------------- console follow-ups

# every change of a card's status, with its reason and who made it (the card's 状态记录)
card_status_changes = sa.Table(
    "card_status_changes",
    metadata,
    _id(),
    sa.Column("card_id", BigId, sa.ForeignKey("cards.id"), nullable=False),
    # active | disabled
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(255)),
    sa.Column("actor_name", sa.String(64), nullable=False),
    sa.Column("created_at", Instant, nullable=False),
    sa.Index("ix_card_status_changes_card", "card_id", "id"),
    **MYSQL_OPTS,
)

# 好差评 closed loop: a 1–2 star rating opens a 整改 for the org of the appointment's window
followups = sa.Table(
    "followups",
    metadata,
    _id(),
    sa.Column("appointment_id", BigId, sa.ForeignKey("appointments.id"), nullable=False, unique=True),
    sa.Column("window_id", BigId, sa.ForeignKey("windows.id"), nullable=False),
    sa.Column("org_id", BigId, sa.ForeignKey("orgs.id"), nullable=False),
    sa.Column("stars", sa.SmallInteger, nullable=False),
    # open | rectified | closed
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("deadline_at", Instant, nullable=False),
    sa.Column("rectification", sa.Text),
    sa.Column("rectified_by", sa.String(64)),
    sa.Column("rectified_at", Instant),
    sa.Column("revisit_response", sa.Text),
    sa.Column("revisit_satisfied", sa.Boolean),
    sa.Column("revisit_by", sa.String(64)),
    sa.Column("revisit_at", Instant),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Index("ix_followups_status", "status", "id"),
    sa.Index("ix_followups_org_status", "org_id", "status", "id"),
    sa.Index("ix_followups_deadline", "status", "deadline_at"),
    **MYSQL_OPTS,
)

# Registered employers (seed 002 §2.3/2.4.4 企业注册/入库, seed 003 关联单位): the registration beside
# its org row; the org counts as an employer for routing and look-up only while `status` is active.
employers = sa.Table(
    "employers",
    metadata,
    sa.Column("org_id", BigId, sa.ForeignKey("orgs.id"), primary_key=True),
    # 统一社会信用代码 (GB 32100): 18 ASCII characters with its check character
    sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
    sa.Column("contact_name", sa.String(32), nullable=False),
    sa.Column("contact_phone", sa.String(20), nullable=False),
    # pending | active | rejected | disabled
    sa.Column("status", sa.String(16), nullable=False),
    # who approves it: the district HR bureau, or the city HR bureau for 市直 employers
    sa.Column("approver_org_id", BigId, sa.ForeignKey("orgs.id"), nullable=False),
    sa.Column("opinion", sa.String(255)),
    sa.Column("decided_by", sa.String(64)),
    sa.Column("decided_at", Instant),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Index("ix_employers_approver_status", "approver_org_id", "status"),
    **MYSQL_OPTS,
)

# A holder's request to be linked to an employer (关联单位申请), confirmed by the employer's staff.
employer_links = sa.Table(
    "employer_links",
    metadata,
    _id(),
    sa.Column("holder_id", BigId, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("employer_org_id", BigId, sa.ForeignKey("orgs.id"), nullable=False),
    # pending | approved | rejected | cancelled
    sa.Column("status", sa.String(16), nullable=False),
    # the holder's id while the link is pending or approved, NULL after: the unique key allows one
    # live link per holder, whatever the races
    sa.Column("live_holder_id", BigId, unique=True),
    sa.Column("opinion", sa.String(255)),
    sa.Column("decided_by", sa.String(64)),
    sa.Column("decided_at", Instant),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Instant, nullable=False),
    sa.Column("updated_at", Instant, nullable=False),
    sa.Index("ix_employer_links_employer_status", "employer_org_id", "status"),
    **MYSQL_OPTS,
)


# the working-day calendar (办理时限 in 工作日): the administrator's entries; the State Council's
# schedule ships as data (server/calendar/holidays.py) and an entry here overrides it for its day
calendar_days = sa.Table(
    "calendar_days",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    # holiday (休息) | workday (调休上班) | normal (as its weekday says)
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("note", sa.String(64)),
    sa.Column("updated_by", BigId),
    sa.Column("updated_at", Instant, nullable=False),
    **MYSQL_OPTS,
)
