"""Strict decoding of plain data (parsed TOML) into typed values.

Every config and rule file goes through these helpers, so an unknown key, a wrong
type or an out-of-range value is a :class:`ConfigError` that names the file, the
dotted key and the fix. Nothing is silently ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from scoring.errors import ConfigError


class Table:
    """A read-only view of one TOML table that remembers where it came from.

    Reading keys marks them as known; :meth:`finish` raises for anything left over,
    suggesting the closest known key.
    """

    def __init__(self, data: Mapping[str, Any], source: str, path: str = "",
                 origins: Mapping[str, str] | None = None) -> None:
        """``origins`` maps dotted key paths to the file that set them (merged layers)."""
        self.source = source
        self.path = path
        self._origins: Mapping[str, str] = origins or {}
        if not isinstance(data, Mapping):
            raise ConfigError(self.origin(path), path, f"expected a table, got {type_name(data)}")
        self._data = data
        self._known: set[str] = set()

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def origin(self, key_path: str) -> str:
        """The file a key came from; falls back to the nearest table that has one."""
        probe = key_path
        while probe:
            if probe in self._origins:
                return self._origins[probe]
            probe = probe.rpartition(".")[0]
        return self.source

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.origin(self.key_path(key)), self.key_path(key), problem)

    def has(self, key: str) -> bool:
        self._known.add(key)
        return key in self._data

    def keys(self) -> list[str]:
        return list(self._data)

    def raw(self, key: str) -> Any:
        self._known.add(key)
        return self._data[key]

    def get_str(self, key: str, default: str | None = None, *,
                choices: Iterable[str] | None = None) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {type_name(value)}")
        if choices is not None:
            allowed = list(choices)
            if value not in allowed:
                raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def get_bool(self, key: str, default: bool | None = None) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {type_name(value)}")
        return value

    def get_int(self, key: str, default: int | None = None, *,
                minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected an integer, got {type_name(value)}")
        check_range(self, key, value, minimum, maximum)
        return value

    def get_float(self, key: str, default: float | None = None, *,
                  minimum: float | None = None, maximum: float | None = None) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"expected a number, got {type_name(value)}")
        check_range(self, key, float(value), minimum, maximum)
        return float(value)

    def get_str_list(self, key: str, default: list[str] | None = None) -> list[str]:
        value = self._get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "expected a list of strings")
        return list(value)

    def table(self, key: str, *, required: bool = False) -> Table:
        self._known.add(key)
        if key not in self._data:
            if required:
                raise self.error(key, "missing table")
            return Table({}, self.source, self.key_path(key), self._origins)
        return Table(self._data[key], self.source, self.key_path(key), self._origins)

    def tables(self, key: str) -> list[Table]:
        """An array of tables (``[[accounts]]``); missing means empty."""
        self._known.add(key)
        value = self._data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "expected an array of tables ([[...]])")
        return [Table(item, self.source, f"{self.key_path(key)}[{index}]", self._origins)
                for index, item in enumerate(value)]

    def finish(self) -> None:
        """Raise for the first key that no reader asked for."""
        for key in self._data:
            if key not in self._known:
                hint = difflib.get_close_matches(key, sorted(self._known), n=1)
                fix = f"did you mean {hint[0]!r}?" if hint else (
                    "remove it; known keys: " + ", ".join(sorted(self._known))
                    if self._known else "remove it")
                raise self.error(key, f"unknown key ({fix})")

    def _get(self, key: str, default: Any) -> Any:
        self._known.add(key)
        if key in self._data:
            return self._data[key]
        if default is None:
            raise self.error(key, "missing required key")
        return default


def check_range(table: Table, key: str, value: float,
                minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise table.error(key, f"{value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise table.error(key, f"{value} is above the maximum {maximum}")


def type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def field_default(cls: type, name: str) -> Any:
    """The default of a dataclass field: the one place it is written, for a parser whose
    dataclass has required fields (and so no instance to read defaults from)."""
    for item in dataclasses.fields(cls):
        if item.name == name and item.default is not dataclasses.MISSING:
            return item.default
    raise KeyError(f"{cls.__name__}.{name} has no plain default")
