"""Coordination's background work: generating reviews."""

from kieubao.coordination.actions.reviews import compute_review
from kieubao.coordination.models import Review
from kieubao.platform import audit
from kieubao.platform.db import session_scope
from kieubao.platform.jobs import exclusive, job

SYSTEM = audit.System("coordination")


@job()
def generate_review(*, review_id: int) -> None:
    """One worker per review at a time; a review already done is not computed again."""
    with exclusive(f"review-{review_id}"), session_scope() as session:
        review = session.get(Review, review_id)
        if review is not None:
            compute_review(session, acting_user=SYSTEM, review=review)
