"""The steps advisories and bulletins share: each step from one status, some for HQ only."""

from datetime import datetime
from typing import Protocol

from kieubao.outreach.models import Status
from kieubao.platform.db import utcnow
from kieubao.platform.errors import Conflict, Forbidden
from kieubao.platform.models import Role, User


class Reviewed(Protocol):
    status: Status
    author_id: int
    submitted_at: datetime | None
    approver_id: int | None
    approved_at: datetime | None


def expect(item: Reviewed, status: Status, reason: str) -> None:
    if item.status is not status:
        raise Conflict(f"{reason} (this one is {item.status.value})")


def headquarters(user: User, what: str) -> None:
    """Approval and publication speak for the ministry: officers at headquarters only."""
    if user.role not in (Role.admin, Role.hq_officer):
        raise Forbidden(f"only officers at headquarters may {what}")


def submit(item: Reviewed) -> None:
    """A draft goes to review."""
    expect(item, Status.draft, "only a draft can be sent for review")
    item.status = Status.in_review
    item.submitted_at = utcnow()


def approve(user: User, item: Reviewed, *, noun: str, what: str) -> None:
    """A second officer at headquarters approves what a first one wrote; its author may not."""
    headquarters(user, what)
    expect(item, Status.in_review, f"only a {noun} sent for review can be approved")
    if item.author_id == user.id:
        raise Forbidden(f"the author of a {noun} cannot approve it: a second officer must")
    item.status = Status.approved
    item.approver_id = user.id
    item.approved_at = utcnow()
