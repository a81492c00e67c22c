"""The auth package's import rules, read from the source with `ast`.

`trio_spotify._auth` sits below the request handler: it may import `_config`, `_errors` and
its own modules, its modules import each other without a cycle (counting imports made only
for type checking), none of them imports the package itself, and the rest of the package
reaches it only through `trio_spotify._auth`, never through one of its private modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import trio_spotify

PACKAGE = Path(trio_spotify.__file__).parent
AUTH = PACKAGE / "_auth"
ALLOWED_OUTSIDE = {"trio_spotify._config", "trio_spotify._errors"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, type-checking imports included, as absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
            else:
                prefix = ""
            if node.module is None:  # `from . import _x`: submodules
                found.update(f"{prefix}.{alias.name}" for alias in node.names)
            else:
                module = f"{prefix}.{node.module}" if prefix else node.module
                found.add(module)
                # `from ._auth import _token` imports the submodule itself.
                found.update(
                    f"{module}.{alias.name}" for alias in node.names if alias.name.startswith("_")
                )
    return found


def auth_graph() -> dict[str, set[str]]:
    return {
        module_name(path): {m for m in imported_modules(path) if m.startswith("trio_spotify")}
        for path in sorted(AUTH.glob("*.py"))
    }


def test_module_name_resolution_is_right() -> None:
    # The rules below are only as good as this resolution of relative imports.
    assert module_name(AUTH / "__init__.py") == "trio_spotify._auth"
    imports = imported_modules(AUTH / "_flows.py")
    assert {"trio_spotify._errors", "trio_spotify._auth._authorize"} <= imports
    assert "trio_spotify._auth._token" in imported_modules(AUTH / "__init__.py")


def test_auth_imports_only_config_errors_and_itself() -> None:
    graph = auth_graph()
    assert len(graph) >= 10
    for module, imports in graph.items():
        for imported in imports:
            inside = imported.startswith("trio_spotify._auth.")
            assert inside or imported in ALLOWED_OUTSIDE, f"{module} imports {imported}"


def test_no_auth_module_imports_the_auth_package() -> None:
    for module, imports in auth_graph().items():
        if module != "trio_spotify._auth":
            assert "trio_spotify._auth" not in imports, module


def test_auth_modules_import_each_other_without_a_cycle() -> None:
    graph = {
        module: {m for m in imports if m.startswith("trio_spotify._auth.")}
        for module, imports in auth_graph().items()
        if module != "trio_spotify._auth"
    }
    done: set[str] = set()
    while len(done) < len(graph):
        ready = {m for m, imports in graph.items() if m not in done and imports <= done}
        assert ready, f"an import cycle among {sorted(set(graph) - done)}"
        done |= ready


def test_the_rest_of_the_package_imports_only_the_auth_package() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if AUTH in path.parents:
            continue
        for imported in imported_modules(path):
            assert not imported.startswith("trio_spotify._auth."), (
                f"{module_name(path)} imports {imported}: import from trio_spotify._auth"
            )


def test_no_auth_module_is_over_500_lines() -> None:
    for path in AUTH.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 500, path.name
