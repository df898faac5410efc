"""Collision-free dialog intent ids for aiogram-dialog.

aiogram-dialog 2.6 names every opened dialog ``time.time() % 1e8 + randint(0, 99) * 1e8``: two
dialogs opened in the same second share an id one time in a hundred, and then a person's next
button press lands on the wrong (or a deleted) dialog and they are told their button is stale.
CI caught this as a flaky safety-plan test. No setting in the library changes the generator, so
we replace the module-level function it calls with one drawing from ``secrets`` (48 random bits,
8 characters, still well inside Telegram's 64-byte callback data).
"""

from __future__ import annotations

import secrets
import string

from aiogram_dialog.api.entities import stack

_ALPHABET = string.digits + string.ascii_letters
_LENGTH = 8  # 62**8 ≈ 2.2e14: collisions between a person's few live dialogs are not a concern


def new_intent_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))


def install() -> None:
    """Make every dialog aiogram-dialog opens from now on get an id from :func:`new_intent_id`."""
    stack.new_id = new_intent_id
