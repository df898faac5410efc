from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.config import Settings
from bot.security import (
    Cipher,
    DecryptionError,
    Pseudonymizer,
    generate_encryption_key,
    load_or_create_keys,
)


def test_first_start_generates_keys_owner_only_and_never_logs_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "data", encryption_keys=None, pseudonym_key=None)
    with caplog.at_level("INFO"):
        keys = load_or_create_keys(settings)
    key_files = sorted((tmp_path / "data" / "keys").iterdir())
    assert [path.name for path in key_files] == ["encryption.keys", "pseudonym.key"]
    for path in key_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data" / "keys").stat().st_mode) == 0o700
    assert "generated a new encryption key" in caplog.text
    assert keys.encryption[0] not in caplog.text
    assert keys.pseudonym.decode() not in caplog.text


def test_second_start_reuses_the_same_keys(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", encryption_keys=None, pseudonym_key=None)
    first = load_or_create_keys(settings)
    second = load_or_create_keys(settings)
    assert first == second
    assert first.pseudonymizer().of("user", 1) == second.pseudonymizer().of("user", 1)


def test_pseudonym_is_stable_keyed_and_hides_the_id() -> None:
    alice = Pseudonymizer(b"a" * 32)
    other_key = Pseudonymizer(b"b" * 32)
    assert alice.of("user", 123456789) == alice.of("user", 123456789)
    assert alice.of("user", 123456789) != alice.of("user", 123456780)
    assert alice.of("user", 123456789) != other_key.of("user", 123456789)
    assert "123456789" not in alice.of("user", 123456789)


def test_pseudonym_key_must_be_long_enough() -> None:
    with pytest.raises(ValueError):
        Pseudonymizer(b"short")


def test_rotation_new_key_first_still_reads_old_data() -> None:
    old_key, new_key = generate_encryption_key(), generate_encryption_key()
    token = Cipher([old_key]).encrypt("what happened to me")
    rotated = Cipher([new_key, old_key])
    assert rotated.decrypt(token) == "what happened to me"
    re_encrypted = rotated.rotate(token)
    assert Cipher([new_key]).decrypt(re_encrypted) == "what happened to me"
    with pytest.raises(DecryptionError):
        Cipher([new_key]).decrypt(token)


def test_ciphertext_does_not_contain_the_plain_text() -> None:
    cipher = Cipher([generate_encryption_key()])
    token = cipher.encrypt("Меня избили в отделе полиции")
    assert "избили" not in token
    assert cipher.encrypt("same") != cipher.encrypt("same")
