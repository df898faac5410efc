"""Settings of the service, read from the environment and an optional `.env` file.

Precedence (highest first): real environment variables, then `.env` in the working directory,
then the defaults below. The names are a contract with the people who deploy the bot: they are
listed in `.env.example` and in the README, so rename none of them without a migration note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES: tuple[str, ...] = ("kk", "ky", "tg", "uz", "ru", "en")
"""The six languages of the service, in the order the language picker shows them."""

COUNTRIES: tuple[str, ...] = ("KZ", "KG", "TJ", "UZ")
"""ISO 3166-1 alpha-2 codes of the countries the service covers."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = None
    telegram_api_base: str | None = Field(
        default=None,
        description="Base URL of a self-hosted Bot API server, e.g. http://127.0.0.1:8081",
    )

    data_dir: Path = Path("./data")
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy async URL; default: SQLite file in DATA_DIR"
    )
    redis_url: SecretStr | None = None

    webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL Telegram posts updates to, e.g. https://x/wh"
    )
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080

    operators_chat_id: int | None = Field(
        default=None, description="The operators' supergroup with topics, e.g. -1001234567890"
    )
    operators_language: Literal["kk", "ky", "tg", "uz", "ru", "en"] = Field(
        default="ru", description="The language of case cards and messages in the operators' chat"
    )
    operators_hours: str = Field(
        default="Mon-Fri 09:00-18:00",
        description="When operators answer, e.g. 'Mon-Fri 09:00-18:00; Sat 10:00-14:00'",
    )
    operators_holidays: str = Field(
        default="", description="Days off, e.g. '2026-12-16, 2027-01-01' (out of hours all day)"
    )
    operators_timezone: str = Field(
        default="Asia/Almaty", description="The time zone of OPERATORS_HOURS (IANA name)"
    )
    cases_per_day: int = Field(
        default=3, ge=1, description="How many legal-aid requests one person may send a day"
    )
    case_reminder_minutes: float = Field(
        default=60, gt=0, description="An unclaimed case is announced again after this long"
    )
    urgent_case_reminder_minutes: float = Field(
        default=10, gt=0, description="…and an unclaimed case marked 'in danger now' after this"
    )
    case_retention_days: int = Field(
        default=90, ge=1, description="A closed case is deleted this many days after closing"
    )
    profile_retention_days: int = Field(
        default=180,
        ge=1,
        description=(
            "A profile (language, country) and its safety plan are deleted after this many "
            "days unused; never while the person has a case"
        ),
    )
    conversation_retention_days: int = Field(
        default=14,
        ge=1,
        description=(
            "A conversation state (where someone is in a flow, with the answers typed so far) "
            "is deleted after this many days unused. Two weeks: enough to come back to a "
            "half-written request after a hard week or days without safe access to the phone; "
            "short enough that half-typed answers do not linger for someone else to find"
        ),
    )
    throttle_per_second: int = Field(
        default=5, ge=1, description="Updates one person may send in a second before a pause"
    )
    throttle_per_minute: int = Field(
        default=30, ge=1, description="…and in a minute; above either, the rest is dropped"
    )

    encryption_keys: SecretStr | None = Field(
        default=None,
        description=(
            "Comma-separated Fernet keys, newest first. Data is encrypted with the first and "
            "decrypted with any, so a new key can be put in front and old ones retired later."
        ),
    )
    pseudonym_key: SecretStr | None = Field(
        default=None, description="Secret for HMAC pseudonyms of Telegram ids (hex or text)"
    )

    contacts_reload_seconds: float = Field(
        default=2.0, description="How often the files in resources/ are checked for edits"
    )

    default_language: Literal["kk", "ky", "tg", "uz", "ru", "en"] = "ru"
    log_level: str = "INFO"
    locales_dir: Path = Path(__file__).resolve().parent.parent / "locales"
    resources_dir: Path = Path(__file__).resolve().parent.parent / "resources"

    @field_validator("webhook_url", "telegram_api_base")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url is not None and self.database_url.get_secret_value():
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{(self.data_dir / 'bot.sqlite3').resolve()}"

    @property
    def contacts_dir(self) -> Path:
        return self.resources_dir / "contacts"

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)
