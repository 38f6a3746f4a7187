"""accounts lock after failed sign-ins

Revision ID: df0a9aa93947
Revises: a7fa7bfefe56
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kieubao.platform.db

revision: str = "df0a9aa93947"
down_revision: str | None = "a7fa7bfefe56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("locked_until", kieubao.platform.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
