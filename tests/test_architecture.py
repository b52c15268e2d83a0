"""The arrows between the product's packages point one way (issue 15).

Imports are read from the source with ``ast`` (every import statement, also inside
functions and under ``if TYPE_CHECKING:``), so an import that runs only late or only for
mypy counts as much as one at the top:

- ``scoring`` (the pure core) imports nothing of ``daemon``;
- nothing but the CLI (``daemon/commands/`` and ``daemon/cli.py``) imports
  ``daemon.commands``: use-cases live in ``daemon/application/``;
- no cycle among the daemon's packages (a top-level module such as ``daemon.app``
  counts as a package of its own);
- every import between the daemon's rooms is one the room map in ``daemon/__init__.py``
  allows, and the map lists every room (a new package must say what it may import).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI_PACKAGE = "daemon.commands"
CLI_MODULES = ("daemon.cli",)

# Known edges that break a rule, each in a module owned by another change of issue 15.
# Remove an entry when its edge is gone (the test then insists it stays gone).
KNOWN_CLI_IMPORTS: frozenset[tuple[str, str]] = frozenset()


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Every module ``path`` imports (and ``pkg.name`` for ``from pkg import name``)."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


def product_imports() -> dict[str, set[str]]:
    """Module -> what it imports, for every module of ``scoring`` and ``daemon``."""
    return {module_name(path): set(imported_names(path))
            for top in ("scoring", "daemon") for path in sorted((ROOT / top).rglob("*.py"))}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def package_of(module: str) -> str:
    """``daemon.api.server`` -> ``daemon.api``; ``daemon.app`` stays itself."""
    return ".".join(module.split(".")[:2])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_reader_sees_imports_under_type_checking_and_in_functions(tmp_path: Path) -> None:
    source = tmp_path / "daemon" / "probe.py"
    source.parent.mkdir()
    source.write_text("from typing import TYPE_CHECKING\n"
                      "if TYPE_CHECKING:\n    from daemon.commands import run\n"
                      "def late() -> None:\n    from . import store\n", encoding="utf-8")
    names = set(imported_names(source, tmp_path))
    assert {"daemon.commands.run", "daemon.store"} <= names


def test_scoring_imports_nothing_of_the_daemon() -> None:
    wrong = sorted((module, name) for module, names in product_imports().items()
                   if within(module, "scoring") for name in names if within(name, "daemon"))
    assert wrong == []


def test_only_the_cli_imports_the_cli_package() -> None:
    wrong = {(module, package_target)
             for module, names in product_imports().items()
             if not within(module, CLI_PACKAGE) and module not in CLI_MODULES
             for name in names if within(name, CLI_PACKAGE)
             for package_target in [name if name.count(".") <= 2 else
                                    ".".join(name.split(".")[:3])]}
    assert sorted(wrong - KNOWN_CLI_IMPORTS) == []
    assert sorted(KNOWN_CLI_IMPORTS - wrong) == [], "an allowed edge is gone: drop it"


def test_no_import_cycle_among_the_daemon_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module, names in product_imports().items():
        if not within(module, "daemon"):
            continue
        for name in names:
            if (within(name, "daemon") and package_of(name) != package_of(module)
                    and (module, ".".join(name.split(".")[:3])) not in KNOWN_CLI_IMPORTS):
                graph.setdefault(package_of(module), set()).add(package_of(name))
    assert cycles(graph) == []


def room_map(doc: str) -> dict[str, frozenset[str]]:
    """The room map of ``daemon/__init__.py``: room -> the rooms it may import.

    Each entry is a ``- ``room``: what it is for. May import: a, b.`` item; "nothing" and
    "every room above" are spelled out; rooms named in one entry may import each other.
    """
    entries = re.split(r"\n- (?=``)", doc.split("\n- ", 1)[1])
    rooms: dict[str, frozenset[str]] = {}
    for entry in entries:
        head, _, allowed = " ".join(entry.split()).partition("May import:")
        names = re.findall(r"``(\w+)``", head.split(":", 1)[0])
        allowed = allowed.strip().rstrip(".")
        above = frozenset(rooms)
        may = (frozenset() if allowed == "nothing" else above if allowed == "every room above"
               else frozenset(name.strip() for name in allowed.split(",")))
        assert may <= above | set(names), f"{names} may import a room below it: {may - above}"
        rooms.update({name: may | set(names) for name in names})
    return rooms


def test_every_import_between_rooms_is_allowed_by_the_room_map() -> None:
    import daemon

    rooms = room_map(daemon.__doc__ or "")
    present = {package_of(module).removeprefix("daemon.")
               for module in product_imports() if within(module, "daemon") and module != "daemon"}
    assert sorted(present - set(rooms)) == [], "a room missing from daemon/__init__.py's map"
    assert sorted(set(rooms) - present) == [], "the map names a room that is gone"
    wrong = sorted({(module, name) for module, names in product_imports().items()
                    if within(module, "daemon") and module != "daemon" for name in names
                    if within(name, "daemon") and name != "daemon"
                    and package_of(name) != package_of(module)
                    and package_of(name).removeprefix("daemon.")
                    not in rooms[package_of(module).removeprefix("daemon.")]})
    assert wrong == []


def test_the_room_map_reader_refuses_an_arrow_up() -> None:
    doc = ("Rooms.\n\n- ``store``: rows. May import: config.\n"
           "- ``config``: files. May import: nothing.\n")
    with pytest.raises(AssertionError, match="config"):
        room_map(doc)
