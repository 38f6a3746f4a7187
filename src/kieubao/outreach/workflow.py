"""The steps advisories and bulletins share: each step from one status, some for HQ only."""

from typing import Protocol

from kieubao.outreach.models import Status
from kieubao.platform.errors import Conflict, Forbidden
from kieubao.platform.models import Role, User


class Reviewed(Protocol):
    status: Status


def expect(item: Reviewed, status: Status, reason: str) -> None:
    if item.status is not status:
        raise Conflict(f"{reason} (this one is {item.status.value})")


def headquarters(user: User, what: str) -> None:
    """Approval and publication speak for the ministry: officers at headquarters only."""
    if user.role not in (Role.admin, Role.hq_officer):
        raise Forbidden(f"only officers at headquarters may {what}")
