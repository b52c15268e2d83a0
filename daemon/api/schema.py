"""Validate request bodies against the JSON Schemas of the OpenAPI document.

The OpenAPI document (``daemon/api/openapi.py``) is the one description of every body;
requests are checked against it here, so the document cannot drift from what the
server accepts. Only the JSON Schema keywords the document uses are implemented:
``type`` (one or a list), ``properties``, ``required``, ``additionalProperties``,
``items``, ``enum``, ``minLength``, ``maxLength``, ``minimum``, ``maximum``,
``maxItems``, ``format: date-time`` and local ``$ref``. The tests check responses with
the independent ``jsonschema`` library and the document with ``openapi-spec-validator``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
    "integer": (int,),
}


class SchemaError(ValueError):
    """The first place where a value breaks its schema, e.g. ``body.lang: must be one of``."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def validate(value: Any, schema: dict[str, Any], document: dict[str, Any],
             where: str = "body") -> None:
    """Raise SchemaError unless ``value`` fits ``schema`` (refs resolve in ``document``)."""
    schema = resolve(schema, document)
    check_type(value, schema, where)
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(repr(c) for c in schema["enum"])
        raise SchemaError(where, f"must be one of {choices}")
    if isinstance(value, str):
        check_string(value, schema, where)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        check_number(value, schema, where)
    elif isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            raise SchemaError(where, f"at most {schema['maxItems']} items are allowed")
        item_schema = schema.get("items")
        if item_schema is not None:
            for index, item in enumerate(value):
                validate(item, item_schema, document, f"{where}[{index}]")
    elif isinstance(value, dict):
        check_object(value, schema, document, where)


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` like ``#/components/schemas/Report``."""
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def check_type(value: Any, schema: dict[str, Any], where: str) -> None:
    expected = schema.get("type")
    if expected is None:
        return
    names = expected if isinstance(expected, list) else [expected]
    for name in names:
        python_types = JSON_TYPES[name]
        if isinstance(value, bool) and name in ("integer", "number"):
            continue
        if isinstance(value, python_types):
            return
    raise SchemaError(where, f"must be {' or '.join(names)}, not {json_type_name(value)}")


def json_type_name(value: Any) -> str:
    for name, python_types in JSON_TYPES.items():
        if isinstance(value, python_types) and not (isinstance(value, bool) and name != "boolean"):
            return name
    return type(value).__name__


def check_string(value: str, schema: dict[str, Any], where: str) -> None:
    if len(value) < schema.get("minLength", 0):
        raise SchemaError(where, f"must have at least {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise SchemaError(where, f"must have at most {schema['maxLength']} characters")
    if schema.get("format") == "date-time":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise SchemaError(where, "must be an ISO-8601 date-time like "
                              "2026-03-02T09:30:00+01:00") from None
        if moment.tzinfo is None:
            raise SchemaError(where, "must include a time zone offset, e.g. +01:00 or Z")


def check_number(value: float, schema: dict[str, Any], where: str) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        raise SchemaError(where, f"must be at least {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise SchemaError(where, f"must be at most {schema['maximum']}")


def check_object(value: dict[str, Any], schema: dict[str, Any], document: dict[str, Any],
                 where: str) -> None:
    properties: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            raise SchemaError(f"{where}.{name}", "is required")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            validate(item, properties[name], document, f"{where}.{name}")
        elif extra is False:
            known = ", ".join(sorted(properties)) or "none"
            raise SchemaError(f"{where}.{name}", f"unknown field (known fields: {known})")
        elif isinstance(extra, dict):
            validate(item, extra, document, f"{where}.{name}")
