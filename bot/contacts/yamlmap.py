"""Read a YAML file into plain data and remember the line of every key and list item.

The file is composed into YAML nodes (which carry their position) and converted by hand,
so that a problem found later can be reported at the line where it is, without guessing.

Every scalar stays a string: NGO staff write `- 0550546622` or `- 111` without quotes, and
YAML's own typing would turn the first into an octal number and the second into an int.
Pydantic (in lax mode) turns strings into dates and booleans where the schema asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

YamlPath = tuple[str | int, ...]
"""Where a value sits: keys of mappings and indexes of lists, e.g. ("entries", 3, "name")."""

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass
class DuplicateKey:
    path: YamlPath
    line: int
    first_line: int


@dataclass
class YamlDocument:
    data: Any
    lines: dict[YamlPath, int] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def line(self, path: YamlPath) -> int:
        """Line (1-based) of the value at path or, if it is not there, of its nearest parent."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def has(self, path: YamlPath) -> bool:
        return path in self.lines


class YamlSyntaxError(Exception):
    """The text is not valid YAML; line is 1-based, message is in plain words."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def compose(text: str) -> Node | None:
    """yaml.compose, with libyaml when PyYAML has it (the same nodes and marks, read several
    times faster at start-up); a file libyaml refuses is read again by the Python parser,
    whose messages the explanations for NGO staff are written against."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def read_yaml(text: str) -> YamlDocument:
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"the file cannot be read as YAML ({exc})") from exc
    document = YamlDocument(data=None, lines={(): 1})
    if root is not None:
        document.data = _convert(root, (), document)
    return document


def _convert(node: Node, path: YamlPath, document: YamlDocument) -> Any:
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            key_path = (*path, key)
            line = key_node.start_mark.line + 1
            if key in result:
                first = document.lines[key_path]
                document.duplicates.append(DuplicateKey(key_path, line, first))
                continue  # keep the first one; the duplicate is reported as a problem
            document.lines[key_path] = line
            result[key] = _convert(value_node, key_path, document)
        return result
    if isinstance(node, SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            document.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_convert(item, (*path, index), document))
        return items
    if node.style is None and node.value in _NULLS:
        return None  # an empty `website:` means "none", not an empty address
    return node.value


def _syntax_error(exc: yaml.MarkedYAMLError) -> YamlSyntaxError:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    if "quoted scalar" in context and exc.context_mark is not None:
        # The parser notices an unclosed quote only at the end of the file; point at its start.
        return YamlSyntaxError(
            exc.context_mark.line + 1,
            "a quote (\" or ') is opened here but never closed: add the closing quote",
        )
    if "'\\t'" in problem or "\\t" in problem:
        hint = "there is a tab character: indent with spaces only"
    elif problem.startswith("mapping values are not allowed"):
        hint = (
            "a `:` is in an unexpected place: put text that contains `: ` in quotes; "
            "or the line above misses its `:` or is indented differently"
        )
    elif problem.startswith("could not find expected ':'"):
        hint = "a line is missing its `:` after the field name, or is indented wrongly"
    elif "cannot start any token" in problem:
        hint = (
            f"a value starts with a sign YAML reserves ({problem.split()[2]}): put the "
            'value in quotes, e.g. telegram: "@name_bot"'
        )
    elif "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        hint = (
            "a list or block in brackets cannot be read: check that it is closed, or "
            "write one `- item` per line (safer for web addresses with `?` or `:`)"
        )
    elif "expected a single document" in context:
        hint = "a second document starts here (`---`): keep one document per file, remove it"
    elif problem.startswith("found duplicate anchor") or problem.startswith("found undefined"):
        hint = f"{problem}: remove the `&` or `*` marks, they are not needed in contact files"
    else:
        hint = (
            f"the YAML cannot be read here ({problem or context}): check the indentation, "
            "and put text that contains `:` or `#` in quotes"
        )
    return YamlSyntaxError(line, hint)
