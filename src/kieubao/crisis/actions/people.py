"""Who a name on a crisis list is: someone registered already, or a new registration."""

from sqlalchemy.orm import Session

from kieubao.platform.audit import Actor
from kieubao.platform.missions_data import MissionDirectory
from kieubao.registry import matching
from kieubao.registry.actions.registration import add_citizen
from kieubao.registry.models import Citizen
from kieubao.registry.schemas import CitizenIn


def find_or_register(
    session: Session,
    actor: Actor,
    registration: CitizenIn,
    *,
    source: str,
    missions: MissionDirectory,
) -> tuple[Citizen, bool]:
    """The registered person the matcher would bet on, or a new record (flagged for an
    officer when it looks like someone else); True when the record is new."""
    found = matching.match(
        session,
        name=registration.full_name,
        date_of_birth=registration.date_of_birth,
        country=registration.country,
    )
    if found.best is not None and (known := session.get(Citizen, found.best.id)) is not None:
        return known, False
    citizen = add_citizen(
        session, actor, registration, source=source, missions=missions, found=found
    )
    return citizen, True
