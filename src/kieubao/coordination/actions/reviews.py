"""Periodic reviews (sơ kết / tổng kết): asked for by HQ, computed by a job, then edited."""

from sqlalchemy.orm import Session

from kieubao.coordination import views
from kieubao.coordination.models import JobState, Review
from kieubao.coordination.queries import figures
from kieubao.coordination.schemas import ReviewEdit, ReviewIn
from kieubao.platform import audit, jobs
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.errors import Conflict
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import User


def request_review(session: Session, *, acting_user: User, data: ReviewIn) -> Review:
    from kieubao.coordination.jobs import generate_review

    title = data.title or "{kind} {start} – {end}".format(
        kind=views.kind_label(data.kind),
        start=data.period_start.strftime("%d/%m/%Y"),
        end=data.period_end.strftime("%d/%m/%Y"),
    )
    review = Review(
        kind=data.kind,
        period_start=data.period_start,
        period_end=data.period_end,
        title=title,
        requested_by_id=acting_user.id,
    )
    session.add(review)
    session.flush()
    audit.record(
        session, acting_user, "review.requested", "review", review.id,
        after=data.model_dump(mode="json"),
    )  # fmt: skip
    on_commit(session, jobs.enqueue, generate_review, review_id=review.id)
    commit(session)
    return review


def edit_review(session: Session, *, acting_user: User, review: Review, data: ReviewEdit) -> Review:
    """The generated text is a draft: officers rewrite its title and summary."""
    if review.state is not JobState.done:
        raise Conflict(_("the review is still being generated"))
    before = {"title": review.title, "summary": review.summary}
    for name, value in data.model_dump(exclude_none=True).items():
        setattr(review, name, value)
    after = {"title": review.title, "summary": review.summary}
    audit.record(
        session, acting_user, "review.edited", "review", review.id, before=before, after=after
    )
    commit(session)
    return review


def compute_review(session: Session, *, acting_user: audit.Actor, review: Review) -> None:
    """Figures part by part, the progress committed after each so the page can show it. A
    review already done is left as it is."""
    if review.state is JobState.done:
        return
    review.state, review.progress, review.error = JobState.running, 0, None
    commit(session)

    def progress(percent: int) -> None:
        review.progress = min(percent, 99)
        commit(session)

    try:
        review.figures = figures.review_figures(
            session, review.period_start, review.period_end, progress
        )
    except Exception as exc:
        session.rollback()
        review.state, review.error = JobState.failed, str(exc)[:400]
        commit(session)
        raise
    review.state, review.progress, review.finished_at = JobState.done, 100, utcnow()
    audit.record(session, acting_user, "review.generated", "review", review.id)
    commit(session)
