"""Erasure everywhere: one transaction that takes the person out of every domain.

What goes and what stays, domain by domain: the registry record keeps its id, country and
mission, nothing personal; their account is closed and its address gone; rosters keep the
status for the figures, notes and travel documents go; protection cases are kept by law
with the person pseudonymised; community rows (delegates, experts, volunteers, leaders)
keep their place in the counts without the person; subscriptions go; sent messages keep
their status without address or text; messages taken in forget their sender. The exposure
index follows the registry through the audit chain and drops the person at its next read.
Exports are never stored: they are made on demand from what is left. The audit chain holds
digests only, so it still verifies.
"""

from sqlalchemy import update
from sqlalchemy.orm import Session

from kieubao.community import actions as community
from kieubao.crisis import actions as crisis
from kieubao.inbound import actions as inbound
from kieubao.outreach import subscriptions
from kieubao.platform import accounts, outbox
from kieubao.platform.audit import Actor
from kieubao.platform.models import User
from kieubao.privacy.models import SubjectRequest
from kieubao.protection import actions as protection
from kieubao.registry import actions as registry
from kieubao.registry.models import Citizen


def addresses_of(citizen: Citizen) -> list[str]:
    """Every way the person could be addressed, in the forms other domains store them."""
    found = {
        citizen.email or "",
        citizen.zalo or "",
        citizen.telegram or "",
        citizen.whatsapp or "",
    }
    for phone in citizen.phones or []:
        digits = "".join(ch for ch in phone if ch.isdigit())
        found |= {phone, digits, f"+{digits}"}
    return sorted(a for a in found if a)


def erase_everywhere(session: Session, *, acting_user: Actor, citizen: Citizen) -> None:
    """The caller commits: the erasure lands whole or not at all."""
    name, addresses = citizen.full_name, addresses_of(citizen)
    account = session.get(User, citizen.user_id) if citizen.user_id else None
    if account is not None:
        addresses.append(account.email)
    protection.pseudonymise_person(
        session, acting_user=acting_user, citizen_id=citizen.id, name=name, addresses=addresses
    )
    crisis.forget_person(
        session, acting_user=acting_user, citizen_id=citizen.id, addresses=addresses
    )
    community.forget_person(
        session, acting_user=acting_user, citizen_id=citizen.id, addresses=addresses
    )
    subscriptions.forget_addresses(session, acting_user=acting_user, addresses=addresses)
    outbox.forget_addresses(session, addresses)
    inbound.forget_senders(session, addresses=addresses)
    registry.erase_citizen(session, acting_user=acting_user, citizen=citizen)
    if account is not None:
        accounts.forget_user(session, acting_user=acting_user, user=account)
    # What the person wrote in their requests may name them too; the requests stay as the
    # record that the right was honoured.
    session.execute(
        update(SubjectRequest)
        .where(SubjectRequest.citizen_id == citizen.id)
        .values(details="", identity_note="")
    )
