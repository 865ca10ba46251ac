"""Initial schema: cases, the append-only event log, depositions, and the trend facts."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NAME = 200
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("customer", sa.String(NAME), nullable=False),
        sa.Column("contact", sa.String(NAME)),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("category", sa.String(NAME), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("site", sa.String(NAME), nullable=False),
        sa.Column("region", sa.String(NAME), nullable=False),
        sa.Column("product", sa.String(NAME), nullable=False),
        sa.Column("staff", sa.String(NAME), nullable=False),
        sa.Column("owner", sa.String(NAME), nullable=False),
        sa.Column("assignee", sa.String(NAME), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_contact_at", WHEN),
        sa.Column("fixed_at", WHEN),
        sa.Column("followed_up_at", WHEN),
        sa.Column("documented_at", WHEN),
        sa.Column("closed_at", WHEN),
        sa.Column("check_back_owed_since", WHEN),
        sa.Column("public_apology_at", WHEN),
        sa.Column("spokesperson", sa.String(NAME)),
        sa.Column("last_event_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_cases_opened_at", "cases", ["opened_at"])
    op.create_index("ix_cases_assignee", "cases", ["assignee"])
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    op.create_index("ix_cases_last_event_id", "cases", ["last_event_id"])
    op.create_index("ix_cases_open", "cases", ["closed_at", "stage"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(NAME), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_case_id", "events", ["case_id"])
    op.create_table(
        "depositions",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("filed_at", WHEN, nullable=False),
        sa.Column("author", sa.String(NAME), nullable=False),
        sa.Column("customer_view", sa.Text, nullable=False),
        sa.Column("customer_needed", sa.Text, nullable=False),
        sa.Column("actions_taken", sa.Text, nullable=False),
        sa.Column("root_cause", sa.Text, nullable=False),
        sa.Column("factors", sa.String(NAME), nullable=False),
        sa.Column("gesture", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
    )
    op.create_index("ix_depositions_filed_at", "depositions", ["filed_at"])
    op.create_table(
        "trend_facts",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("opened_epoch", sa.BigInteger, nullable=False),
        sa.Column("packed", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_trend_facts_opened_epoch", "trend_facts", ["opened_epoch"])
    op.create_table(
        "dimension_codes",
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("label", sa.String(NAME), primary_key=True),
        sa.Column("code", sa.Integer, nullable=False),
    )
    _forbid_changes("events")
    _forbid_changes("depositions")


def _forbid_changes(table: str) -> None:
    """The audit trail is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
            )
    else:
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} are append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )


def downgrade() -> None:
    for table in ("dimension_codes", "trend_facts", "depositions", "events", "cases"):
        op.drop_table(table)
