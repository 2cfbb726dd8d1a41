"""The layers are enforced, not only described (README, "Design"): who may import whom.

Every import in a module counts, those inside functions too: a lazy import is still a dependency.
Each rule is also tried on a small module that breaks it, so a rule that can no longer fail is seen.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "leadcard"

DATABASE_DRIVERS = {"sqlite3", "sqlite_utils", "psycopg", "psycopg_pool"}
# The layers a lower one may never reach for.
THE_FACE = ("leadcard.cli", "leadcard.commands")
DECIDING = ("leadcard.domain",)
STORE = ("leadcard.store",)
DRAWING = ("leadcard.render",)
# What would let date logic depend on the moment or the machine it runs on.
IMPURE_MODULES = {"os", "sys", "time", "io", "pathlib", "shutil", "tempfile", "subprocess", "socket", "sqlite3",
                  "sqlite_utils", "typer", "rich", "platformdirs"}
CLOCK_CALLS = {"now", "today", "utcnow", "fromtimestamp", "time", "monotonic", "perf_counter"}
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, package: str = "leadcard") -> set[str]:
    """Every module a source imports, wherever the import stands; `from a import b` counts as `a.b`
    (b may be a module) and as `a`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def reaches(names: set[str], layers: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == layer or n.startswith(layer + ".") for layer in layers))


def clock_or_file_uses(source: str) -> list[str]:
    """Imports of I/O modules, calls of open(), and calls that read the clock, in a module."""
    found = [n for n in imports(source) if n.split(".")[0] in IMPURE_MODULES]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in ("open", "input"):
                found.append(f"{node.func.id}()")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_CALLS | FILE_CALLS:
                found.append(f".{node.func.attr}()")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph: its strongly connected parts of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in graph:
        if v not in index:
            visit(v)
    return found


SOURCES = {module_name(p): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def in_layer(prefix: str) -> dict[str, str]:
    return {m: s for m, s in SOURCES.items() if m == prefix or m.startswith(prefix + ".")}


def test_the_layers_are_where_readme_says():
    assert {m.split(".")[1] for m in SOURCES if m.count(".") >= 2} == {"commands", "domain", "model", "render", "store"}
    assert (PACKAGE / "schedule.py").is_file() and (PACKAGE / "cli.py").is_file()


def test_only_the_store_speaks_to_the_database():
    outside = {m: sorted(n for n in imports(s) if n.split(".")[0] in DATABASE_DRIVERS)
               for m, s in SOURCES.items() if not m.startswith("leadcard.store")}
    assert {m: found for m, found in outside.items() if found} == {}


def test_rendering_imports_values_never_the_modules_that_decide_or_query():
    reached = {m: reaches(imports(s), THE_FACE + DECIDING + STORE) for m, s in in_layer("leadcard.render").items()}
    assert {m: found for m, found in reached.items() if found} == {}


def test_the_domain_never_reaches_for_the_face_or_the_drawing():
    reached = {m: reaches(imports(s), THE_FACE + DRAWING) + sorted(n for n in imports(s) if n.split(".")[0] in ("typer", "rich"))
               for m, s in in_layer("leadcard.domain").items()}
    assert {m: found for m, found in reached.items() if found} == {}


def test_the_store_answers_queries_and_decides_nothing():
    reached = {m: reaches(imports(s), THE_FACE + DECIDING + DRAWING) for m, s in in_layer("leadcard.store").items()}
    assert {m: found for m, found in reached.items() if found} == {}


@pytest.mark.parametrize("module", ["leadcard.model", "leadcard.schedule", "leadcard.chinacal", "leadcard.parse",
                                    "leadcard.usertext", "leadcard.errors"])
def test_pure_modules_import_no_layer(module):
    reached = {m: reaches(imports(s), THE_FACE + DECIDING + STORE + DRAWING) for m, s in in_layer(module).items()}
    assert {m: found for m, found in reached.items() if found} == {}


def test_schedule_reads_no_clock_and_no_file():
    assert clock_or_file_uses(SOURCES["leadcard.schedule"]) == []


def test_no_import_cycle_anywhere():
    graph = {m: {n for n in imports(s) if n in SOURCES and n != m} for m, s in SOURCES.items()}
    assert cycles(graph) == []


# -- each rule, tried on a module that breaks it ------------------------------------------------------


def test_the_rules_catch_what_they_forbid():
    lazy_query = "def draw(x):\n    from leadcard.store import visits\n    return visits\n"
    assert reaches(imports(lazy_query), STORE) == ["leadcard.store", "leadcard.store.visits"]
    assert reaches(imports("from leadcard.domain import audit\n"), DECIDING) == ["leadcard.domain",
                                                                               "leadcard.domain.audit"]
    assert reaches(imports("from leadcard.model.audit import Finding\n"), DECIDING + STORE) == []
    assert "sqlite3" in imports("def f():\n    import sqlite3\n")
    assert clock_or_file_uses("from datetime import datetime\ndef due():\n    return datetime.now()\n") == [".now()"]
    assert clock_or_file_uses("def policy(p):\n    return open(p).read()\n") == ["open()"]
    assert clock_or_file_uses("import os\n") == ["os"]
    assert clock_or_file_uses("def policy(path):\n    return path.read_text()\n") == [".read_text()"]
    assert clock_or_file_uses("def due(now):\n    return now.date()\n") == []
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
