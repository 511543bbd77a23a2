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

import os
from pathlib import Path
from typing import Callable, NamedTuple, Union

import yaml

try:  # libyaml is several times faster; the pure-Python parser is the fallback.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
TOO_DEEP = f"values are nested more than {MAX_DEPTH} levels deep"
MAX_NODES = 50_000

_RESOLVER = yaml.resolver.Resolver()
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name: name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge", "map", "seq")
}


# The nodes are named tuples, immutable like frozen dataclasses but made twice as fast: a load of
# 10,000 entries makes 400,000 of them.
class Scalar(NamedTuple):
    text: str
    kind: str  # what YAML reads the text as: str, int, float, bool, null, timestamp, ...
    line: int
    column: int
    size: int = 1


class Sequence(NamedTuple):
    items: tuple["Node", ...]
    line: int
    column: int
    size: int


class Mapping(NamedTuple):
    items: tuple[tuple[Scalar, "Node"], ...]
    line: int
    column: int
    size: int
    # Each value by the text of its key (keys are unique): validation looks up fields by name.
    by_key: dict[str, "Node"]

    def get(self, key: str) -> "Node | None":
        return self.by_key.get(key)


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
    return parse_yaml(read_source(path)[0])


def read_source(path: str | Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes, and its stat taken before they were read (a later save changes the stat)."""
    try:
        with open(path, "rb") as stream:
            stat = os.fstat(stream.fileno())
            return stream.read(), stat
    except OSError as err:
        raise YamlError(f"cannot read the file: {err.strerror or err}") from None


def parse_yaml(data: bytes) -> Node | None:
    if len(data) > MAX_FILE_BYTES:
        raise YamlError(
            f"the file is {len(data):,} bytes; an entry file may hold at most {MAX_FILE_BYTES:,}"
        )
    text = _decode(data)
    try:
        return _build(_Parser(text).get_event)
    except yaml.reader.ReaderError as err:
        line, column = _line_column(text, err.position)
        raise YamlError(f"the file contains the control character U+{err.character:04X}, "
                        "which YAML does not allow; delete it", line, column) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        where = (mark.line + 1, mark.column + 1) if mark else (None, None)
        if "maximum nesting depth" in problem:  # PyYAML 6.0.4's scanner looks ahead of _build's own limit
            raise YamlError(TOO_DEEP, *where) from None
        raise YamlError(f"YAML syntax: {problem}{_syntax_hint(problem)}", *where) from None
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
    tag = event.tag
    if tag and tag != "!":
        kind = _STANDARD_TAGS.get(tag)
        if kind is None:
            raise _tag_error(event)
        return kind
    if not event.implicit[0]:  # quoted, or a block scalar: always text
        return "str"
    return _plain_kind(event.value)


# What YAML reads plain texts as, for the short ones (keys, mostly), which repeat from file to file.
_PLAIN_KINDS: dict[str, str] = {}
_PLAIN_KINDS_KEPT = 10_000


def _plain_kind(text: str) -> str:
    kind = _PLAIN_KINDS.get(text)
    if kind is not None:
        return kind
    if text[:1] not in _RESOLVER.yaml_implicit_resolvers and None not in _RESOLVER.yaml_implicit_resolvers:
        return "str"  # no rule of YAML applies to a text starting this way
    kind = _STANDARD_TAGS.get(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)), "str")
    if len(text) <= 40 and len(_PLAIN_KINDS) < _PLAIN_KINDS_KEPT:
        _PLAIN_KINDS[text] = kind
    return kind


class _Collection:
    """A mapping or sequence whose end event has not come yet."""

    __slots__ = ("is_mapping", "items", "line", "column", "anchor", "size", "key", "keys", "values")

    def __init__(self, is_mapping: bool, event):
        self.is_mapping = is_mapping
        self.items: list = []
        self.line = event.start_mark.line + 1
        self.column = event.start_mark.column + 1
        self.anchor = event.anchor
        self.size = 1
        self.key: Scalar | None = None
        self.keys: dict[str, Scalar] = {}  # of a mapping, by their text
        self.values: dict[str, Node] = {}

    def node(self) -> Node:
        if self.is_mapping:
            return Mapping(tuple(self.items), self.line, self.column, self.size, self.values)
        return Sequence(tuple(self.items), self.line, self.column, self.size)


def _build(next_event: Callable[[], yaml.Event | None]) -> Node | None:
    """The tree of the events `next_event` gives until it gives None.

    Tens of events per file, thousands of files: the loop tests the event's exact class, most
    frequent first, and adds to the open collection in place (isinstance chains and a call per
    event took half of the time spent here).
    """
    anchors: dict[str, Node] = {}
    stack: list[_Collection] = []
    root: Node | None = None
    documents = 0
    total = 0

    while (event := next_event()) is not None:
        kind = event.__class__
        if kind is _ScalarEvent:
            mark = event.start_mark
            if event.tag is None:  # as nearly every scalar: what YAML reads it as depends on its quoting
                scalar_kind = _plain_kind(event.value) if event.implicit[0] else "str"
            else:
                scalar_kind = _scalar_kind(event)
            node = _new_tuple(Scalar, (event.value, scalar_kind, mark.line + 1, mark.column + 1, 1))
            if event.anchor:
                anchors[event.anchor] = node
            count = 1
        elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
            if event.tag and event.tag not in _STANDARD_TAGS:
                raise _tag_error(event)
            if len(stack) >= MAX_DEPTH:
                raise YamlError(TOO_DEEP, event.start_mark.line + 1, event.start_mark.column + 1)
            stack.append(_Collection(kind is _MappingStartEvent, event))
            continue
        elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
            done = stack.pop()
            node = done.node()
            if done.anchor:
                anchors[done.anchor] = node
            count = 1
        elif kind is _AliasEvent:
            if event.anchor not in anchors:
                raise YamlError(f"the alias *{event.anchor} has no anchor &{event.anchor} before it",
                                event.start_mark.line + 1, event.start_mark.column + 1)
            node = anchors[event.anchor]
            count = node.size  # an alias counts everything it stands for
        elif kind is _DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlError(
                    "a second YAML document (---); a file holds exactly one entry",
                    event.start_mark.line + 1, event.start_mark.column + 1,
                )
            continue
        else:
            continue

        total += count
        if total > MAX_NODES:
            raise YamlError(
                f"the document expands to more than {MAX_NODES:,} values (too many aliases?)",
                node.line, node.column,
            )
        if not stack:
            root = node
            continue
        parent = stack[-1]
        parent.size += node.size
        if not parent.is_mapping:
            parent.items.append(node)
        elif parent.key is None:
            parent.key = _new_key(parent, node)
        else:
            parent.items.append((parent.key, node))
            parent.values[parent.key.text] = node
            parent.key = None
    return root


def _new_key(parent: _Collection, node: Node) -> Scalar:
    if node.__class__ is not Scalar:
        raise YamlError("a key must be plain text, not a list or mapping", node.line, node.column)
    if node.kind == "merge":
        raise YamlError("merge keys (<<) are not supported; write the fields out", node.line, node.column)
    first = parent.keys.get(node.text)
    if first is not None:
        raise YamlError(
            f'duplicate key "{node.text}" (first given on line {first.line}); '
            "YAML would silently keep only the last one, so keep one of them",
            node.line, node.column,
        )
    parent.keys[node.text] = node
    return node


# Scalar(...) without its Python __new__: the named tuple's fields in order.
_new_tuple = tuple.__new__
_ScalarEvent, _AliasEvent, _DocumentStartEvent = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
_MappingStartEvent, _MappingEndEvent = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStartEvent, _SequenceEndEvent = yaml.SequenceStartEvent, yaml.SequenceEndEvent
