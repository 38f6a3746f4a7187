"""jobs kept while the queue is out of reach

Revision ID: 75dacef0b0c2
Revises: df0a9aa93947
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kieubao.platform.db

revision: str = "75dacef0b0c2"
down_revision: str | None = "df0a9aa93947"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deferred_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("deferred_at", kieubao.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deferred_jobs")),
    )


def downgrade() -> None:
    op.drop_table("deferred_jobs")
