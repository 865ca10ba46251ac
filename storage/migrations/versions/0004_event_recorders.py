"""Who recorded each event, besides who did it: `recorded_by`, and the OS user and host that wrote it.

Nullable: rows written before this revision do not know (they were recorded by their actor, as far as
anyone can tell). Adding columns is no UPDATE, so 0001's append-only triggers stay in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAME = 200  # as storage/models.py's NAME when written


def upgrade() -> None:
    op.add_column("events", sa.Column("recorded_by", sa.String(NAME), nullable=True))
    op.add_column("events", sa.Column("os_user", sa.String(NAME), nullable=True))
    op.add_column("events", sa.Column("host", sa.String(NAME), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("host")
        batch.drop_column("os_user")
        batch.drop_column("recorded_by")
