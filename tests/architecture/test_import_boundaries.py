"""The layout's import rules (STYLE.md, "Layout: one home per concern"), read from the source.

Every ``import`` statement of every module under ``bot/`` counts, wherever it is written: at
the top, inside a function, under ``if TYPE_CHECKING:``. A deferred import still ties two
modules together, so it may not close a cycle or cross a boundary either. The purity checks
also import the modules for real in a fresh interpreter, so a rule cannot be dodged through a
third module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bot"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Absolute names an import statement brings in (``from a import b``: ``a.b`` if that is
    a module of ours, else ``a``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module.split(".")
        if modules()[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    found = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        found.append(candidate if candidate in modules() else base)
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update(_imported(module, node))
    return frozenset(names)


def _internal(names: frozenset[str]) -> set[str]:
    return {n for n in names if n in modules()}


def _third_party_roots(module: str) -> set[str]:
    return {n.split(".")[0] for n in imports_of(module)}


def _under(prefix: str) -> list[str]:
    return [m for m in modules() if m == prefix or m.startswith(prefix + ".")]


def test_the_walk_sees_the_package() -> None:
    assert len(modules()) > 100
    assert "bot.matching.engine" in modules() and "bot.members.skills" in modules()
    assert "bot.handlers.commands" in imports_of("bot.handlers.members")
    # An import written inside a function counts too.
    assert "bot.app" in imports_of("bot.web")


@pytest.mark.parametrize("module", _under("bot.matching"))
def test_matching_imports_nothing_of_slack_or_sqlalchemy(module: str) -> None:
    roots = _third_party_roots(module)
    assert not roots & {"slack_sdk", "slack_bolt", "sqlalchemy", "requests", "urllib3"}
    internal = _internal(imports_of(module))
    assert all(m.startswith("bot.matching") for m in internal), internal


@pytest.mark.parametrize("module", _under("bot.blocks"))
def test_builders_import_no_session_or_store(module: str) -> None:
    assert "sqlalchemy" not in _third_party_roots(module)
    internal = _internal(imports_of(module))
    banned = {m for m in internal if m.startswith(("bot.store", "bot.deps", "bot.handlers"))}
    assert not banned, f"{module} imports {sorted(banned)}"


def test_only_the_cli_web_and_manifest_import_the_app() -> None:
    importers = {m for m in modules() if "bot.app" in imports_of(m)}
    allowed = {m for m in importers if m.startswith("bot.cli.")} | {"bot.web", "bot.manifest"}
    assert importers <= allowed, sorted(importers - allowed)
    assert importers, "nobody imports bot.app?"


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    graph = {m: sorted(_internal(imports_of(m)) - {m}) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_among_bot_modules() -> None:
    assert _cycles() == []


_PURITY = """
import importlib, pkgutil, sys
import bot.{package} as package
for info in pkgutil.walk_packages(package.__path__, prefix="bot.{package}."):
    importlib.import_module(info.name)
banned, prefixes = {banned!r}, {prefixes!r}
loaded = sorted(n for n in sys.modules if n.split(".")[0] in banned or n.startswith(prefixes))
print("\\n".join(loaded))
"""


@pytest.mark.parametrize(
    ("package", "banned", "prefixes"),
    [
        ("matching", ("slack_sdk", "slack_bolt", "sqlalchemy"), ("bot.store", "bot.deps")),
        ("blocks", ("sqlalchemy",), ("bot.store", "bot.deps")),
        ("meetings", ("slack_sdk", "slack_bolt", "sqlalchemy"), ("bot.store", "bot.deps")),
    ],
)
def test_importing_the_pure_layers_loads_no_database_or_slack_client(
    package: str, banned: tuple[str, ...], prefixes: tuple[str, ...]
) -> None:
    code = _PURITY.format(package=package, banned=set(banned), prefixes=prefixes)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
