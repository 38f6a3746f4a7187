"""protection case search: keyed word digests of each case

Revision ID: 02eaf14ea4d6
Revises: d26b54bda179
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "02eaf14ea4d6"
down_revision: str | None = "d26b54bda179"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Cases already on disk are indexed by `kieubao protection reindex` (it needs the key).
    op.create_table(
        "protection_case_tokens",
        sa.Column("token", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["protection_cases.id"],
            name=op.f("fk_protection_case_tokens_case_id_protection_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", "case_id", name=op.f("pk_protection_case_tokens")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("protection_case_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_protection_case_tokens_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("protection_case_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protection_case_tokens_case_id"))
    op.drop_table("protection_case_tokens")
