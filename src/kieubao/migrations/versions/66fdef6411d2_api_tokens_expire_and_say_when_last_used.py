"""api tokens expire and say when they were last used

Revision ID: 66fdef6411d2
Revises: 0dd89ea1087f
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kieubao.platform.db

revision: str = "66fdef6411d2"
down_revision: str | None = "0dd89ea1087f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", kieubao.platform.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_used_at", kieubao.platform.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
