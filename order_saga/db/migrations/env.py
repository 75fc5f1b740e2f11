"""Alembic environment: runs against the engine handed over by order_saga.db.migrate."""

from alembic import context
from sqlalchemy import Engine

from order_saga.db.tables import METADATA

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=METADATA)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
