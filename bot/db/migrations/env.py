"""Alembic environment: runs on the connection the bot hands in (``Database.upgrade``)."""

from alembic import context

from bot.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `skilltree db upgrade`; it supplies the connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table.
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
