"""Check a decoded request body against its model (``daemon/api/models.py``) and convert
it, once, into that model: what the route's handler receives.

pydantic finds every problem; the answer names the first one the way a person reads
the body, e.g. ``body.report.findings[0].dimension: is required`` or
``body.lang: must be one of 'auto', 'en' or 'de'``.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from daemon.api.models import REQUEST_BODIES, Body

JSON_TYPES = {"string_type": "string", "int_type": "integer", "float_type": "number",
              "bool_type": "boolean", "list_type": "array", "dict_type": "object",
              "model_type": "object", "none_required": "null"}


class SchemaError(ValueError):
    """The first place where a value breaks its model, e.g. ``body.lang: must be one of``."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def validate(name: str, value: Any) -> Body:
    """``value`` as the request body ``name`` (``ScoreRequest``, ``SentRequest``,
    ``PairRequest``); SchemaError unless it is a valid one."""
    try:
        return REQUEST_BODIES[name].model_validate(value)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where, what = location(first["loc"]), problem(first)
        if first["type"] == "extra_forbidden":
            known = known_fields(REQUEST_BODIES[name], first["loc"][:-1])
            what += f" (known fields: {', '.join(known) or 'none'})"
        raise SchemaError(where, what) from None


def location(loc: tuple[int | str, ...]) -> str:
    """``("report", "findings", 0, "dimension")`` -> ``body.report.findings[0].dimension``."""
    where = "body"
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where


def known_fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model at ``loc`` (following nested models and lists)."""
    node: Any = model
    for part in loc:
        if isinstance(part, int):
            continue                      # an index into a list: its items' model
        field = next((f for n, f in node.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return []
        node = next((t for t in (field.annotation, *get_args(field.annotation))
                     if isinstance(t, type) and issubclass(t, BaseModel)), None)
        if node is None:
            return []
    return sorted(f.alias or n for n, f in node.model_fields.items())


def problem(error: ErrorDetails) -> str:
    kind, context = error["type"], error.get("ctx", {})
    if kind in JSON_TYPES:
        return f"must be {JSON_TYPES[kind]}, not {json_type_name(error['input'])}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("literal_error", "enum"):
        return f"must be one of {context['expected']}"
    if kind == "string_too_short":
        return f"must have at least {context['min_length']} characters"
    if kind == "string_too_long":
        return f"must have at most {context['max_length']} characters"
    if kind == "too_long":
        return f"at most {context['max_length']} items are allowed"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {context.get('ge', context.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {context.get('le', context.get('lt'))}"
    if kind == "value_error":
        return str(context["error"])
    return str(error["msg"])


def json_type_name(value: Any) -> str:
    """The JSON name of a decoded value's type (``True`` is a boolean, not an integer)."""
    for python_type, name in ((bool, "boolean"), (int, "integer"), (float, "number"),
                              (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(value, python_type):
            return name
    return "null" if value is None else type(value).__name__
