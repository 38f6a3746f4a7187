"""Coordination's background work: generating reviews."""

from sqlalchemy import select

from kieubao.coordination.actions.reviews import compute_review
from kieubao.coordination.models import JobState, Review
from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import enqueue, exclusive, job, on_worker_start

SYSTEM = audit.System("coordination")


@job()
def generate_review(*, review_id: int) -> None:
    """One worker per review at a time; a review already done is not computed again."""
    with exclusive(f"review-{review_id}"), session_scope() as session:
        review = session.get(Review, review_id)
        if review is not None:
            compute_review(session, acting_user=SYSTEM, review=review)


@on_worker_start
def resume_reviews() -> None:
    """Reviews a killed worker was generating, or whose job never reached the queue, are
    generated again from the start (their figures are kept only once all are computed); one
    still queued is asked for twice, and the second run finds it done."""
    with session_scope() as session:
        unfinished = session.scalars(
            select(Review.id).where(Review.state.in_((JobState.queued, JobState.running)))
        )
        for review_id in list(unfinished):
            enqueue(generate_review, review_id=review_id)
