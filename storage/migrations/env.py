"""Alembic environment: runs migrations on the connection shiftdesk hands over."""

from alembic import context

from storage.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `shiftdesk db upgrade` (storage.migrate), not the alembic CLI")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
