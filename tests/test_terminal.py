"""The offline terminal chat: a person sends a legal-aid request, then plays the operator who
claims it and answers, and sees the answer arrive as the person."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from bot.config import Settings
from bot.terminal import run_chat


async def test_the_terminal_plays_both_the_person_and_an_operator(settings: Settings) -> None:
    script = iter(
        [
            "1",  # English (offered first: the app's language)
            "2",  # Kyrgyzstan
            "4",  # I need a lawyer
            "1",  # Yes, continue
            "1",  # Violence at home
            "2",  # Osh
            "He hits me 3141",
            "2",  # within the next days
            "1",  # only in this chat
            "1",  # Send
            ":op",
            ":op 1",
            "1",  # Claim, on the card
            "We are here. Are you safe now?",
            ":me",
            ":reply Yes, I am at my sister's 2024",
            ":sticker",
            ":quit",
        ]
    )
    shown: list[str] = []

    def read(prompt: str) -> str:
        line = next(script)
        shown.append(f"{prompt}{line}")
        return line

    code = await run_chat(
        settings.model_copy(update={"operators_language": "en"}),
        user_language="en",
        read=read,
        write=shown.append,
    )
    transcript = "\n".join(shown)
    assert code == 0
    assert "Your request is sent. Its code:" in transcript
    assert "a new topic in the operators' group: 🟠" in transcript
    assert "bot → operators' group, topic 1" in transcript
    assert "He hits me 3141" in transcript  # on the card
    assert "operator[topic 1]> 1" in transcript
    assert "notice: The case is yours." in transcript
    assert "The support team · request" in transcript
    assert "We are here. Are you safe now?" in transcript
    # The reply reached the operators' topic (a message box, not the echo of the input).
    assert "Sent to the support team (request" in transcript
    assert "│ Yes, I am at my sister's 2024" in transcript
    # Back as the person: the prompt is theirs again.
    assert "you> :sticker" in transcript


async def test_the_terminal_saves_the_complaint_draft_to_open_it(
    settings: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "draft.docx"
    script = iter(
        [
            ":save",  # nothing sent yet
            "1",  # English
            "1",  # Kazakhstan
            "3",  # I was tortured or beaten by police
            "1",  # I am safe now
            "3",  # Prepare a complaint
            "1",  # Start
            "They beat me in the car 2718",
            *["2"] * 7,  # skip the other questions
            "2",  # English
            "1",  # Get the document
            f":save {target}",
            ":quit",
        ]
    )
    shown: list[str] = []
    code = await run_chat(
        settings, user_language="en", read=lambda _prompt: next(script), write=shown.append
    )
    transcript = "\n".join(shown)
    assert code == 0
    assert "the bot has not sent a file yet" in transcript
    assert "📄 document.docx" in transcript
    assert f"saved to {target}" in transcript
    text = "\n".join(p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs)
    assert "They beat me in the car 2718" in text


async def test_the_terminal_shows_exit_emptying_the_chat(settings: Settings) -> None:
    script = iter(
        [
            "1",  # English
            "1",  # Kazakhstan
            "2",  # Where can I get help
            "I am scared",
            "/exit",
            ":quit",
        ]
    )
    shown: list[str] = []

    def read(prompt: str) -> str:
        line = next(script)
        shown.append(f"{prompt}{line}")
        return line

    code = await run_chat(settings, user_language="en", read=read, write=shown.append)
    transcript = "\n".join(shown)
    assert code == 0
    after_exit = transcript[transcript.index("you> /exit") :]
    assert "the bot deleted" in after_exit and "messages of this chat" in after_exit
    assert "Have a good day!" in after_exit
