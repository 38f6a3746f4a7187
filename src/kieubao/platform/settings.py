"""Settings, read once from ``KIEUBAO_*`` variables and ``.env``."""

import secrets
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WhatsAppTemplate(BaseModel):
    names: dict[str, str]
    parameters: list[str]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIEUBAO_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/kieubao.db"
    redis_url: str | None = None
    var_dir: Path = Path("var")
    base_url: str = "http://127.0.0.1:8000"
    # Unset in development: a key is generated once into var/ so restarts keep sessions and
    # encrypted fields readable. Production sets both explicitly.
    secret_key: str | None = None
    data_key: str | None = None
    # The numbered field keys after the data key (see platform/keyring.py); var/data.keys
    # when unset. Several hosts share one file (a mounted secret).
    data_keyring: Path | None = None
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    mail_from: str = "kieubao@localhost"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    # SMTP sessions each outbox worker keeps open side by side.
    smtp_sessions: int = 8
    # A generic SMS gateway: JSON POST {to, text, reference}, answering {"id": ...}.
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    # "gateway" (above) or "twilio" (below) carries text messages.
    sms_provider: str = "gateway"
    twilio_base_url: str = "https://api.twilio.com"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    # A sender number, or a Messaging Service SID (MG...).
    twilio_from: str | None = None
    zalo_base_url: str = "https://openapi.zalo.me"
    zalo_access_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org"
    telegram_bot_token: str | None = None
    whatsapp_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_phone_number_id: str | None = None
    whatsapp_token: str | None = None
    # Pre-approved WhatsApp templates per message type: outside the 24 hours after a person
    # last wrote, the Cloud API takes only these. {"safety_check": {"names": {"vi": ...,
    # "en": ...}, "parameters": ["name", "title", "link"]}}: the approved name per
    # language, and the message's values that fill the template body's {{1}}, {{2}}...
    whatsapp_templates: dict[str, WhatsAppTemplate] = Field(default_factory=dict)
    # Messages per second one delivery job sends on a channel (a worker runs one per
    # thread); 0 means no limit.
    outbox_rates: dict[str, float] = Field(
        default_factory=lambda: {
            "email": 0.0,
            "sms": 20.0,
            "zalo": 20.0,
            "telegram": 25.0,
            "whatsapp": 50.0,
        }
    )
    # Rows a delivery job claims at once on an unpaced channel: one claim and one commit of
    # answers each, and the most a worker killed mid-batch can leave to be sent again under
    # the same key. A paced channel claims what it sends in ten seconds.
    outbox_batch: int = 250
    # Requests in flight at once to an HTTP provider on an unpaced channel (a paced channel
    # sends one at a time, at its rate).
    outbox_http_concurrency: int = 8
    # Minutes a safety check waits for answers before asking again by the next channel.
    safety_check_follow_up_minutes: int = 60
    # The channels a safety check tries, best first; each person is asked by the first they
    # have, then by the next when that one fails or brings no answer in time.
    safety_check_channels: list[str] = Field(
        default_factory=lambda: ["email", "sms", "zalo", "telegram", "whatsapp"]
    )
    # Minutes a protection message may wait unread before the duty officers are alerted.
    protection_unread_alert_minutes: int = 15
    outbox_max_attempts: int = 6
    outbox_retry_base_s: float = 30.0
    # A claim older than this is taken back from a worker that went away without a trace.
    outbox_lease_s: float = 600.0
    # Shared with the providers, who send it as X-Receipt-Token with delivery receipts.
    outbox_receipt_secret: str | None = None
    # Jobs run inline (no worker) when true: tests, and one-process demos.
    jobs_immediate: bool = False
    # Public case reports one address may send per hour (a ministry behind one NAT raises it).
    intake_per_hour: int = 10
    session_days: int = 14
    # How long a new API bearer token is good for, unless its maker says otherwise.
    api_token_days: int = 90
    login_link_minutes: int = 30
    import_max_bytes: int = Field(default=200 * 1024 * 1024)
    secure_cookies: bool = False
    # How long personal data is kept once its purpose is served (see platform/retention.py).
    retention_sessions_days: int = 30
    retention_outbox_days: int = 180
    retention_closed_cases_years: int = 10
    retention_rosters_months: int = 24
    # Hosts (names or addresses) on private networks that feeds and webhooks may still call.
    outbound_allowed_hosts: list[str] = Field(default_factory=list)
    # Anonymous portal pages are kept rendered until what they show changes.
    page_cache: bool = True
    # Files kept with cases: "disk" (under var/attachments) or "s3" (any S3-compatible store).
    attachments_storage: str = "disk"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    # Inbound messages: the most one mail or message may bring, attachments included.
    inbound_max_bytes: int = 25 * 1024 * 1024
    # A message that does not say where its sender is: filed under Viet Nam, where no
    # mission has jurisdiction, so headquarters triages it.
    inbound_unknown_country: str = "VN"
    # Each provider's secret for proving a webhook call is theirs (Twilio's is its auth token,
    # above); unset refuses its calls.
    sms_gateway_inbound_secret: str | None = None
    zalo_oa_secret_key: str | None = None
    telegram_webhook_secret: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def var_path(self, *parts: str) -> Path:
        path = self.var_dir.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def secret(self) -> str:
        return self.secret_key or _local_key(self.var_path("secret.key"))

    # Read once: every PIN and blind index derives its key from it, in a surge thousands a
    # second.
    @cached_property
    def encryption_key(self) -> str:
        return self.data_key or _local_key(self.var_path("data.key"))


def _local_key(path: Path) -> str:
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@cache
def get_settings() -> Settings:
    return Settings()
