"""Alembic environment: runs against the connection that ``kms.core.db.migrate`` hands in."""

from alembic import context
from sqlmodel import SQLModel

import kms.core.models  # noqa: F401
from kms.core.db import ours

connection = context.config.attributes.get("connection")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    include_object=ours,
)
with context.begin_transaction():
    context.run_migrations()
