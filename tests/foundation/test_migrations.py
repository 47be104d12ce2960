from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from bot.cli.db import alembic_config
from bot.store.db import make_engine
from bot.store.models import Base


def test_models_and_migrations_never_drift(database_url: str) -> None:
    command.check(alembic_config(database_url))  # raises on any difference


def test_downgrade_to_base_and_back_up(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "base")
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
