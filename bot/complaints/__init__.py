"""Complaint drafts about torture and police abuse: templates NGO lawyers edit, and the .docx
a person receives.

The templates are plain text files, one per country and language:
`resources/complaints/<country>/<language>.txt` (e.g. `kg/ru.txt`). Plain text rather than a
.docx template on purpose: a lawyer edits it in any editor, a change is readable in review,
and every problem is named with its file and line (`python -m bot resources check`), which a
Word file cannot give. The bot turns the text into a real Word document (python-docx) that
opens in Word and LibreOffice. The syntax is explained at the top of each template.

Public API:

    load_templates(directory) -> ComplaintTemplates   # raises TemplatesError(.problems)
    check_template_paths([paths]) -> list[Problem]
    templates.get(country, language) -> Template
    build_document(template, answers) -> bytes        # the .docx, in memory only
    FIELDS                                            # the questions, in the order asked
"""

from bot.complaints.document import build_document
from bot.complaints.templates import (
    FIELDS,
    TEMPLATES_DIRECTORY,
    ComplaintTemplates,
    Template,
    TemplatesError,
    check_template_paths,
    load_templates,
    main_check,
)

__all__ = [
    "FIELDS",
    "TEMPLATES_DIRECTORY",
    "ComplaintTemplates",
    "Template",
    "TemplatesError",
    "build_document",
    "check_template_paths",
    "load_templates",
    "main_check",
]
