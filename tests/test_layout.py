"""The rooms hold: no import circles (an import inside a function counts), no private module used from
outside its package, each room imports only the rooms below it, and the README's layout table names every
package and module.

An AST walk over the source (no imports run), so a new circle or a reach across a room fails here
with the file and line, before anyone has to find it by reading.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("perf", "ui", "app_pages", "app.py")

# The rooms of perf/, lowest first: a room may import its own modules and any room before it.
# Documented in README.md ("Layout") and docs/architecture.md.
ROOMS = (
    ("perf.config", "perf.errors", "perf.periods", "perf.store"),
    ("perf.words",),
    ("perf.spc",),
    ("perf.drawing",),
    ("perf.analysis",),
    ("perf.signals",),
    ("perf.access",),
    ("perf.intake",),
    ("perf.output",),
    ("perf.seed",),
    ("perf.__main__",),
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int
    private: bool  # names a _private module or name


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


MODULES = {module_name(p): p for p in python_files()}


def _resolve(module: str, name: str) -> str:
    """``from module import name``: the submodule when ``name`` is one, else the module."""
    full = f"{module}.{name}"
    return full if full in MODULES else module


def imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(), str(path))
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []

    # every import statement, wherever it is: module level, inside a function, under TYPE_CHECKING
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                private = any(part.startswith("_") for part in alias.name.split("."))
                found.append(Import(source, alias.name, node.lineno, private))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                target = _resolve(module, alias.name)
                private = any(p.startswith("_") and not p.startswith("__") for p in [*module.split("."), alias.name])
                found.append(Import(source, target, node.lineno, private))
    return [i for i in found if i.target.split(".")[0] in {"perf", "ui", "app_pages"}]


ALL = [i for p in MODULES.values() for i in imports(p)]


def _package(module: str) -> str:
    return module if MODULES.get(module, Path()).name == "__init__.py" else module.rpartition(".")[0]


def test_no_import_circles() -> None:
    """No module imports, through any chain of imports, a module that imports it.

    Every import counts, not only the module-level ones: an import tucked inside a function to dodge
    a circle at start-up is still a circle (two modules that each need the other), so it fails here too.
    """
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for i in ALL:
        if i.target != i.source:
            graph[i.source].setdefault(i.target, i.line)
    seen: set[str] = set()
    circles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        if node in path:
            circles.append(path[path.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        for nxt in sorted(graph[node]):
            walk(nxt, [*path, node])

    for module in sorted(graph):
        walk(module, [])

    def where(circle: list[str]) -> str:
        steps = [f"{a} ({MODULES[a].relative_to(ROOT)}:{graph[a][b]})" for a, b in pairwise(circle)]
        return " -> ".join([*steps, circle[-1]])

    assert not circles, "import circles:\n" + "\n".join(where(c) for c in circles)


def test_no_private_module_or_name_from_another_package() -> None:
    """``_private`` modules and names stay inside their package (``perf.spc``'s parts, for one)."""
    crossing = [
        f"{MODULES[i.source].relative_to(ROOT)}:{i.line} imports a private name of {i.target}"
        for i in ALL
        if i.private and not (i.target + ".").startswith(_package(i.source) + ".")
    ]
    assert not crossing, "\n".join(crossing)


def _room(module: str) -> int | None:
    for rank, rooms in enumerate(ROOMS):
        if any(module == r or module.startswith(r + ".") for r in rooms):
            return rank
    return None


def test_every_perf_module_has_a_room() -> None:
    homeless = [m for m in MODULES if m.startswith("perf.") and _room(m) is None]
    assert not homeless, f"modules in no room of tests/test_layout.ROOMS: {homeless}"


def test_rooms_import_only_the_rooms_below() -> None:
    """A room imports itself and the rooms before it in ROOMS; nothing in perf imports ui or Streamlit."""
    upward = set()
    for i in ALL:
        if not i.source.startswith("perf"):
            continue
        assert not i.target.startswith(("ui", "app_pages")), f"{i.source}:{i.line} imports {i.target}"
        low, high = _room(i.target), _room(i.source)
        assert low is not None and high is not None
        if low > high:
            upward.add((i.source, i.target))
    assert not upward, "imports that reach up a room:\n" + "\n".join(f"{a} -> {b}" for a, b in sorted(upward))


def test_perf_imports_no_streamlit() -> None:
    for path in (ROOT / "perf").rglob("*.py"):
        assert not re.search(r"^\s*(import|from) streamlit\b", path.read_text(), re.M), path


def _layout_rows() -> dict[str, set[str]]:
    """README.md's layout table: each path cell, and the `names` its description cell mentions."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = set(re.findall(r"`([\w./]+)`", cells[1]))
    return rows


def test_readme_layout_names_every_perf_package_and_module() -> None:
    """The layout table can't drift: each package of perf/ has a row naming each of its public modules."""
    rows = _layout_rows()
    missing = []
    for path in sorted((ROOT / "perf").rglob("*.py")):
        folder = path.parent.relative_to(ROOT).as_posix() + "/"
        if path.name == "__init__.py" or path.stem.startswith("_") and path.stem != "__main__":
            if folder not in rows:
                missing.append(f"no row for {folder}")
            continue
        if path.stem not in rows.get(folder, set()):
            missing.append(f"{folder}{path.name} is not named in the row for {folder}")
    assert not missing, "README.md's layout table:\n" + "\n".join(sorted(set(missing)))
