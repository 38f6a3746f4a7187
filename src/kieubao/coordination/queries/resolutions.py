"""Resolutions with their goals and indicators."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination.models import Indicator, Resolution
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _


def resolutions(session: Session) -> list[Resolution]:
    return list(session.scalars(select(Resolution).order_by(Resolution.issued_on, Resolution.id)))


def get_resolution(session: Session, resolution_id: int) -> Resolution:
    resolution = session.get(Resolution, resolution_id)
    if resolution is None:
        raise NotFound(_("resolution"))
    return resolution


def get_indicator(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(_("indicator"))
    return indicator
