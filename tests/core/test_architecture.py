"""The package's shape, checked from its source: which way the imports run, where things live.

The rules of `docs/design.md`, parsed from the code with `ast` (imports made only for type
checking count: a cycle of types is a cycle of design):

- no import cycle between the package's modules;
- the facade `_client.py` is the composition root: only `trio_spotify/__init__.py` imports it;
- the core never imports `trio_spotify.testing` or `trio_spotify._cli`; the emulator and the
  CLI use the public API (plus the one operations table), never the core's private modules;
- every public exception is defined in `_errors.py`;
- no two private modules (`_x.py`), and no two classes, of the package share a name (the
  emulator's `_api/albums.py` ... mirror the client's `_endpoints/albums.py` ... on purpose);
- apart from the operations table and the generated `types.py`, no module is over 500
  lines (`types.py`'s class names are Spotify's, outside the class-name rule).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import trio_spotify
import trio_spotify.testing

PACKAGE = Path(trio_spotify.__file__).parent
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of the module an `ImportFrom` reads from."""
    if node.level == 0:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str) -> Iterator[str]:
    """Every package module `module` imports, at any depth of its code."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = resolve(module, node)
            # `from . import _paging` imports the submodule; `from ._x import Y` a name of _x.
            names = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            # Importing `a.b.c` runs `a` and `a.b` too, but those edges are not design:
            # count the deepest package module named.
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("trio_spotify"):
                yield name


GRAPH = {module: set(imports_of(module)) for module in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of `graph` as a list of modules, or `None`."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_core(module: str) -> bool:
    return not any(
        within(module, outer)
        for outer in ("trio_spotify.testing", "trio_spotify._cli", "trio_spotify.redis")
    )


def test_the_graph_is_read_from_the_source() -> None:
    # A guard for the rules below: they are only as good as the parsing.
    assert "trio_spotify._client" in GRAPH["trio_spotify"]
    assert GRAPH["trio_spotify._client"] >= {"trio_spotify._handler", "trio_spotify._config"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    assert find_cycle(GRAPH) is None


def test_only_the_package_root_imports_the_facade() -> None:
    importers = {m for m, targets in GRAPH.items() if "trio_spotify._client" in targets}
    assert importers == {"trio_spotify"}


def test_endpoints_and_paging_do_not_know_the_facade() -> None:
    for module, targets in GRAPH.items():
        if within(module, "trio_spotify._endpoints") or module == "trio_spotify._paging":
            assert "trio_spotify._client" not in targets, module


def test_the_core_never_imports_the_emulator_or_the_cli() -> None:
    for module, targets in GRAPH.items():
        if is_core(module) and module != "trio_spotify.__main__":
            assert not {t for t in targets if not is_core(t)}, module


@pytest.mark.parametrize("outer", ["trio_spotify.testing", "trio_spotify._cli"])
def test_the_emulator_and_the_cli_use_the_public_api_and_the_table(outer: str) -> None:
    allowed = {
        "trio_spotify",
        "trio_spotify._operations",
        "trio_spotify._version",
        "trio_spotify.redis",
    }
    for module, targets in GRAPH.items():
        if within(module, outer):
            private = {t for t in targets if is_core(t) and t not in allowed}
            assert not private, f"{module} imports {sorted(private)}"


def test_the_auth_package_sits_below_the_handler() -> None:
    above = {"trio_spotify._client", "trio_spotify._handler", "trio_spotify._paging"}
    for module, targets in GRAPH.items():
        if within(module, "trio_spotify._auth"):
            bad = {t for t in targets if t in above or within(t, "trio_spotify._endpoints")}
            assert not bad, f"{module} imports {sorted(bad)}"


def classes_defined_in(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}


def test_every_public_exception_is_defined_in_errors() -> None:
    # The package root rewrites `__module__` for its exports, so read the source instead.
    in_errors = classes_defined_in("trio_spotify._errors")
    exceptions = [
        getattr(namespace, name)
        for namespace in (trio_spotify, trio_spotify.testing)
        for name in namespace.__all__
        if isinstance(getattr(namespace, name), type)
        and issubclass(getattr(namespace, name), BaseException)
    ]
    assert len(exceptions) >= 20
    for exc in exceptions:
        assert exc.__name__ in in_errors, f"{exc.__name__} is not defined in _errors.py"
        assert exc.__qualname__ == exc.__name__


def test_no_two_modules_share_a_name() -> None:
    seen: dict[str, str] = {}
    for module, path in MODULES.items():
        if path.name == "__init__.py" or not path.stem.startswith("_"):
            continue
        name = path.stem
        assert name not in seen, f"{module} and {seen[name]} share the name {name!r}"
        seen[name] = module


def test_no_two_classes_share_a_name() -> None:
    seen: dict[str, str] = {}
    for module, path in MODULES.items():
        if module == "trio_spotify.types":  # generated: Spotify's names (types.Playlist)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.name not in seen, f"class {node.name} in {module} and {seen[node.name]}"
                seen[node.name] = module


def test_no_module_is_over_500_lines_but_the_table() -> None:
    for module, path in MODULES.items():
        if module in ("trio_spotify._operations", "trio_spotify.types"):  # table, generated
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_LINES, f"{module} has {lines} lines"


def external_imports_of(module: str) -> set[str]:
    """The top-level names of the packages outside trio_spotify that `module` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found


def test_redis_is_an_optional_layer_above_the_core() -> None:
    # coredis (the `redis` extra) is imported in trio_spotify.redis only, and nothing of the
    # core imports trio_spotify.redis: without the extra, the rest of the package works.
    assert "coredis" in external_imports_of("trio_spotify.redis._coordinator")  # the guard
    for module, targets in GRAPH.items():
        if not within(module, "trio_spotify.redis"):
            assert "coredis" not in external_imports_of(module), module
        if is_core(module):
            assert not any(within(t, "trio_spotify.redis") for t in targets), module
