"""The complaint draft as a Word document, built in memory and never written to disk."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from bot.complaints.templates import Line, Template

FONT = "Times New Roman"
"""Has every Cyrillic letter of Kazakh, Kyrgyz and Tajik, and the Uzbek oʻ; on every office
computer in the region, and LibreOffice substitutes a metric twin."""

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters a Word file cannot hold (python-docx refuses them): control characters a
phone keyboard can still produce."""

FILE_NAME = "document.docx"
"""Neutral on purpose: the file may be seen in the phone's downloads by someone else."""


def build_document(template: Template, answers: Mapping[str, str | None]) -> bytes:
    """The template filled with the answers; a skipped answer shows the template's own
    placeholder, highlighted, so the person sees at once what is still to write."""
    document = Document()
    # A4 with the margins offices of the region expect (python-docx starts from US Letter).
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(4)
    # Nothing about who made it or when: python-docx would write its own name and dates.
    properties = document.core_properties
    properties.author = ""
    properties.last_modified_by = ""
    properties.title = ""
    properties.comments = ""
    properties.keywords = ""
    properties.created = datetime(2000, 1, 1)
    properties.modified = datetime(2000, 1, 1)
    properties.revision = 1
    for line in template.lines:
        paragraph = document.add_paragraph()
        _shape(paragraph, line)
        for text, is_field in line.parts():
            if not is_field:
                run = paragraph.add_run(text)
                run.bold = line.kind == "title" or None
                if line.kind == "note":
                    run.italic = True
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                continue
            answer = _clean(answers.get(text))
            if answer:
                _add_answer(paragraph, answer)
            else:
                run = paragraph.add_run(template.skipped[text])
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _shape(paragraph: Paragraph, line: Line) -> None:
    layout = paragraph.paragraph_format
    if line.kind == "to":
        layout.left_indent = Cm(7.5)
        layout.space_after = Pt(0)
    elif line.kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        layout.space_before = Pt(6)
    elif line.kind == "item":
        layout.left_indent = Cm(1)
        layout.first_line_indent = Cm(-0.5)
        paragraph.add_run("–\t")
        layout.tab_stops.add_tab_stop(Cm(1))
    elif line.kind == "text":
        # Left-aligned, not justified: a justified line before a line break of the person's
        # own answer would be stretched across the page.
        layout.first_line_indent = Cm(1)


def _clean(answer: str | None) -> str:
    if not answer:
        return ""
    return _NOT_XML.sub("", answer).strip()


def _add_answer(paragraph: Paragraph, answer: str) -> None:
    """The person's words as they typed them (never read as markup), line breaks kept."""
    for index, part in enumerate(answer.split("\n")):
        if index:
            paragraph.add_run().add_break()
        paragraph.add_run(part)
