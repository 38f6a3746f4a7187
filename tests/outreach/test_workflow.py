"""An advisory goes out only after a second officer has approved it; the history stays."""

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.outreach import actions, queries
from kieubao.outreach.models import AdvisoryVersion, Status
from kieubao.platform.audit import AuditEntry
from kieubao.platform.errors import Conflict, Forbidden
from kieubao.platform.models import User

from .conftest import advisory_in


def test_the_tokyo_embassy_drafts_and_headquarters_approves_and_publishes(
    session: Session, tokyo_officer: User, hq_officer: User
) -> None:
    version = actions.draft_advisory(session, acting_user=tokyo_officer, data=advisory_in())
    assert version.status is Status.draft
    assert queries.published(session, "JP") == []

    actions.submit_for_review(session, acting_user=tokyo_officer, version=version)
    actions.approve(session, acting_user=hq_officer, version=version)
    actions.publish(session, acting_user=hq_officer, version=version)

    assert [v.id for v in queries.published(session, "JP")] == [version.id]
    assert version.approver_id == hq_officer.id and version.published_at is not None
    trail = session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.target_type == "advisory_version", AuditEntry.target_id == str(version.id)
        )
        .order_by(AuditEntry.seq)
    ).all()
    assert trail == [
        "advisory.drafted",
        "advisory.submitted",
        "advisory.approved",
        "advisory.published",
    ]


def test_an_officer_cannot_approve_their_own_advisory(session: Session, hq_officer: User) -> None:
    version = actions.draft_advisory(session, acting_user=hq_officer, data=advisory_in())
    actions.submit_for_review(session, acting_user=hq_officer, version=version)
    with pytest.raises(Forbidden, match="second officer"):
        actions.approve(session, acting_user=hq_officer, version=version)
    assert version.status is Status.in_review


def test_an_unapproved_version_cannot_be_published(
    session: Session, tokyo_officer: User, hq_officer: User
) -> None:
    version = actions.draft_advisory(session, acting_user=tokyo_officer, data=advisory_in())
    with pytest.raises(Conflict, match="only an approved version can be published"):
        actions.publish(session, acting_user=hq_officer, version=version)
    actions.submit_for_review(session, acting_user=tokyo_officer, version=version)
    with pytest.raises(Conflict, match="this one is in_review"):
        actions.publish(session, acting_user=hq_officer, version=version)


def test_a_mission_writes_only_for_its_own_countries_and_does_not_approve(
    session: Session, tokyo_officer: User, berlin_officer: User
) -> None:
    with pytest.raises(Forbidden, match="does not answer for JP"):
        actions.draft_advisory(session, acting_user=berlin_officer, data=advisory_in())
    version = actions.draft_advisory(session, acting_user=tokyo_officer, data=advisory_in())
    actions.submit_for_review(session, acting_user=tokyo_officer, version=version)
    with pytest.raises(Forbidden, match="headquarters"):
        actions.approve(session, acting_user=berlin_officer, version=version)


def test_raising_the_level_supersedes_the_old_version_and_issues_a_cap_alert(
    session: Session,
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    first = publish_advisory(level=2)
    second = publish_advisory(level=3, reasons=["disaster", "health"])

    assert first.status is Status.superseded and first.cap_identifier is None
    assert second.previous_level == 2 and second.level_change == 1
    assert queries.change_of(second) == "raised"
    assert second.cap_identifier == "kieubao-advisory-JP-v2"
    assert [v.number for v in queries.history(session, "JP")] == [1, 2]


def test_the_diff_shows_what_changed_between_versions(
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    first = publish_advisory(level=2)
    second = publish_advisory(level=3, advice_en="<p>Avoid the coast.</p>")

    changes = {c.field: c for c in queries.diff(first, second).changes}
    assert set(changes) == {"level", "advice_en"}
    assert (changes["level"].before, changes["level"].after) == (2, 3)
    assert "+<p>Avoid the coast.</p>" in (changes["advice_en"].unified_diff or "")


def test_second_hq_officer_approves_what_the_first_wrote(
    session: Session, hq_officer: User, second_hq_officer: User
) -> None:
    version = actions.draft_advisory(
        session, acting_user=hq_officer, data=advisory_in(country="LB", level=4)
    )
    actions.submit_for_review(session, acting_user=hq_officer, version=version)
    actions.approve(session, acting_user=second_hq_officer, version=version)
    actions.publish(session, acting_user=second_hq_officer, version=version)
    assert version.cap_identifier == "kieubao-advisory-LB-v1"


def test_a_draft_does_not_move_the_published_region(
    session: Session,
    publish_advisory: Callable[..., AdvisoryVersion],
    tokyo_officer: User,
) -> None:
    outline = {"type": "Polygon", "coordinates": [[[130, 31], [131, 31], [131, 32], [130, 31]]]}
    published = publish_advisory(region="Kyushu", region_geometry=outline)
    moved = {"type": "Polygon", "coordinates": [[[140, 40], [141, 40], [141, 41], [140, 40]]]}
    actions.draft_advisory(
        session,
        acting_user=tokyo_officer,
        data=advisory_in(region="Kyushu", region_geometry=moved),
    )
    (in_force,) = queries.published(session, "JP")
    assert in_force.id == published.id
    assert queries.advisory_out(session, in_force).region_geometry == outline
