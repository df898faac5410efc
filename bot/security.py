"""Keys, encryption and pseudonyms: the pieces that keep a survivor anonymous.

* Everything a person types, and all conversation state, is encrypted at rest with Fernet
  (AES-128-CBC + HMAC-SHA256, from `cryptography`). `MultiFernet` lets several keys live side
  by side: the first encrypts, any decrypts, so keys can be rotated without downtime.
* A person is stored under a keyed pseudonym, HMAC-SHA256 of their Telegram id. Without the key
  the pseudonym cannot be linked back to the account, not even by trying every possible id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import Settings

logger = logging.getLogger(__name__)

ENCRYPTION_KEYS_FILE = "encryption.keys"
PSEUDONYM_KEY_FILE = "pseudonym.key"


class DecryptionError(Exception):
    """Stored data could not be decrypted with any of the configured keys."""


class Cipher:
    """Symmetric encryption of text with key rotation."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored data does not match any encryption key") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key (no-op in meaning, new ciphertext)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise DecryptionError("stored data does not match any encryption key") from exc


class Pseudonymizer:
    """Turns Telegram ids into stable, unlinkable identifiers."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the pseudonym key must be at least 32 bytes")
        self._key = key

    def of(self, *parts: object) -> str:
        message = ":".join(str(part) for part in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keys:
    encryption: list[str]
    pseudonym: bytes

    def cipher(self) -> Cipher:
        return Cipher(self.encryption)

    def pseudonymizer(self) -> Pseudonymizer:
        return Pseudonymizer(self.pseudonym)


def _write_secret(path: Path, content: str) -> None:
    # O_EXCL: never overwrite a key that exists; a lost key makes all stored data unreadable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(content)


def load_or_create_keys(settings: Settings) -> Keys:
    """Keys from the settings, else from DATA_DIR/keys, else freshly generated there.

    Generated keys are written with owner-only permissions. Their values are never logged.
    """
    keys_dir = settings.data_dir / "keys"
    encryption = _from_setting(settings.encryption_keys)
    pseudonym = _from_setting(settings.pseudonym_key)

    if encryption is None or pseudonym is None:
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(keys_dir, 0o700)
    if encryption is None:
        path = keys_dir / ENCRYPTION_KEYS_FILE
        if not path.exists():
            _write_secret(path, Fernet.generate_key().decode("ascii") + "\n")
            logger.warning(
                "No ENCRYPTION_KEYS set: generated a new encryption key in %s (owner-only). "
                "Back it up: without it stored conversations cannot be read.",
                path,
            )
        encryption = path.read_text(encoding="ascii")
    if pseudonym is None:
        path = keys_dir / PSEUDONYM_KEY_FILE
        if not path.exists():
            _write_secret(path, secrets.token_hex(32) + "\n")
            logger.warning(
                "No PSEUDONYM_KEY set: generated a new pseudonym key in %s (owner-only). "
                "Back it up: without it returning people cannot be recognised.",
                path,
            )
        pseudonym = path.read_text(encoding="ascii")

    keys = [part.strip() for part in encryption.replace("\n", ",").split(",") if part.strip()]
    return Keys(encryption=keys, pseudonym=pseudonym.strip().encode())


def _from_setting(value: object) -> str | None:
    if value is None:
        return None
    secret = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return secret or None


def generate_encryption_key() -> str:
    return Fernet.generate_key().decode("ascii")
