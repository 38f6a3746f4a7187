"""Reading the directories: searches, exports and the aggregates partner agencies see."""

from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.community.models import Association, CountryProfile, Expert, ProfileFigure
from kieubao.community.schemas import FigureOut, ProfileIn, ProfileOut
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.text import neutralise


def get_association(session: Session, association_id: int) -> Association:
    association = session.get(Association, association_id)
    if association is None:
        raise NotFound("association")
    return association


def get_expert(session: Session, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("expert")
    return expert


def associations(session: Session, *, country: str | None = None) -> list[Association]:
    query = select(Association).order_by(Association.country, Association.name_vi)
    if country:
        query = query.where(Association.country == country)
    return list(session.scalars(query))


def experts(
    session: Session,
    *,
    field: str | None = None,
    country: str | None = None,
    listed_only: bool = False,
) -> list[Expert]:
    """Experts by country and by a field of expertise (any part of it, in any case)."""
    query = select(Expert).order_by(Expert.country, Expert.full_name)
    if country:
        query = query.where(Expert.country == country)
    if listed_only:
        query = query.where(Expert.consent_listing.is_(True))
    found = list(session.scalars(query))
    if field:
        # Fields are a short JSON list per person: matched here the same way on both backends.
        wanted = field.casefold()
        found = [e for e in found if any(wanted in f.casefold() for f in e.fields)]
    return found


def invitation_workbook(found: list[Expert]) -> bytes:
    """An invitation list for a forum: only people who consented to be listed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = _("Invitations")
    sheet.append(
        [
            _("Full name"),
            _("Country"),
            _("City"),
            _("Email"),
            _("Fields of expertise"),
            _("Affiliations"),
            _("Languages"),
        ]
    )
    for expert in found:
        if expert.consent_listing:
            sheet.append(
                [
                    neutralise(text)
                    for text in (
                        expert.full_name,
                        expert.country,
                        expert.city or "",
                        expert.email or "",
                        "; ".join(expert.fields),
                        "; ".join(expert.affiliations),
                        "; ".join(expert.languages),
                    )
                ]
            )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def profiles(session: Session, *, country: str | None = None) -> list[ProfileOut]:
    """Country profiles with counts of associations and listed experts: no person in them."""
    query = select(CountryProfile).order_by(CountryProfile.country)
    if country:
        query = query.where(CountryProfile.country == country)
    rows = list(session.scalars(query))
    codes = [p.country for p in rows]
    groups: dict[str, int] = dict(
        session.execute(
            select(Association.country, func.count())
            .where(Association.country.in_(codes))
            .group_by(Association.country)
        ).all()
    )
    listed: dict[str, int] = dict(
        session.execute(
            select(Expert.country, func.count())
            .where(Expert.country.in_(codes), Expert.consent_listing.is_(True))
            .group_by(Expert.country)
        ).all()
    )
    history: dict[str, list[ProfileFigure]] = {}
    figures = select(ProfileFigure).where(ProfileFigure.country.in_(codes))
    for figure in session.scalars(figures.order_by(ProfileFigure.year, ProfileFigure.id)):
        history.setdefault(figure.country, []).append(figure)
    return [
        ProfileOut.model_validate(
            {name: getattr(p, name) for name in ProfileIn.model_fields}
            | {
                "associations": groups.get(p.country, 0),
                "experts": listed.get(p.country, 0),
                "history": [FigureOut.model_validate(f) for f in history.get(p.country, [])],
            }
        )
        for p in rows
    ]
