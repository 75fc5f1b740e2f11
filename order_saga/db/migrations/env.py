"""Alembic environment: runs against the engine handed over by order_saga.db.migrate."""

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

from order_saga.db import models  # noqa: F401  (registers the tables)

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=SQLModel.metadata)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
