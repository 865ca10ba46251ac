"""Escalation steps taken (once per database) and agents marked absent, with who and when.

`escalations`: one row per step of a breached deadline's ladder; the unique key (case, deadline kind, due
time, step) is what makes two dashboards on one database take a step once: the second insert loses.
`absences`: one row per absence; `ended_at` NULL while the agent is still absent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NAME = 200  # as storage/models.py's NAME when written
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("target", sa.String(NAME), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("acked_at", WHEN, nullable=True),
        sa.Column("acked_by", sa.String(NAME), nullable=True),
        sa.UniqueConstraint("case_id", "kind", "due_at", "step", name="uq_escalations_step"),
    )
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agent", sa.String(NAME), nullable=False),
        sa.Column("since", WHEN, nullable=False),
        sa.Column("marked_by", sa.String(NAME), nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("ended_by", sa.String(NAME), nullable=True),
    )
    op.create_index("ix_absences_agent", "absences", ["agent"])


def downgrade() -> None:
    op.drop_index("ix_absences_agent", "absences")
    op.drop_table("absences")
    op.drop_table("escalations")
