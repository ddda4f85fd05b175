"""The direction of imports between the apps, as docs/architecture.md draws it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(app: str) -> dict[str, set[str]]:
    """Each module of `app` (migrations aside) and the absolute names it imports."""
    found = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                names.add(base)
                names |= {f"{base}.{alias.name}" for alias in node.names}
        found[str(path.relative_to(ROOT))] = names
    return found


def test_roadmap_imports_nothing_from_journal_or_learners():
    for module, names in imported_modules("roadmap").items():
        assert not {n for n in names if n.split(".")[0] in {"journal", "learners"}}, module


def test_journal_imports_nothing_from_learners():
    for module, names in imported_modules("journal").items():
        assert not {n for n in names if n.split(".")[0] == "learners"}, module


def test_journal_imports_only_roadmaps_models_and_services():
    allowed = ("roadmap.models", "roadmap.services")
    for module, names in imported_modules("journal").items():
        reached = {n for n in names if n.split(".")[0] == "roadmap"}
        assert all(n.startswith(allowed) for n in reached), (module, reached)


def test_no_app_imports_the_site_pages():
    for app in ("roadmap", "journal"):
        for module, names in imported_modules(app).items():
            assert not {n for n in names if n.startswith(("config.views", "config.urls"))}, module
