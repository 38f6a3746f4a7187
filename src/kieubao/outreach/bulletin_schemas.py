"""The API's bulletins, case notices and subscriptions, in and out."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from kieubao.outreach.models import BulletinKind, Status, SubscriberChannel, Topic
from kieubao.outreach.sanitize import clean_html, plain_text
from kieubao.platform import countries, i18n
from kieubao.platform.text import fold
from kieubao.registry.models import StayStatus

Language = Literal["vi", "en"]


def country_codes(values: list[str]) -> list[str]:
    codes = sorted({v.upper() for v in values})
    unknown = [c for c in codes if not countries.is_valid(c)]
    if unknown:
        raise ValueError(f"not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}")
    return codes


class BulletinIn(BaseModel):
    """A bulletin as drafted, with the audience it is meant for (empty lists: anyone)."""

    model_config = ConfigDict(extra="forbid")

    kind: BulletinKind
    title_vi: str = Field(min_length=1, max_length=300)
    title_en: str = Field(min_length=1, max_length=300)
    body_vi: str = Field(min_length=1, max_length=20_000)
    body_en: str = Field(min_length=1, max_length=20_000)
    countries: list[str] = Field(default_factory=list, max_length=250)
    cities: list[str] = Field(default_factory=list, max_length=100)
    stay_statuses: list[StayStatus] = Field(default_factory=list, max_length=len(StayStatus))
    languages: list[Language] = Field(default_factory=list, max_length=2)
    case_number: str | None = Field(None, max_length=20)

    @field_validator("countries")
    @classmethod
    def _known_countries(cls, value: list[str]) -> list[str]:
        return country_codes(value)

    @field_validator("cities")
    @classmethod
    def _folded_cities(cls, value: list[str]) -> list[str]:
        return sorted({fold(v) for v in value if v.strip()})

    @field_validator("title_vi", "title_en")
    @classmethod
    def _plain_titles(cls, value: str) -> str:
        value = plain_text(clean_html(value))
        if not value:
            raise ValueError("nothing left once markup is removed")
        return value

    @field_validator("body_vi", "body_en")
    @classmethod
    def _sanitised(cls, value: str) -> str:
        value = clean_html(value)
        if not value:
            raise ValueError("nothing left once scripts and markup are removed")
        return value

    @model_validator(mode="after")
    def _case_notice_names_its_case(self) -> "BulletinIn":
        if (self.kind is BulletinKind.case_notice) != bool(self.case_number):
            raise ValueError("a case notice, and only a case notice, names a case number")
        return self


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # When to send it; none or a past time: now.
    send_at: datetime | None = None


class BulletinOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: BulletinKind
    status: Status
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str
    countries: list[str]
    case_number: str | None
    published_at: datetime | None


class NewsItem(BaseModel):
    """A published bulletin as a line of the portal's news: in the reader's language."""

    id: int
    kind: BulletinKind
    title: str
    published_at: datetime


class BulletinDraftOut(BulletinOut):
    """What officers see: the audience and the workflow too."""

    cities: list[str]
    stay_statuses: list[str]
    languages: list[str]
    submitted_at: datetime | None
    approved_at: datetime | None
    send_at: datetime | None
    send_key: str | None


class DeliveryReportOut(BaseModel):
    """How far one send got. ``opened`` is None: no channel in use reports opens."""

    send_key: str | None
    recipients: int
    queued: int
    sent: int
    delivered: int
    bounced: int
    failed: int
    opened: int | None = None


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    countries: list[str] = Field(min_length=1, max_length=250)
    topics: list[Topic] = Field(min_length=1, max_length=len(Topic))
    language: Language = i18n.DEFAULT_LOCALE  # type: ignore[assignment]

    @field_validator("countries")
    @classmethod
    def _known_countries(cls, value: list[str]) -> list[str]:
        return country_codes(value)


class SubscribeIn(PreferencesIn):
    """The preferences, and the address that is to confirm them."""

    channel: SubscriberChannel = SubscriberChannel.email
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=40)
    # A Telegram chat id (negative for groups), a Zalo user id of the OA's follower.
    telegram: str | None = Field(None, pattern=r"^-?\d{1,20}$")
    zalo: str | None = Field(None, pattern=r"^\d{1,32}$")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = "".join(c for c in value if c.isdigit())
        if not 8 <= len(digits) <= 15:
            raise ValueError("a phone number in international form, +country code first")
        return f"+{digits}"

    @model_validator(mode="after")
    def _address_for_channel(self) -> "SubscribeIn":
        if self.channel is SubscriberChannel.email and not self.email:
            raise ValueError("an email subscription needs an email address")
        if self.channel is SubscriberChannel.sms and not self.phone:
            raise ValueError("an SMS subscription needs a phone number")
        if self.channel is SubscriberChannel.telegram and not self.telegram:
            raise ValueError("a Telegram subscription needs a chat id")
        if self.channel is SubscriberChannel.zalo and not self.zalo:
            raise ValueError("a Zalo subscription needs a Zalo user id")
        return self

    @property
    def address(self) -> str:
        addresses = {
            SubscriberChannel.email: str(self.email).lower() if self.email else "",
            SubscriberChannel.sms: self.phone,
            SubscriberChannel.telegram: self.telegram,
            SubscriberChannel.zalo: self.zalo,
        }
        return addresses[self.channel] or ""


class SmsConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(max_length=40)
    code: str = Field(pattern=r"^\d{6}$")


class MessengerConfirmIn(BaseModel):
    """The code a messenger subscription was sent, with the chat or user id it went to."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal[SubscriberChannel.telegram, SubscriberChannel.zalo]
    address: str = Field(pattern=r"^-?\d{1,32}$")
    code: str = Field(pattern=r"^\d{6}$")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: SubscriberChannel
    address: str
    language: str
    countries: list[str]
    topics: list[str]
    confirmed: bool
    active: bool
