"""The record of processing activities: loaded from data once, then kept by admins."""

import tomllib

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit, retention
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.privacy.models import ProcessingActivity
from kieubao.privacy.rules import DATA
from kieubao.privacy.schemas import ActivityIn


def load_activities(session: Session, *, acting_user: Actor) -> int:
    """The activities of data/processing.toml not yet in the record; one an admin edited is
    left as they made it. Safe to run twice."""
    raw = tomllib.loads((DATA / "processing.toml").read_text(encoding="utf-8"))
    have = set(session.scalars(select(ProcessingActivity.code)))
    added = 0
    for item in raw["activity"]:
        if item["code"] in have:
            continue
        session.add(ProcessingActivity(**item))
        audit.record(session, acting_user, "privacy.activity_loaded", "activity", item["code"])
        added += 1
    commit(session)
    return added


def update_activity(
    session: Session, *, acting_user: Actor, activity: ProcessingActivity, data: ActivityIn
) -> ProcessingActivity:
    known = {r.name for r in retention.rules()}
    unknown = [name for name in data.retention_rules if name not in known]
    if unknown:
        raise Invalid(
            "retention_rules",
            _("no such retention rule: {names}").format(names=", ".join(unknown)),
        )
    before = ActivityIn.model_validate(activity, from_attributes=True).model_dump()
    for key, value in data.model_dump().items():
        setattr(activity, key, value)
    activity.updated_by_id = acting_user.id
    audit.record(
        session, acting_user, "privacy.activity_updated", "activity", activity.code,
        before=before, after=data.model_dump(),
    )  # fmt: skip
    commit(session)
    return activity
