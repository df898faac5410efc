"""The models and the alembic migrations must describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head
from bot.db.models import Base


async def test_migrations_create_exactly_the_models(settings: Settings) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await upgrade_to_head(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
    assert {"users", "fsm_records", "alembic_version"} <= set(tables)


async def test_migrating_twice_is_harmless(settings: Settings) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await upgrade_to_head(engine)
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
