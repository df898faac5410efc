"""cases: the card's message id, to bring the card up to date from elsewhere

Revision ID: 7a2c4e6f8d10
Revises: 5e1d7c9a0b3f
Create Date: 2026-11-23 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a2c4e6f8d10"
down_revision: str | None = "5e1d7c9a0b3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("card_message_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("card_message_id")
