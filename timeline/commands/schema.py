"""The entry format as a JSON Schema, for editors' tools (the YAML language server).

It is generated from the field tables in validate.py, so it cannot drift from
what `check` accepts. The validator stays the authority: the schema never
rejects what `check` accepts (a key written with no value counts as absent,
so optional fields also allow null), though `check` finds more (impossible
dates, missing media files, ids claimed twice).
"""
from __future__ import annotations

import json

from ..fields import ENTRY_FIELDS, ID_PATTERN, Field

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# A line of text that is not blank; YAML's block scalars may add a final line break.
_ONE_LINE = r"^\s*\S[^\n]*\s*$"
_NOT_BLANK = r"\S"
# The validator reads the scheme case-insensitively; JSON Schema patterns have no flags.
_HTTP_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$"

_KINDS = {
    "line": {"type": "string", "pattern": _ONE_LINE},
    "text": {"type": "string", "pattern": _NOT_BLANK},
    # YAML reads a bare year (2021) as a number; every other date form is text.
    "date": {"type": ["string", "integer"]},
    "boolean": {"type": "boolean"},
    "number": {"type": "number"},
    "url": {"type": "string", "pattern": _HTTP_URL},
    "id": {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"},
    "choice": {"type": "string"},
}


def entry_schema() -> dict:
    """The JSON Schema (draft 2020-12) of one content/entries/<id>.yaml file."""
    return {
        "$schema": DIALECT,
        "title": "Timeline entry",
        "description": "One event of the timeline: content/entries/<id>.yaml, where <id> is its permanent "
                       "URL slug. `python build.py check` validates it fully.",
        **_mapping(ENTRY_FIELDS),
    }


def schema_json() -> str:
    """The schema as shipped in content/entry.schema.json."""
    return json.dumps(entry_schema(), indent=2, ensure_ascii=False) + "\n"


def _mapping(fields: dict[str, Field]) -> dict:
    return {
        "type": "object",
        "properties": {name: _property(spec) for name, spec in fields.items()},
        "required": [name for name, spec in fields.items() if spec.required],
        "additionalProperties": False,
    }


def _property(spec: Field) -> dict:
    value = _value(spec)
    if spec.many:
        value = {"type": "array", "items": value}
        if spec.required:
            value["minItems"] = 1
        if spec.max_items is not None:
            value["maxItems"] = spec.max_items
    if not spec.required:
        value["type"] = [*_types(value), "null"]
        if "enum" in value:
            value["enum"] = [*value["enum"], None]
    return {"description": spec.description, **value, "examples": [spec.example]}


def _value(spec: Field) -> dict:
    if spec.fields is not None:
        return _mapping(spec.fields)
    value = dict(_KINDS[spec.kind])
    if spec.choices is not None:
        value["enum"] = list(spec.choices)
    if spec.limit is not None and spec.kind == "number":
        value.update(minimum=-spec.limit, maximum=spec.limit)
    elif spec.limit is not None:
        value["maxLength"] = spec.limit
    return value


def _types(value: dict) -> list[str]:
    kinds = value["type"]
    return list(kinds) if isinstance(kinds, list) else [kinds]
