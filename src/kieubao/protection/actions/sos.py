"""The portal's "I need help now": a life-at-risk case for the mission nearest the phone."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import gazetteer
from kieubao.platform.audit import Actor
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import Mission
from kieubao.protection.actions.intake import Intake, open_case
from kieubao.protection.models import Channel, Severity
from kieubao.protection.schemas import CaseIn, SosIn

# Missions to the UN and representative offices do no consular work.
CONSULAR_KINDS = ("embassy", "consulate_general")


def nearest_mission(session: Session, latitude: float, longitude: float) -> Mission | None:
    """The embassy or consulate closest to a point, by great-circle distance."""
    found = session.scalars(
        select(Mission).where(
            Mission.kind.in_(CONSULAR_KINDS),
            Mission.latitude.is_not(None),
            Mission.longitude.is_not(None),
        )
    ).all()
    return min(
        found,
        key=lambda m: gazetteer.distance_km(latitude, longitude, m.latitude or 0, m.longitude or 0),
        default=None,
    )


def call_for_help(session: Session, *, acting_user: Actor, sos: SosIn) -> Intake:
    """Opened as life at risk, so the mission's duty officers and HQ are told at once."""
    mission = nearest_mission(session, sos.latitude, sos.longitude)
    if mission is None:
        raise Invalid("latitude", _("no mission is known near this place"))
    city = gazetteer.nearest_city(sos.latitude, sos.longitude)
    place = f"{city.name}, {city.country}" if city else f"{sos.latitude:.4f}, {sos.longitude:.4f}"
    report = CaseIn.model_validate(
        {
            "country": city.country if city else mission.country,
            "city": city.name if city else None,
            "description": sos.message
            or _("SOS from the portal: I need help now (near {place})").format(place=place),
            "reporter": {
                "name": sos.name,
                "phone": sos.phone,
                "email": sos.email,
                "relation": _("themself"),
            },
            "subject": {"full_name": sos.name},
        }
    )
    location = {"latitude": sos.latitude, "longitude": sos.longitude}
    if sos.accuracy_m is not None:
        location["accuracy_m"] = sos.accuracy_m
    return open_case(
        session,
        acting_user=acting_user,
        report=report,
        channel=Channel.web,
        severity=Severity.life_at_risk,
        mission=mission,
        location=location,
    )
