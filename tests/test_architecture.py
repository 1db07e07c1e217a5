"""The rules of docs/architecture.md, checked on the source: who may import whom, and three more."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "search"
ARCHITECTURE = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
ROW_RE = re.compile(r"^\| (?P<modules>[^|]+?) \| (?P<allowed>[^|]+?) \|$", re.MULTILINE)


def _module_name(path: Path) -> str:
    """'cli', 'engine/query', 'engine' (a package's __init__), '__init__' (the top package's)."""
    relative = path.relative_to(PACKAGE).with_suffix("").as_posix()
    return relative.removesuffix("/__init__") if relative != "__init__" else relative


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """The package's own modules a file imports (as _module_name spells them), and outside top names."""
    ours: set[str] = set()
    outside: set[str] = set()
    here = _module_name(path).split("/")
    package = here if path.name == "__init__.py" and here != ["__init__"] else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            outside |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            outside.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1]
            if node.module:
                ours.add("/".join([*base, *node.module.split(".")]))
            else:
                ours |= {"/".join([*base, alias.name]) for alias in node.names}
    return {name for name in ours if name}, outside


def _allowed() -> dict[str, set[str]]:
    """The table of docs/architecture.md: module -> the modules it may import."""
    table: dict[str, set[str]] = {}
    for row in ROW_RE.finditer(ARCHITECTURE.split("## Who may import whom")[1]):
        if row["modules"] in ("module", "---"):
            continue
        allowed = set(re.findall(r"`([\w/*]+)`", row["allowed"]))
        for module in re.findall(r"`([\w/*]+)`", row["modules"]):
            table[module] = allowed
    return table


SOURCES = sorted(PACKAGE.rglob("*.py"))


PACKAGES = ("engine", "cli", "web")  # subpackages: their modules may import one another


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: _module_name(path))
def test_each_module_imports_only_what_the_architecture_allows(path: Path) -> None:
    module = _module_name(path)
    package = module.split("/")[0] if module.split("/")[0] in PACKAGES else None
    table = _allowed()
    if package:
        allowed = table[f"{package}/*"] | {
            name for name in map(_module_name, SOURCES) if name.startswith(package + "/")
        }
    else:
        assert module in table, f"{module} is not in docs/architecture.md's table"
        allowed = table[module]
    ours, _ = _imports(path)
    # From outside a subpackage, importing any of its modules is importing the subpackage.
    imported = {name if package and name.startswith(package + "/") else name.split("/")[0] for name in ours}
    assert imported <= allowed, f"{module} imports {sorted(imported - allowed)}"


@pytest.mark.parametrize(
    ("library", "only_in"),
    [("whoosh", "engine"), ("click", "cli"), ("jinja2", "web")],
)
def test_a_library_is_imported_in_one_place_only(library: str, only_in: str) -> None:
    importers = {_module_name(path) for path in SOURCES if library in _imports(path)[1]}
    assert importers and all(name == only_in or name.startswith(only_in + "/") for name in importers), (
        importers
    )


def test_the_library_never_prints() -> None:
    printing = [
        _module_name(path)
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    ]
    assert printing == []


def test_library_messages_name_no_command_line_flag() -> None:
    """The library's errors reach HTTP clients and apps, which have no flags: the CLI adds its hints."""
    flagged = []
    for path in SOURCES:
        if _module_name(path).split("/")[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = " ".join(
                    part.value
                    for part in ast.walk(node.exc)
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                )
                if re.search(r"(?<![\w-])--[a-z]|run 'search", text):
                    flagged.append(f"{_module_name(path)}:{node.lineno}: {text[:80]}")
    assert flagged == []
