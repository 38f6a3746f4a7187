"""Who may read and change which record: officers within their scope, citizens their own."""

from sqlalchemy.orm import Session

from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Forbidden, NotFound
from kieubao.platform.models import Role, User
from kieubao.registry import queries
from kieubao.registry.models import Citizen


def citizen_for(session: Session, user: User, citizen_id: int) -> Citizen:
    if user.role is Role.citizen:
        own = queries.citizen_of(session, user)
        if own is None or own.id != citizen_id:
            raise NotFound("citizen")
        return own
    return queries.get_citizen(session, citizen_id, scope_of(user))


def citizen_to_read(session: Session, user: User, citizen_id: int) -> Citizen:
    """The record to show: a citizen's own, or one staff open (their read logged)."""
    if user.role is Role.citizen:
        return citizen_for(session, user, citizen_id)
    return queries.read_citizen(session, user, citizen_id)


def check_country(user: User, country: str) -> None:
    """A mission officer registers people only in the countries of their mission."""
    if not scope_of(user).covers(country):
        raise Forbidden(f"{country} is outside your mission's jurisdiction")
