"""Contingency plans: per country, reviewed by the mission and opened when a crisis starts."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.models import ContingencyPlan
from kieubao.platform import audit
from kieubao.platform.db import commit, utcnow
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Forbidden
from kieubao.platform.models import User

FIELDS = ("contacts", "assembly_points", "partner_embassies", "host_authorities")
# Long enough for a real plan, short enough that a form cannot fill the disk.
MAX_CHARS = 20_000


def save_plan(
    session: Session, *, acting_user: User, country: str, texts: dict[str, str]
) -> ContingencyPlan:
    """Write (or review unchanged) a country's plan: a mission for its own countries only."""
    if not scope_of(acting_user).covers(country):
        raise Forbidden("a mission keeps the plans of its own countries")
    plan = session.scalar(select(ContingencyPlan).where(ContingencyPlan.country == country))
    plan = plan or ContingencyPlan(country=country)
    before = {f: getattr(plan, f) for f in FIELDS} if plan.id else None
    for field in FIELDS:
        setattr(plan, field, (texts.get(field) or "").strip()[:MAX_CHARS])
    plan.reviewed_at, plan.reviewed_by_id = utcnow(), acting_user.id
    session.add(plan)
    session.flush()
    after = {f: getattr(plan, f) for f in FIELDS}
    audit.record(
        session, acting_user, "contingency_plan.saved", "contingency_plan", plan.id,
        before=before, after=after,
    )  # fmt: skip
    commit(session)
    return plan
