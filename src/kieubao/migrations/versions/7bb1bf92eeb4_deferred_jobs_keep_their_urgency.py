"""deferred jobs keep their urgency

Revision ID: 7bb1bf92eeb4
Revises: 579a8b677002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7bb1bf92eeb4"
down_revision: str | None = "579a8b677002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deferred_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("deferred_jobs", schema=None) as batch_op:
        batch_op.drop_column("urgent")
