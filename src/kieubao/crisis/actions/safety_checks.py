"""Safety checks: "are you safe?" to everyone on a roster not heard from, each with their own
reply link, through the outbox (durable, once per person).

Each person is asked by the best channel they have (the order is a setting: email, SMS,
Zalo, Telegram, WhatsApp by default). Whoever is not heard from is asked again by their
next channel: at once when the message could not be delivered, else once the follow-up
time has passed. Whoever has no channel left stays on the officers' call list."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.roster import reply_link_token, require_open
from kieubao.crisis.models import Crisis, RosterEntry, SafetyCheck
from kieubao.platform import audit, outbox
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, utcnow
from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.registry.models import Citizen, Consent, Purpose

UNDELIVERED = (outbox.Status.failed, outbox.Status.bounced)
# Roster entries per query when only some are read.
CHUNK = 1000


@dataclass
class _Asked:
    """What one person was sent so far: the channels tried, and how their latest went."""

    channels: set[str]
    latest_round: int = 0
    latest_status: outbox.Status | None = None


Way = tuple[str, str]  # channel, address
Plan = tuple[list[tuple[RosterEntry, Citizen, Way]], int]  # whom to ask how, and how many not


def send_safety_check(
    session: Session,
    *,
    acting_user: Actor,
    crisis: Crisis,
    follow_up_of: SafetyCheck | None = None,
    undelivered_only: bool = False,
) -> SafetyCheck:
    """A new round to those still unaccounted for who agreed to crisis messages, each by
    their best channel. Those who cannot be asked are counted, for the call list.

    A follow-up of an earlier round asks, by their next channel, those that round was their
    latest message; with ``undelivered_only``, only those whose message could not be
    delivered, and the earlier round still waits for its own follow-up time."""
    require_open(crisis)
    plan = _plan(session, crisis, follow_up_of, undelivered_only=undelivered_only)
    return _send_round(
        session,
        acting_user=acting_user,
        crisis=crisis,
        plan=plan,
        follow_up_of=follow_up_of,
        undelivered_only=undelivered_only,
    )


def _send_round(
    session: Session,
    *,
    acting_user: Actor,
    crisis: Crisis,
    plan: Plan,
    follow_up_of: SafetyCheck | None,
    undelivered_only: bool,
) -> SafetyCheck:
    round_ = _rounds(session, crisis) + 1
    base = get_settings().base_url.rstrip("/")
    to_ask, not_asked = plan
    messages = [
        outbox.Message(
            key=_key(crisis.id, round_, entry.id),
            channel=way[0],
            address=way[1],
            fields={"name": citizen.full_name, "link": f"{base}/r/{reply_link_token(entry)}"},
        )
        for entry, citizen, way in to_ask
    ]
    send_key = f"safety-check-{crisis.id}-{round_}"
    if messages:
        outbox.queue(
            session,
            send_key=send_key,
            kind="safety_check",
            context={"title": crisis.title},
            messages=messages,
        )
    check = SafetyCheck(
        crisis_id=crisis.id,
        round=round_,
        send_key=send_key,
        sent_at=utcnow(),
        sent_by_id=acting_user.id if isinstance(acting_user, User) else None,
        recipients=len(messages),
        not_asked=not_asked,
        follow_up_of=follow_up_of.id if follow_up_of else None,
    )
    if follow_up_of is not None and not undelivered_only:
        follow_up_of.followed_up_at = check.sent_at
    session.add(check)
    session.flush()
    audit.record(
        session,
        acting_user,
        "crisis.safety_check",
        "crisis",
        crisis.id,
        after={"round": round_, "recipients": len(messages), "not_asked": not_asked},
    )
    commit(session)
    return check


def _key(crisis_id: int, round_: int, entry_id: int) -> str:
    return f"safety-check-{crisis_id}-{round_}-{entry_id}"


def _rounds(session: Session, crisis: Crisis) -> int:
    return session.scalar(select(func.count()).where(SafetyCheck.crisis_id == crisis.id)) or 0


def follow_up_due(session: Session, *, acting_user: Actor) -> int:
    """Ask again, by their next channel, those a round has not reached (at once) or not
    heard from in the time set; returns how many rounds were sent.

    Runs every few minutes while rounds of a hundred thousand wait, so it reads only whom it
    may ask: before the follow-up time, the round's undelivered messages (by the outbox's
    send and status index, usually none); after it, the roster's unaccounted members (by
    the roster's crisis and status index); and what each of those was sent, by the exact
    keys of their messages."""
    wait = timedelta(minutes=get_settings().safety_check_follow_up_minutes)
    pending = session.scalars(
        select(SafetyCheck)
        .join(Crisis, Crisis.id == SafetyCheck.crisis_id)
        .where(Crisis.status == "open", SafetyCheck.followed_up_at.is_(None))
        .order_by(SafetyCheck.id)
    ).all()
    sent = 0
    for check in pending:
        crisis = session.get(Crisis, check.crisis_id)
        assert crisis is not None  # joined above
        due = check.sent_at <= utcnow() - wait
        among = None
        if not due:
            undelivered = outbox.keys_with_status(
                session, send_key=check.send_key, among=UNDELIVERED
            )
            among = [int(key.rpartition("-")[2]) for key in undelivered]
            if not among:
                continue
        plan = _plan(session, crisis, check, undelivered_only=not due, among=among)
        if not plan[0]:
            if due:
                check.followed_up_at = utcnow()  # nobody left to ask by another channel
                commit(session)
            continue
        _send_round(
            session,
            acting_user=acting_user,
            crisis=crisis,
            plan=plan,
            follow_up_of=check,
            undelivered_only=not due,
        )
        sent += 1
    return sent


def _plan(
    session: Session,
    crisis: Crisis,
    follow_up_of: SafetyCheck | None,
    *,
    undelivered_only: bool,
    among: list[int] | None = None,
) -> Plan:
    """Who a round asks and by which way; and how many it cannot ask. ``among`` narrows the
    roster to these entries."""
    members = _unaccounted(session, crisis, among)
    asked: dict[int, _Asked] = {}
    if follow_up_of is not None:
        asked = _asked(session, crisis, [entry.id for entry, _, _ in members])
    to_ask, not_asked = [], 0
    for entry, citizen, consent in members:
        if follow_up_of is None:
            way = next(iter(_ways(citizen)), None)
        else:
            before = asked.get(entry.id)
            if before is None or before.latest_round != follow_up_of.round:
                continue  # not asked in that round, or already asked again since
            if undelivered_only and before.latest_status not in UNDELIVERED:
                continue
            way = next((w for w in _ways(citizen) if w[0] not in before.channels), None)
        if not consent or way is None:
            not_asked += 1
        else:
            to_ask.append((entry, citizen, way))
    return to_ask, not_asked


def _unaccounted(
    session: Session, crisis: Crisis, among: list[int] | None
) -> list[tuple[RosterEntry, Citizen, bool]]:
    """The roster's unaccounted entries (all, or those of ``among``), each with their citizen
    and whether their latest word on crisis messages is yes."""
    latest = (
        select(Consent.citizen_id, func.max(Consent.id).label("consent_id"))
        .where(Consent.purpose == Purpose.crisis_alerts)
        .group_by(Consent.citizen_id)
        .subquery()
    )
    query = (
        select(RosterEntry, Citizen, Consent.granted)
        .join(Citizen, Citizen.id == RosterEntry.citizen_id)
        .outerjoin(latest, latest.c.citizen_id == Citizen.id)
        .outerjoin(Consent, Consent.id == latest.c.consent_id)
        .where(RosterEntry.crisis_id == crisis.id, RosterEntry.status == "unaccounted")
        .order_by(RosterEntry.id)
    )
    chunks = (
        [None] if among is None else [among[i : i + CHUNK] for i in range(0, len(among), CHUNK)]
    )
    found: list[tuple[RosterEntry, Citizen, bool]] = []
    for chunk in chunks:
        narrowed = query if chunk is None else query.where(RosterEntry.id.in_(chunk))
        found.extend(
            (entry, citizen, bool(consent)) for entry, citizen, consent in session.execute(narrowed)
        )
    return sorted(found, key=lambda row: row[0].id)


def _asked(session: Session, crisis: Crisis, entry_ids: list[int]) -> dict[int, _Asked]:
    """Per roster entry, what the crisis's safety checks sent them, from the outbox by the
    exact key of each round's message to them."""
    rounds = range(1, _rounds(session, crisis) + 1)
    keys = [_key(crisis.id, r, entry) for entry in entry_ids for r in rounds]
    found: dict[int, _Asked] = {}
    prefix = f"safety-check-{crisis.id}-"
    for key, channel, status in outbox.statuses(session, keys):
        round_, _, entry = key.removeprefix(prefix).partition("-")
        asked = found.setdefault(int(entry), _Asked(set()))
        asked.channels.add(channel)
        if int(round_) > asked.latest_round:
            asked.latest_round, asked.latest_status = int(round_), status
    return found


def _ways(citizen: Citizen) -> list[Way]:
    """The channels a person can be asked by, best first, with their address on each."""
    have = {
        "email": citizen.email,
        "sms": citizen.phones[0] if citizen.phones else None,
        "zalo": citizen.zalo,
        "telegram": citizen.telegram,
        "whatsapp": citizen.whatsapp,
    }
    return [(c, a) for c in get_settings().safety_check_channels if (a := have.get(c))]
