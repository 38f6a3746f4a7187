"""crisis self-reports carry an idempotency key: a submission sent twice is kept once

Revision ID: 165862ef9edf
Revises: 02eaf14ea4d6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "165862ef9edf"
down_revision: str | None = "02eaf14ea4d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crisis_self_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
    # Those kept before had none: each is its own.
    op.execute("UPDATE crisis_self_reports SET idempotency_key = 'id-' || id")
    with op.batch_alter_table("crisis_self_reports", schema=None) as batch_op:
        batch_op.alter_column("idempotency_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_crisis_self_reports_crisis_id"), ["crisis_id", "idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("crisis_self_reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_crisis_self_reports_crisis_id"), type_="unique")
        batch_op.drop_column("idempotency_key")
