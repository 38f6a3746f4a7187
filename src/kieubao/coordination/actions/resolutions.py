"""Resolutions set up as goals and indicators, and the values reported for them."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination.models import Goal, Indicator, IndicatorValue, Resolution
from kieubao.coordination.schemas import ResolutionIn, ValueIn
from kieubao.platform import audit
from kieubao.platform.db import commit
from kieubao.platform.errors import Conflict
from kieubao.platform.i18n import gettext as _


def create_resolution(
    session: Session, *, acting_user: audit.Actor, data: ResolutionIn
) -> Resolution:
    if session.scalar(select(Resolution.id).where(Resolution.code == data.code)):
        raise Conflict(_("a resolution with this code exists"))
    resolution = Resolution(
        code=data.code,
        title=data.title,
        issued_on=data.issued_on,
        goals=[
            Goal(
                title=g.title,
                indicators=[Indicator(**i.model_dump()) for i in g.indicators],
            )
            for g in data.goals
        ],
    )
    session.add(resolution)
    session.flush()
    audit.record(
        session, acting_user, "resolution.created", "resolution", resolution.id,
        after=data.model_dump(mode="json"),
    )  # fmt: skip
    commit(session)
    return resolution


def report_value(
    session: Session, *, acting_user: audit.Actor, indicator: Indicator, data: ValueIn
) -> IndicatorValue:
    """The value at a period's end; reporting the same period again corrects it."""
    value = next((v for v in indicator.values if v.period_end == data.period_end), None)
    before = {"value": value.value, "source": value.source} if value else None
    if value is None:
        value = IndicatorValue(period_end=data.period_end, value=data.value, source=data.source)
        indicator.values.append(value)
    value.value, value.source = data.value, data.source
    session.flush()
    audit.record(
        session, acting_user, "indicator.value_reported", "indicator", indicator.id,
        before=before, after={"value": data.value, "source": data.source},
    )  # fmt: skip
    commit(session)
    return value
