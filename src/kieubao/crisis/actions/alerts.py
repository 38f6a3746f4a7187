"""Alert rules applied to a hazard: who is told, once, and again only when it gets worse."""

import json
from functools import cache
from importlib.resources import files
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import exposure
from kieubao.crisis.models import (
    ALERT_LEVELS,
    SEVERITIES,
    Alert,
    AlertRecipient,
    AlertRule,
    Hazard,
)
from kieubao.platform import audit, countries, i18n
from kieubao.platform.audit import Actor
from kieubao.platform.db import on_commit, utcnow
from kieubao.platform.jobs import enqueue
from kieubao.platform.mail import new_message_id, send_mail
from kieubao.platform.models import Jurisdiction, Mission, Role, User


def evaluate(session: Session, *, acting_user: Actor, hazard: Hazard) -> list[Alert]:
    """Count who is exposed and raise the alerts whose rules the hazard now meets."""
    if hazard.status != "active" or hazard.area is None:
        hazard.exposed = 0 if hazard.area is not None else None
        return []
    found = exposure.of_area(session, hazard.area)
    hazard.exposed = found.count
    raised = []
    for rule in session.scalars(select(AlertRule).where(AlertRule.enabled.is_(True))):
        if (alert := _apply_rule(session, acting_user, hazard, rule, found)) is not None:
            raised.append(alert)
    return raised


def _matches(rule: AlertRule, hazard: Hazard, exposed: int) -> bool:
    if rule.hazard_types and hazard.hazard_type not in rule.hazard_types:
        return False
    if rule.min_magnitude is not None and (hazard.magnitude or 0) < rule.min_magnitude:
        return False
    if rule.min_alert_level in ALERT_LEVELS and (
        hazard.alert_level not in ALERT_LEVELS
        or ALERT_LEVELS.index(hazard.alert_level) < ALERT_LEVELS.index(rule.min_alert_level)
    ):
        return False
    if rule.min_severity in SEVERITIES and (
        hazard.severity not in SEVERITIES
        or SEVERITIES.index(hazard.severity) < SEVERITIES.index(rule.min_severity)
    ):
        return False
    return exposed >= rule.min_exposed


def _apply_rule(
    session: Session,
    actor: Actor,
    hazard: Hazard,
    rule: AlertRule,
    found: exposure.Exposure,
) -> Alert | None:
    by_country = found.by_country
    if rule.countries:
        by_country = {c: n for c, n in by_country.items() if c in rule.countries}
    exposed = sum(by_country.values())
    if not _matches(rule, hazard, exposed):
        return None
    rank = hazard.level_rank
    alert = session.scalar(
        select(Alert).where(Alert.hazard_id == hazard.id, Alert.rule_id == rule.id)
    )
    if alert is not None and exposed <= alert.exposed and rank <= alert.level_rank:
        return None  # nothing worse than what was already raised
    vi, en = draft_messages(hazard, by_country)
    if alert is None:
        alert = Alert(hazard=hazard, rule=rule, times_raised=1, exposed=exposed, level_rank=rank)
        session.add(alert)
        action = "alert.raised"
    else:
        alert.times_raised += 1
        alert.acknowledged_at = alert.acknowledged_by_id = None
        action = "alert.raised_again"
    alert.exposed, alert.level_rank, alert.by_country = exposed, rank, by_country
    alert.raised_at = utcnow()
    alert.message_vi, alert.message_en = vi, en
    session.flush()
    _notify(session, alert, rule, sorted(by_country))
    audit.record(
        session,
        actor,
        action,
        "alert",
        alert.id,
        after={"hazard": hazard.id, "rule": rule.id, "exposed": exposed, "rank": rank},
    )
    return alert


def recipients(session: Session, rule: AlertRule, exposed_countries: list[str]) -> list[User]:
    """The HQ desk and the officers of the missions answering for the exposed countries."""
    roles = []
    if rule.notify_hq:
        roles.append(Role.hq_officer)
    query = select(User).where(User.is_active.is_(True), User.role.in_(roles))
    users = {u.id: u for u in session.scalars(query)}
    if rule.notify_missions and exposed_countries:
        officers = session.scalars(
            select(User)
            .join(Mission, User.mission_id == Mission.id)
            .join(Jurisdiction, Jurisdiction.mission_id == Mission.id)
            .where(
                User.is_active.is_(True),
                User.role == Role.mission_officer,
                Jurisdiction.country.in_(exposed_countries),
            )
        )
        users.update({u.id: u for u in officers})
    return sorted(users.values(), key=lambda u: u.id)


def _notify(session: Session, alert: Alert, rule: AlertRule, exposed_countries: list[str]) -> None:
    subject = f"[kieubao] {alert.hazard.title} — {alert.exposed}"
    body = f"{alert.message_vi}\n\n---\n\n{alert.message_en}\n"
    for user in recipients(session, rule, exposed_countries):
        session.add(AlertRecipient(alert_id=alert.id, user_id=user.id, raised=alert.times_raised))
        on_commit(
            session,
            enqueue,
            send_mail,
            to=user.email,
            subject=subject,
            body=body,
            message_id=new_message_id(),
        )
    if rule.webhook_url:
        from kieubao.crisis.jobs import call_webhook

        on_commit(session, enqueue, call_webhook, alert_id=alert.id, raised=alert.times_raised)


@cache
def _templates() -> dict[str, dict[str, str]]:
    text = (files("kieubao.crisis") / "data" / "alert_messages.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return {k: v for k, v in loaded.items() if not k.startswith("_")}


def draft_messages(hazard: Hazard, by_country: dict[str, int]) -> tuple[str, str]:
    """The message to the exposed citizens, in Vietnamese and English, ready to approve."""
    template = _templates().get(hazard.hazard_type, _templates()["other"])
    places = list(by_country) or hazard.countries
    drafts = []
    for locale in ("vi", "en"):
        with i18n.speaking(locale):
            place = ", ".join(countries.display_name(c) for c in places[:5]) or hazard.title
            drafts.append(
                template[locale].format(
                    title=hazard.title,
                    place=place,
                    magnitude=f"{hazard.magnitude:.1f}" if hazard.magnitude is not None else "?",
                    when=i18n.format_local(hazard.occurred_at) + " " + i18n.gettext("(Hanoi time)"),
                )
            )
    return drafts[0], drafts[1]
