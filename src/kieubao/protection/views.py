"""Cases as the API and the pages show them: officers see all, reporters the public part."""

from kieubao.platform import i18n
from kieubao.platform.db import utcnow
from kieubao.platform.i18n import gettext as _
from kieubao.protection import queries
from kieubao.protection.models import Case, LiaisonKind, Severity, Status
from kieubao.protection.schemas import (
    CaseOut,
    CaseSummary,
    EventOut,
    LiaisonOut,
    NextStep,
    PlanStep,
    PublicFile,
    PublicMessage,
    StepOut,
    SubjectOut,
    TrackOut,
)


def status_label(status: Status) -> str:
    return {
        Status.new: _("Received"),
        Status.triaged: _("Being handled by the mission"),
        Status.in_progress: _("In progress"),
        Status.waiting: _("Waiting for a reply"),
        Status.escalated: _("Given priority"),
        Status.resolved: _("Resolved"),
        Status.closed: _("Closed"),
    }[status]


def localized(vi: str, en: str) -> str:
    """The name in the language being spoken."""
    return vi if i18n.current_locale.get() == "vi" else en


def case_out(case: Case) -> CaseOut:
    now = utcnow()
    return CaseOut(
        id=case.id,
        number=case.number,
        case_type=case.case_type.code,
        status=case.status,
        severity=case.severity,
        country=case.country,
        mission=case.mission.code if case.mission else None,
        channel=case.channel,
        description=case.description,
        details=case.details,
        triage=case.triage,
        reporter={
            "name": case.reporters[0].name,
            "phone": case.reporters[0].phone,
            "email": case.reporters[0].email,
            "relation": case.reporters[0].relation,
        },
        assignee=case.assignee.email if case.assignee else None,
        subjects=[SubjectOut.model_validate(s) for s in case.subjects],
        steps=[
            StepOut(
                code=s.code,
                name=localized(s.name_vi, s.name_en),
                due_at=s.due_at,
                done_at=s.done_at,
                overdue=s.overdue(now),
            )
            for s in case.steps
        ],
        liaisons=[LiaisonOut.model_validate(entry) for entry in case.liaisons],
        events=[
            EventOut(at=e.at, kind=e.kind, public=e.public, text=e.text, data=e.data)
            for e in case.events
        ],
        created_at=case.created_at,
    )


def summary(case: Case, overdue: int) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        number=case.number,
        case_type=case.case_type.code,
        status=case.status,
        severity=case.severity,
        country=case.country,
        mission=case.mission.code if case.mission else None,
        created_at=case.created_at,
        overdue_steps=overdue,
    )


def track_out(case: Case) -> TrackOut:
    """Only what the reporter may read: status, public messages, the plan of steps with their
    dates, the next one and whether it is late, and the mission that answers."""
    step = queries.next_step(case)
    mission = case.mission
    public = queries.files_by_event(case)
    return TrackOut(
        case_number=case.number,
        case_type=localized(case.case_type.name_vi, case.case_type.name_en),
        status=case.status,
        status_label=status_label(case.status),
        messages=[
            PublicMessage(
                at=e.at,
                text=e.text,
                files=[PublicFile.model_validate(a, from_attributes=True) for a in public[e.id]],
            )
            for e in case.events
            if e.public and e.kind == "message"
        ],
        next_step=NextStep(
            name=localized(step.name_vi, step.name_en),
            due_at=step.due_at,
            late=step.overdue(utcnow()),
        )
        if step
        else None,
        plan=[
            PlanStep(name=localized(s.name_vi, s.name_en), due_at=s.due_at, done_at=s.done_at)
            for s in case.steps
        ],
        mission=localized(mission.name_vi, mission.name_en) if mission else None,
        mission_hotline=(mission.hotline or mission.phone or None) if mission else None,
    )


def severity_label(severity: Severity) -> str:
    return {
        Severity.life_at_risk: _("Life at risk"),
        Severity.liberty: _("Liberty"),
        Severity.property: _("Property"),
        Severity.information: _("Information"),
    }[severity]


def liaison_label(kind: LiaisonKind) -> str:
    return {
        LiaisonKind.note_verbale: _("Note verbale"),
        LiaisonKind.call: _("Call"),
        LiaisonKind.meeting: _("Meeting"),
        LiaisonKind.reply: _("Reply"),
    }[kind]


def event_label(kind: str) -> str:
    labels = {
        "opened": _("Case opened"),
        "report_added": _("Another report added"),
        "status": _("Status changed"),
        "triaged": _("Triage confirmed"),
        "note": _("Internal note"),
        "message": _("Message to the reporter"),
        "liaison": _("Liaison logged"),
        "step_done": _("Step done"),
        "assigned": _("Assigned"),
        "escalated": _("Escalated"),
        "inbound": _("Message from the reporter"),
        "merged_into": _("Merged into another case"),
        "merged_from": _("Duplicate case merged in"),
        "subject_registered": _("Person linked to the registry"),
        "subject_corrected": _("Person's name or birth date corrected"),
        "attachment_failed": _("Attachment could not be fetched"),
    }
    return labels.get(kind, kind)
