"""Settings, read once from ``KIEUBAO_*`` variables and ``.env``."""

import secrets
from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    # Messages per second one delivery job sends on a channel (a worker runs one per
    # thread); 0 means no limit.
    outbox_rates: dict[str, float] = Field(default_factory=lambda: {"email": 0.0, "sms": 20.0})
    outbox_batch: int = 200
    # Minutes a safety check waits for answers before asking again by the other channel.
    safety_check_follow_up_minutes: int = 60
    outbox_max_attempts: int = 6
    outbox_retry_base_s: float = 30.0
    # A claim older than this is taken back from a worker that went away without a trace.
    outbox_lease_s: float = 600.0
    # Shared with the providers, who send it as X-Receipt-Token with delivery receipts.
    outbox_receipt_secret: str | None = None
    # Jobs run inline (no worker) when true: tests, and one-process demos.
    jobs_immediate: bool = False
    session_days: int = 14
    login_link_minutes: int = 30
    import_max_bytes: int = Field(default=200 * 1024 * 1024)
    secure_cookies: bool = False
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
    # Each provider's secret for proving a webhook call is theirs; unset refuses its calls.
    twilio_auth_token: str | None = None
    sms_gateway_inbound_secret: str | None = None
    zalo_oa_secret_key: str | None = None
    telegram_webhook_secret: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    # How long personal data is kept once its purpose is served (see platform/retention.py).
    retention_sessions_days: int = 30
    retention_outbox_days: int = 180
    retention_closed_cases_years: int = 10
    retention_rosters_months: int = 24
    # Hosts (names or addresses) on private networks that feeds and webhooks may still call.
    outbound_allowed_hosts: list[str] = Field(default_factory=list)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def var_path(self, *parts: str) -> Path:
        path = self.var_dir.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def secret(self) -> str:
        return self.secret_key or _local_key(self.var_path("secret.key"))

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
