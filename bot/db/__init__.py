"""Database: models, engine, the per-update session and migrations."""

# Every table must be on Base.metadata whatever is imported first (alembic's env imports
# bot.db.models, and the migrations test compares the whole metadata).
from bot.db import cases, models  # noqa: F401
