"""Reading community data: the directories, events, volunteers, programs and contributions."""

from kieubao.community.models import SKILLS, Volunteer
from kieubao.community.queries.directory import (
    associations,
    experts,
    get_association,
    get_expert,
    invitation_workbook,
    profiles,
)
from kieubao.community.queries.events import (
    attendance,
    badge_url,
    checkin_url,
    delegate_of_badge,
    delegate_of_checkin,
    delegates,
    delegates_count,
    events,
    follow_ups,
    get_delegate,
    get_event,
    get_follow_up,
    invitations,
    same_delegate,
)
from kieubao.community.queries.work import (
    contributions,
    figures,
    get_volunteer,
    programs,
    volunteers,
)

__all__ = [
    "SKILLS",
    "Volunteer",
    "associations",
    "attendance",
    "badge_url",
    "checkin_url",
    "contributions",
    "delegate_of_badge",
    "delegate_of_checkin",
    "delegates",
    "delegates_count",
    "events",
    "experts",
    "figures",
    "follow_ups",
    "get_association",
    "get_delegate",
    "get_event",
    "get_expert",
    "get_follow_up",
    "get_volunteer",
    "invitation_workbook",
    "invitations",
    "profiles",
    "programs",
    "same_delegate",
    "volunteers",
]
