"""Persistence for shiftdesk: SQLAlchemy models, migrations, the workflow service and the read views."""
