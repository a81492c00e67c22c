"""Every operation of Spotify's definition has a method that sends exactly what it should.

Reads `tests/data/official-spotify-open-api.yml` (Spotify's own definition, MIT-licensed
copy by sonallux, see `LICENSE-spec.txt`) and `tests/data/endpoints.json` (the endpoint
table generated from it, the project's reference data) and checks, for all 96 operations:
that every column of the package's operation table agrees with both (method, path,
deprecation, scopes, batch size, `limit` range, largest `offset`, paging shape), that a
public method exists and sends the right HTTP method, path, query and body through a
recording transport, that deprecated operations warn (naming the replacement) and others do
not, and that `docs/endpoints.md` has a row naming the operation, its method and its scopes.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
import warnings
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from helpers.calls import AR, CALLS, JPEG, A, B, Call, P, S
from helpers.fakes import Recorder, open_client

import trio_spotify
from trio_spotify._operations import OPERATIONS, Operation, operation_for

ROOT = Path(__file__).parents[2]
SPEC_FILE = Path(__file__).parent.parent / "data" / "official-spotify-open-api.yml"
SPEC = yaml.safe_load(SPEC_FILE.read_text())
ENDPOINT_TABLE = {
    row["operationId"]: row
    for row in json.loads((Path(__file__).parent.parent / "data" / "endpoints.json").read_text())[
        "endpoints"
    ]
}
SPEC_OPS = {
    op["operationId"]: (method.upper(), path, op)
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
    if method in ("get", "put", "post", "delete")
}
GROUPS = (
    "albums",
    "artists",
    "audiobooks",
    "categories",
    "chapters",
    "episodes",
    "genres",
    "library",
    "markets",
    "player",
    "playlists",
    "search",
    "shows",
    "tracks",
    "users",
)


def spec_scopes(op: dict[str, Any]) -> frozenset[str]:
    return frozenset(s for entry in op.get("security", []) for s in entry.get("oauth_2_0", []))


def test_the_definition_has_96_operations_and_48_deprecated() -> None:
    assert len(SPEC_OPS) == 96
    assert sum(bool(op.get("deprecated")) for _, _, op in SPEC_OPS.values()) == 48


def test_operation_table_matches_the_definition() -> None:
    assert set(OPERATIONS) == set(SPEC_OPS)
    for operation_id, (method, path, op) in SPEC_OPS.items():
        ours = OPERATIONS[operation_id]
        assert (ours.method, ours.path) == (method, path), operation_id
        assert ours.deprecated == bool(op.get("deprecated")), operation_id
        assert ours.all_scopes == spec_scopes(op), operation_id


def _deref(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _numbers(text: str, pattern: str) -> list[int]:
    """The numbers `pattern` finds in `text` ("100.000" is Spotify's 100,000)."""
    return [int(n.replace(".", "")) for n in re.findall(pattern, text.replace("\\", ""))]


#: The list parameters (query or JSON body) whose size a request's batch bounds.
LIST_PARAMS = {"ids", "uris", "tracks", "items", "timestamped_ids"}


def spec_caps(op: dict[str, Any]) -> tuple[int | None, tuple[int, int] | None, int | None]:
    """`(batch, limit_range, max_offset)` as the definition states them.

    The batch is the smallest "Maximum: N IDs" / "A maximum of N items" of the operation's
    list parameters; the `limit` range its "Minimum: x. Maximum: y." (the schema's bounds
    where the text gives none); the largest `offset` the schema's maximum or the
    "Maximum offset" of its description.
    """
    texts: dict[str, list[str]] = {}
    schemas: dict[str, dict[str, Any]] = {}
    for param in map(_deref, op.get("parameters", [])):
        schema = _deref(param.get("schema", {}))
        texts.setdefault(param["name"], []).append(
            f"{param.get('description', '')} {schema.get('description', '')}"
        )
        schemas[param["name"]] = schema
    body = _deref(op.get("requestBody", {}))
    body_schema = _deref(body.get("content", {}).get("application/json", {}).get("schema", {}))
    for name, prop in (body_schema.get("properties") or {}).items():
        texts.setdefault(name, []).append(_deref(prop).get("description", ""))
    maxima = [
        n
        for name in LIST_PARAMS & set(texts)
        for text in texts[name]
        for n in _numbers(text, r"(?i)maximum(?::| of) (\d+)")
    ]
    batch = min(maxima) if maxima else None
    limit_range = None
    if "limit" in schemas:
        text, schema = " ".join(texts["limit"]), schemas["limit"]
        low = _numbers(text, r"Minimum: (\d+)") or [schema["minimum"]]
        high = _numbers(text, r"Maximum: (\d+)") or [schema["maximum"]]
        limit_range = (low[0], high[0])
    max_offset = None
    if "offset" in schemas:
        stated = _numbers(" ".join(texts["offset"]), r"Maximum offset: ([\d.]*\d)")
        max_offset = schemas["offset"].get("maximum") or (stated[0] if stated else None)
    return batch, limit_range, max_offset


SCALARS = {"string", "integer", "number", "boolean"}


def _paging_kind(schema: Any) -> str | None:
    """`"offset"` / `"cursor"` if `schema` is (built on) a paging object, else `None`."""
    if isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in ("PagingObject", "CursorPagingObject"):
            return "offset" if name == "PagingObject" else "cursor"
        return _paging_kind(_deref(schema))
    for part in schema.get("allOf", []) if isinstance(schema, dict) else []:
        if kind := _paging_kind(part):
            return kind
    return None


def spec_paging(op: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """`(paging, wrapped_in)` read from the schema of the operation's success answer.

    The answer is paged if its schema is a paging object, or wraps paging objects if they
    are beside nothing but plain values (search: one per type; followed artists: `artists`;
    featured playlists: `playlists` beside a `message`). An object that embeds a paging
    object among other objects (a playlist, an album) is not paged.
    """
    success: Any = next((r for code, r in op["responses"].items() if str(code).startswith("2")), {})
    content = _deref(success).get("content", {}).get("application/json", {})
    schema = content.get("schema")
    if schema is None:
        return None, ()
    if kind := _paging_kind(schema):
        return kind, ()
    properties = _deref(schema).get("properties") or {}
    kinds = {name: _paging_kind(prop) for name, prop in properties.items()}
    paged = {name: kind for name, kind in kinds.items() if kind}
    others = [_deref(properties[name]) for name in properties if name not in paged]
    if paged and all(other.get("type") in SCALARS for other in others):
        assert len(set(paged.values())) == 1, paged
        return next(iter(paged.values())), tuple(paged)
    return None, ()


def test_batch_limit_offset_and_paging_columns_match_the_definition() -> None:
    for operation_id, (_, _, op) in SPEC_OPS.items():
        ours = OPERATIONS[operation_id]
        assert (ours.batch, ours.limit_range, ours.max_offset) == spec_caps(op), operation_id
        assert (ours.paging, ours.wrapped_in) == spec_paging(op), operation_id


def _table_caps(row: dict[str, Any]) -> tuple[int | None, tuple[int, int] | None, int | None]:
    limits: list[str] = row["limits"]
    maxima = [
        int(n) for text in limits for n in re.findall(r"^\w+\((?:query|body)\) max (\d+)$", text)
    ]
    ranges = [
        (int(a), int(b)) for text in limits for a, b in re.findall(r"^limit (\d+)\.\.(\d+)", text)
    ]
    offsets = [int(n) for text in limits for n in re.findall(r"^offset max (\d+)", text)]
    return (
        min(maxima) if maxima else None,
        ranges[0] if ranges else None,
        offsets[0] if offsets else None,
    )


def _table_paging(row: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    match = re.fullmatch(r"(offset|cursor)(?: \(wrapped in `([a-z,]+)`\))?", row["pagination"])
    if match is None:
        return None, ()
    return match.group(1), tuple(match.group(2).split(",")) if match.group(2) else ()


def test_every_column_matches_the_endpoint_table() -> None:
    """The second source: the project's endpoint table (`tests/data/endpoints.json`)."""
    assert set(ENDPOINT_TABLE) == set(OPERATIONS)
    for operation_id, row in ENDPOINT_TABLE.items():
        ours = OPERATIONS[operation_id]
        assert (ours.method, ours.path) == (row["method"], row["path"]), operation_id
        assert ours.deprecated == row["deprecated"], operation_id
        assert ours.all_scopes == frozenset(row["scopes"]), operation_id
        assert (ours.batch, ours.limit_range, ours.max_offset) == _table_caps(row), operation_id
        assert (ours.paging, set(ours.wrapped_in)) == (
            _table_paging(row)[0],
            set(_table_paging(row)[1]),
        ), operation_id


def test_the_column_checks_can_fail() -> None:
    """A guard for the two tests above: a wrong row is seen by both sources."""
    row = OPERATIONS["get-followed"]
    spec_op = SPEC_OPS["get-followed"][2]
    table_row = ENDPOINT_TABLE["get-followed"]
    assert (row.paging, row.wrapped_in) == ("cursor", ("artists",))
    for wrong in (
        attrs.evolve(row, paging="offset"),
        attrs.evolve(row, wrapped_in=()),
        attrs.evolve(row, limit_range=(1, 20)),
    ):
        assert (
            wrong.batch,
            wrong.limit_range,
            wrong.max_offset,
            wrong.paging,
            wrong.wrapped_in,
        ) != (
            *spec_caps(spec_op),
            *spec_paging(spec_op),
        )
        assert (
            wrong.batch,
            wrong.limit_range,
            wrong.max_offset,
            wrong.paging,
            wrong.wrapped_in,
        ) != (
            *_table_caps(table_row),
            *_table_paging(table_row),
        )
    assert spec_caps(SPEC_OPS["get-a-list-of-current-users-playlists"][2])[2] == 100_000
    assert spec_caps(SPEC_OPS["save-albums-user"][2])[0] == 20  # the query's 20, not the body's 50
    assert spec_paging(SPEC_OPS["get-playlist"][2]) == (None, ())  # embeds, is not paged


def test_operation_for_finds_every_operation_of_the_table_by_a_request_for_it() -> None:
    for op in OPERATIONS.values():
        path = re.sub(r"\{[a-z_]+\}", "3cEYpjA9oz9GiPac4AsH4n", op.path)
        assert operation_for(op.method, path) is op, op.operation_id
        assert operation_for(op.method.lower(), path) is op, op.operation_id
    assert operation_for("GET", "/albums/x/tracks/more") is None
    assert operation_for("PATCH", "/me") is None
    assert operation_for("GET", "/v1/me") is None  # paths are relative to the API root


def test_operation_for_answers_the_tables_current_row(monkeypatch: pytest.MonkeyPatch) -> None:
    planted: Operation = attrs.evolve(OPERATIONS["search"], max_offset=7)
    monkeypatch.setitem(OPERATIONS, "search", planted)
    assert operation_for("GET", "/search") is planted


def test_every_operation_has_a_method_and_every_method_is_exercised() -> None:
    assert {call.operation_id for call in CALLS} == set(SPEC_OPS)
    public = {"search"}
    # Spotify.__module__ says "trio_spotify": evaluate its annotations where they were written.
    annotations = inspect.get_annotations(
        trio_spotify.Spotify, globals=vars(trio_spotify._client), eval_str=True
    )
    for group in GROUPS:
        if group == "search":
            continue
        group_cls = annotations[group]
        for name, _member in inspect.getmembers(group_cls, inspect.iscoroutinefunction):
            if not name.startswith("_"):
                public.add(f"{group}.{name}")
    assert public == {call.method_name for call in CALLS}


def _resolve(spotify: trio_spotify.Spotify, method_name: str) -> Any:
    target: Any = spotify
    for part in method_name.split("."):
        target = getattr(target, part)
    return target


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.method_name)
async def test_method_sends_the_request_the_definition_describes(call: Call) -> None:
    recorder = Recorder()
    op = OPERATIONS[call.operation_id]
    async with open_client(recorder) as spotify:
        assert callable(_resolve(spotify, call.method_name))
        if op.deprecated:
            with pytest.deprecated_call() as caught:
                await call.invoke(spotify)
            messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
            assert len(messages) == 1, messages
            assert call.operation_id in messages[0]
            if op.replacement:
                assert op.replacement in messages[0]
                # The replacement is a real method, sending an operation that is not deprecated.
                # ("a / b" names two; "(for the current user)" is a note, not a name.)
                for named in op.replacement.split(" (")[0].split(" / "):
                    method_name = named.removeprefix("spotify.")
                    assert callable(_resolve(spotify, method_name)), op.replacement
                    replacing = [c.operation_id for c in CALLS if c.method_name == method_name]
                    assert replacing, op.replacement
                    assert not any(OPERATIONS[r].deprecated for r in replacing), op.replacement
            assert caught[0].filename == __file__ or "helpers/calls" in caught[0].filename
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                await call.invoke(spotify)
    assert len(recorder.seen) == 1, recorder.seen
    seen = recorder.seen[0]
    assert seen.method == call.http_method
    assert seen.path == call.path
    assert seen.params == call.params
    if call.operation_id == "upload-custom-playlist-cover":
        assert seen.content == base64.b64encode(JPEG)
        assert seen.headers["content-type"] == "image/jpeg"
    else:
        assert seen.body == call.body


def _doc_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in (ROOT / "docs" / "endpoints.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5:
            match = re.fullmatch(r"`([a-z0-9-]+)`", cells[0])
            if match and match.group(1) in SPEC_OPS:
                assert match.group(1) not in rows, f"two rows for {match.group(1)}"
                rows[match.group(1)] = cells
    return rows


def test_docs_endpoints_has_a_row_per_operation_naming_its_methods_and_scopes() -> None:
    rows = _doc_rows()
    assert set(rows) == set(SPEC_OPS)
    for operation_id, (method, path, op) in SPEC_OPS.items():
        cells = rows[operation_id]
        assert cells[1] == f"`{method} {path}`", operation_id
        documented = set(re.findall(r"`spotify\.([a-z_.]+)`", cells[2]))
        expected = {c.method_name for c in CALLS if c.operation_id == operation_id}
        assert documented == expected, operation_id
        assert cells[3].startswith("yes" if op.get("deprecated") else "no"), operation_id
        assert set(re.findall(r"`([a-z-]+)`", cells[4])) == spec_scopes(op), operation_id
        # ... and against the one table, which the client, the emulator and the CLI read.
        row = OPERATIONS[operation_id]
        assert cells[1] == f"`{row.method} {row.path}`", operation_id
        assert cells[3].startswith("yes" if row.deprecated else "no"), operation_id
        assert set(re.findall(r"`([a-z-]+)`", cells[4])) == row.all_scopes, operation_id


def test_migration_guide_maps_all_75_async_spotify_methods_to_existing_methods() -> None:
    rows = [
        line
        for line in (ROOT / "docs" / "migrating.md").read_text().splitlines()
        if line.startswith("| `api.")
    ]
    assert len(rows) == 75
    old = {re.match(r"\| `api\.([a-z]+\.[a-z_]+)\(", row).group(1) for row in rows}  # type: ignore[union-attr]
    assert len(old) == 75
    ours = {c.method_name for c in CALLS}
    for row in rows:
        named = re.findall(r"spotify\.([a-z_]+(?:\.[a-z_]+)?)\(", row.split("|")[2])
        assert named, row
        for name in named:
            assert name in ours, f"{name} in {row}"


#: Every method taking an ``offset`` query parameter, called with ``offset=11``.
OFFSET_11: dict[str, Any] = {
    "albums.tracks": lambda s: s.albums.tracks(A, offset=11),
    "albums.saved": lambda s: s.albums.saved(offset=11),
    "albums.new_releases": lambda s: s.albums.new_releases(offset=11),
    "artists.albums": lambda s: s.artists.albums(AR, offset=11),
    "audiobooks.chapters": lambda s: s.audiobooks.chapters(B, offset=11),
    "audiobooks.saved": lambda s: s.audiobooks.saved(offset=11),
    "categories.browse": lambda s: s.categories.browse(offset=11),
    "categories.playlists": lambda s: s.categories.playlists("pop", offset=11),
    "episodes.saved": lambda s: s.episodes.saved(offset=11),
    "playlists.items": lambda s: s.playlists.items(P, offset=11),
    "playlists.tracks": lambda s: s.playlists.tracks(P, offset=11),
    "playlists.saved": lambda s: s.playlists.saved(offset=11),
    "playlists.user_playlists": lambda s: s.playlists.user_playlists("smedjan", offset=11),
    "playlists.featured": lambda s: s.playlists.featured(offset=11),
    "search": lambda s: s.search("q", types="track", offset=11),
    "shows.episodes": lambda s: s.shows.episodes(S, offset=11),
    "shows.saved": lambda s: s.shows.saved(offset=11),
    "tracks.saved": lambda s: s.tracks.saved(offset=11),
    "users.top": lambda s: s.users.top("tracks", offset=11),
}
_OPERATION_OF = {call.method_name: call.operation_id for call in CALLS}


def test_the_offset_cap_test_covers_every_method_taking_an_offset() -> None:
    annotations = inspect.get_annotations(
        trio_spotify.Spotify, globals=vars(trio_spotify._client), eval_str=True
    )
    taking = set()
    for group in GROUPS:
        for name, method in inspect.getmembers(annotations[group], inspect.iscoroutinefunction):
            public = not name.startswith("_") or name == "__call__"
            if public and "offset" in inspect.signature(method).parameters:
                taking.add(group if name == "__call__" else f"{group}.{name}")
    assert taking - {"player.play"} == set(OFFSET_11)  # play's offset is a position in a body


@pytest.mark.parametrize("method_name", sorted(OFFSET_11))
async def test_every_offset_paged_method_applies_its_operations_max_offset(
    method_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``max_offset`` planted on any operation is enforced by its method (Group._page)."""
    operation_id = _OPERATION_OF[method_name]
    op = OPERATIONS[operation_id]
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            monkeypatch.setitem(OPERATIONS, operation_id, attrs.evolve(op, max_offset=11))
            await OFFSET_11[method_name](spotify)
            assert recorder.seen[-1].params["offset"] == "11"
            monkeypatch.setitem(OPERATIONS, operation_id, attrs.evolve(op, max_offset=10))
            with pytest.raises(ValueError, match="offset must be at most 10, not 11"):
                await OFFSET_11[method_name](spotify)
    assert len(recorder.seen) == 1
