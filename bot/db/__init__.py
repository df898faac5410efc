"""Database: models, engine, the per-update session and migrations."""
