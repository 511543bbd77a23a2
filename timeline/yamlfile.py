"""Read one YAML file into a tree of marked nodes.

PyYAML's loaders turn `no` into False, `2021-08-06` into a date and keep the
last of two duplicate keys without a word. Editors need better: every value
here keeps its original text, the type YAML would give it, and its line and
column, so that validation can say exactly what is wrong and where.

The tree is built from the parser's event stream with an explicit stack, so
deeply nested input cannot exhaust Python's recursion, and aliases are
counted as they expand, so an alias bomb is refused instead of eating memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml

try:  # libyaml is several times faster; the pure-Python parser is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 50_000

_RESOLVER = yaml.resolver.Resolver()
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name: name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge", "map", "seq")
}


@dataclass(frozen=True)
class Scalar:
    text: str
    kind: str  # what YAML reads the text as: str, int, float, bool, null, timestamp, ...
    line: int
    column: int
    size: int = 1


@dataclass(frozen=True)
class Sequence:
    items: tuple["Node", ...]
    line: int
    column: int
    size: int


@dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Scalar, "Node"], ...]
    line: int
    column: int
    size: int

    def get(self, key: str) -> "Node | None":
        for k, v in self.items:
            if k.text == key:
                return v
        return None


Node = Union[Scalar, Sequence, Mapping]


class YamlError(Exception):
    """A file that cannot be read as one YAML document of entries."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_yaml(path: Path) -> Node | None:
    """Parse the file at `path`; None for a file with no document at all."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise YamlError(f"cannot read the file: {err.strerror or err}") from None
    return parse_yaml(data)


def parse_yaml(data: bytes) -> Node | None:
    if len(data) > MAX_FILE_BYTES:
        raise YamlError(
            f"the file is {len(data):,} bytes; an entry file may hold at most {MAX_FILE_BYTES:,}"
        )
    text = _decode(data)
    try:
        return _build(yaml.parse(text, Loader=_Loader))
    except yaml.reader.ReaderError as err:
        line, column = _line_column(text, err.position)
        raise YamlError(f"the file contains the control character U+{err.character:04X}, "
                        "which YAML does not allow; delete it", line, column) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise YamlError(f"YAML syntax: {problem}{_syntax_hint(problem)}", mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None) from None
    except yaml.YAMLError as err:
        raise YamlError(f"YAML syntax: {err}") from None


# libyaml's wording, and what an editor should do about it.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", 'a value that contains ": " must be put in quotes'),
    ("tab character", "indent with spaces, not tabs"),
    ("cannot start any token", "a value starting with @, ` or a tab must be put in quotes"),
    ("could not find expected ':'", "write each field as key: value; check this line and the one above"),
    ("did not find expected key", "check the indentation of this line"),
    ("did not find expected '-'", "check the indentation of this line"),
    ("did not find expected ',' or ']'", "close the [ list ] or put a value containing a comma in quotes"),
    ("did not find expected ',' or '}'", "close the { mapping } or put a value containing a comma in quotes"),
    ("unexpected end of stream", "a quotation mark is not closed"),
)


def _syntax_hint(problem: str) -> str:
    for wording, hint in _SYNTAX_HINTS:
        if wording in problem:
            return f"; {hint}"
    return ""


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise YamlError(
            f"the file is not UTF-8 (byte 0x{data[err.start]:02x}); save it as UTF-8",
            line, column,
        ) from None


def _tag_error(event) -> YamlError:
    written = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
    return YamlError(f"the YAML tag {written} is not allowed; remove it",
                     event.start_mark.line + 1, event.start_mark.column + 1)


def _scalar_kind(event: yaml.ScalarEvent) -> str:
    if event.tag and event.tag != "!":
        kind = _STANDARD_TAGS.get(event.tag)
        if kind is None:
            raise _tag_error(event)
        return kind
    if not event.implicit[0]:  # quoted, or a block scalar: always text
        return "str"
    return _STANDARD_TAGS.get(_RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False)), "str")


class _Collection:
    """A mapping or sequence whose end event has not come yet."""

    __slots__ = ("is_mapping", "items", "line", "column", "anchor", "size", "key", "seen")

    def __init__(self, is_mapping: bool, event):
        self.is_mapping = is_mapping
        self.items: list = []
        self.line = event.start_mark.line + 1
        self.column = event.start_mark.column + 1
        self.anchor = event.anchor
        self.size = 1
        self.key: Scalar | None = None
        self.seen: dict[str, Scalar] = {}


def _build(events) -> Node | None:
    anchors: dict[str, Node] = {}
    stack: list[_Collection] = []
    root: Node | None = None
    documents = 0
    total = 0

    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlError(
                    "a second YAML document (---); a file holds exactly one entry",
                    event.start_mark.line + 1, event.start_mark.column + 1,
                )
            continue
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if event.tag and event.tag not in _STANDARD_TAGS:
                raise _tag_error(event)
            if len(stack) >= MAX_DEPTH:
                raise YamlError(f"values are nested more than {MAX_DEPTH} levels deep",
                                event.start_mark.line + 1, event.start_mark.column + 1)
            stack.append(_Collection(isinstance(event, yaml.MappingStartEvent), event))
            continue

        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = stack.pop()
            node: Node
            if done.is_mapping:
                node = Mapping(tuple(done.items), done.line, done.column, done.size)
            else:
                node = Sequence(tuple(done.items), done.line, done.column, done.size)
            if done.anchor:
                anchors[done.anchor] = node
        elif isinstance(event, yaml.ScalarEvent):
            node = Scalar(event.value, _scalar_kind(event),
                          event.start_mark.line + 1, event.start_mark.column + 1)
            if event.anchor:
                anchors[event.anchor] = node
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise YamlError(f"the alias *{event.anchor} has no anchor &{event.anchor} before it",
                                event.start_mark.line + 1, event.start_mark.column + 1)
            node = anchors[event.anchor]
        else:
            continue

        # A new node counts once; an alias counts everything it stands for.
        total += node.size if isinstance(event, yaml.AliasEvent) else 1
        if total > MAX_NODES:
            raise YamlError(
                f"the document expands to more than {MAX_NODES:,} values (too many aliases?)",
                node.line, node.column,
            )
        if not stack:
            root = node
        else:
            _add(stack[-1], node)
    return root


def _add(parent: _Collection, node: Node) -> None:
    parent.size += node.size
    if not parent.is_mapping:
        parent.items.append(node)
        return
    if parent.key is None:
        if not isinstance(node, Scalar):
            raise YamlError("a key must be plain text, not a list or mapping", node.line, node.column)
        if node.kind == "merge":
            raise YamlError("merge keys (<<) are not supported; write the fields out", node.line, node.column)
        first = parent.seen.get(node.text)
        if first is not None:
            raise YamlError(
                f'duplicate key "{node.text}" (first given on line {first.line}); '
                "YAML would silently keep only the last one, so keep one of them",
                node.line, node.column,
            )
        parent.seen[node.text] = node
        parent.key = node
    else:
        parent.items.append((parent.key, node))
        parent.key = None
