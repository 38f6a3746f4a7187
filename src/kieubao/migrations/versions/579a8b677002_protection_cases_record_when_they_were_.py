"""protection cases record when they were settled: the sweep finds the unsettled by that

Revision ID: 579a8b677002
Revises: 5be14f66ee55
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kieubao.platform.db

revision: str = "579a8b677002"
down_revision: str | None = "5be14f66ee55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSETTLED = sa.text("settled_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("protection_cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("settled_at", kieubao.platform.db.UTCDateTime(timezone=True), nullable=True)
        )
    # Cases already there count as settled: the sweep before this looked back 15 minutes.
    op.execute("UPDATE protection_cases SET settled_at = created_at")
    with op.batch_alter_table("protection_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_protection_cases_unsettled",
            ["created_at"],
            unique=False,
            sqlite_where=UNSETTLED,
            postgresql_where=UNSETTLED,
        )


def downgrade() -> None:
    with op.batch_alter_table("protection_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_protection_cases_unsettled")
        batch_op.drop_column("settled_at")
