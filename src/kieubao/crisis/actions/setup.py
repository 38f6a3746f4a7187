"""Feed sources and alert rules, as officers at headquarters configure them; acknowledging."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.models import Alert, AlertRule, FeedSource
from kieubao.crisis.schemas import AlertRuleIn, FeedSourceIn
from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Conflict
from kieubao.platform.models import User


def save_feed_source(
    session: Session, *, acting_user: Actor, data: FeedSourceIn, source: FeedSource | None = None
) -> FeedSource:
    """Add a source (or change one); it is polled at once and then every ``poll_seconds``."""
    _unique(session, FeedSource, data.name, source)
    before = _fields(source, FeedSourceIn) if source else None
    source = source or FeedSource()
    for name, value in data.model_dump().items():
        setattr(source, name, value)
    source.next_poll_at = utcnow()
    source.failures = 0
    session.add(source)
    session.flush()
    audit.record(
        session,
        acting_user,
        "feed_source.saved",
        "feed_source",
        source.id,
        before=before,
        after=_fields(source, FeedSourceIn),
    )
    commit(session)
    return source


def save_alert_rule(
    session: Session, *, acting_user: Actor, data: AlertRuleIn, rule: AlertRule | None = None
) -> AlertRule:
    _unique(session, AlertRule, data.name, rule)
    before = _fields(rule, AlertRuleIn) if rule else None
    rule = rule or AlertRule()
    for name, value in data.model_dump().items():
        setattr(rule, name, value)
    session.add(rule)
    session.flush()
    audit.record(
        session,
        acting_user,
        "alert_rule.saved",
        "alert_rule",
        rule.id,
        before=before,
        after=_fields(rule, AlertRuleIn),
    )
    commit(session)
    return rule


def acknowledge_alert(session: Session, *, acting_user: User, alert: Alert) -> Alert:
    """The duty officer has seen it and takes it on."""
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by_id = acting_user.id
        audit.record(session, acting_user, "alert.acknowledged", "alert", alert.id)
        commit(session)
    return alert


def _unique(
    session: Session, model: type[FeedSource] | type[AlertRule], name: str, current: Any
) -> None:
    other = session.scalar(select(model).where(model.name == name))
    if other is not None and other is not current:
        raise Conflict(f"the name {name!r} is already used")


def _fields(row: Any, schema: type[FeedSourceIn] | type[AlertRuleIn]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in schema.model_fields}
