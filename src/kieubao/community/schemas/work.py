"""What the community API takes and gives of volunteers, programs and contributions."""

from datetime import date
from decimal import Decimal
from typing import Self

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from kieubao.community.schemas.fields import (
    ContributionKind,
    Country,
    FollowUpStatus,
    ProgramKind,
    Skill,
    Text,
)
from kieubao.platform.db import utcnow
from kieubao.platform.i18n import gettext as _


class VolunteerIn(BaseModel):
    full_name: Text
    country: Country
    city: str | None = Field(None, max_length=120)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=40)
    association_id: int | None = None
    skills: list[Skill] = Field(min_length=1)
    languages: list[Text] = []
    availability: str | None = Field(None, max_length=500)
    available: bool = True

    @model_validator(mode="after")
    def interpreters_name_languages(self) -> Self:
        if "interpreter" in self.skills and len(self.languages) < 2:
            raise ValueError(_("an interpreter names at least two languages"))
        return self


class VolunteerOut(VolunteerIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class ProgramIn(BaseModel):
    title: Text
    kind: ProgramKind
    country: Country
    city: str | None = Field(None, max_length=120)
    association_id: int | None = None
    teachers: list[Text] = []
    starts_on: date
    ends_on: date | None = None
    participants: int = Field(0, ge=0)
    outcomes: str | None = Field(None, max_length=5000)

    @model_validator(mode="after")
    def in_order(self) -> Self:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(_("the program ends before it starts"))
        return self


class ProgramOut(ProgramIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class ContributionIn(BaseModel):
    kind: ContributionKind
    contributor: Text
    expert_id: int | None = None
    association_id: int | None = None
    country: Country
    area: Text
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    made_on: date
    follow_up: str | None = Field(None, max_length=5000)
    follow_up_status: FollowUpStatus = "planned"

    @field_validator("made_on")
    @classmethod
    def not_future(cls, value: date) -> date:
        if value > utcnow().date():
            raise ValueError(_("a contribution cannot be dated in the future"))
        return value

    @model_validator(mode="after")
    def amount_has_currency(self) -> Self:
        if (self.amount is None) != (self.currency is None):
            raise ValueError(_("an amount needs its currency, and a currency an amount"))
        return self


class ContributionOut(ContributionIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class Figures(BaseModel):
    """The community's work in figures, for partner agencies: counts and sums, no person."""

    volunteers_by_skill: dict[str, int]
    programs_by_kind: dict[str, int]
    participants_by_kind: dict[str, int]
    contributions_by_kind: dict[str, int]
    amounts_by_currency: dict[str, Decimal]
