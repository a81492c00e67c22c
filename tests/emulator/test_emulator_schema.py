"""Every one of the 96 operations answers with its documented success status and a body
that validates against the corrected OpenAPI definition (tests/data, MIT, sonallux).

The cases run in order against one emulator, so that reads see the state writes made (the
player is started before it is read, a playlist is created before it is changed)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import trio
import yaml
from helpers.emulator import bearer, operation_cases, raw_client
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from starlette.routing import Mount, Route

from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import SpotifyEmulator
from trio_spotify.testing._access import enforced_scopes

SPEC = Path(__file__).parent.parent / "data" / "fixed-spotify-open-api.yml"
JSON_TYPE = "application/json"
# The corrected definition splits /me/top/{type} in two; the official one has one operation.
TOP_SPLIT = {"get-users-top-artists", "get-users-top-tracks"}
TOP = "get-users-top-artists-and-tracks"
#: (schema, property) of the corrected definition that Spotify answers with `null`.
SPOTIFY_NULLS = [
    ("PlayHistoryObject", "context"),
    ("CurrentlyPlayingContextObject", "context"),
    ("CurrentlyPlayingContextObject", "item"),
    ("CurrentlyPlayingObject", "context"),
    ("CurrentlyPlayingObject", "item"),
    ("QueueObject", "currently_playing"),
    ("RecommendationSeedObject", "href"),
    ("SimplifiedPlaylistObject", "public"),
    ("PlaylistObject", "public"),
    ("ShowBase", "html_description"),
    ("PlaylistTrackObject", "track"),
    ("PlaylistTrackObject", "item"),
]


@functools.cache
def openapi() -> OpenAPI:
    """The corrected definition, with one more correction: its `TrackObject | EpisodeObject`
    discriminators (on `type`) have no `mapping`, so OpenAPI's implicit mapping expects
    `"type": "TrackObject"` — which no Spotify answer ever holds (it says `"track"`).
    We add the mapping Spotify's data implies; every other schema is used as published."""
    spec = yaml.safe_load(SPEC.read_text())
    mapping = {
        "track": "#/components/schemas/TrackObject",
        "episode": "#/components/schemas/EpisodeObject",
    }
    patched = 0

    def walk(node: Any) -> None:
        nonlocal patched
        if isinstance(node, dict):
            disc = node.get("discriminator")
            if (
                isinstance(disc, dict)
                and disc.get("propertyName") == "type"
                and ("mapping" not in disc)
            ):
                disc["mapping"] = mapping
                patched += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert patched == 6, patched  # every TrackObject | EpisodeObject union
    # And `available_markets` is required by its schemas, yet Spotify leaves it out
    # whenever a market applies (a `market` parameter or a user token's country), as the
    # emulator does (tests/emulator/test_fidelity_market.py).
    unrequired = 0
    for schema in _schemas_of(spec):
        required = schema.get("required")
        if isinstance(required, list) and "available_markets" in required:
            required.remove("available_markets")
            unrequired += 1
    assert unrequired > 0
    # And the nulls Spotify sends where the definition types a value (issue 10;
    # tests/emulator/test_fidelity_objects.py pins each of them on the emulator).
    schemas = spec["components"]["schemas"]
    for name, prop in SPOTIFY_NULLS:
        schema = schemas[name]
        for holder in [schema, *schema.get("allOf", [])]:
            props = holder.get("properties") or {}
            if prop in props:
                # `nullable` beside an `allOf` does not let `null` through its `$ref`.
                props[prop] = {"anyOf": [props[prop], {"nullable": True, "enum": [None]}]}
                break
        else:
            raise AssertionError(f"{name}.{prop} is not in the definition")
    return OpenAPI.from_dict(spec)


def _schemas_of(node: Any) -> list[dict[str, Any]]:
    """Every mapping inside `node` (the definition's schemas among them)."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@functools.cache
def spec_operations() -> dict[str, tuple[str, str, bool]]:
    """operationId -> (method, path, deprecated) of the corrected definition."""
    spec = yaml.safe_load(SPEC.read_text())
    ops = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete"):
                ops[op["operationId"]] = (method.upper(), path, bool(op.get("deprecated")))
    return ops


def test_the_routes_match_the_definition() -> None:
    """The emulator's routes (from the one operations table) are Spotify's: same ids,
    methods, paths, deprecations."""
    spec = spec_operations()
    (api,) = [r for r in SpotifyEmulator().app.routes if isinstance(r, Mount)]
    assert api.path == "/v1"
    ours = {}
    for route in api.routes:
        assert isinstance(route, Route)
        assert route.methods is not None
        (method,) = route.methods - {"HEAD"}
        ours[route.name] = (method, route.path, OPERATIONS[route.name].deprecated)
    assert len(api.routes) == len(ours) == 96
    expected = {k: v for k, v in spec.items() if k not in TOP_SPLIT}
    expected[TOP] = ("GET", "/me/top/{type}", False)
    assert ours == expected
    assert sum(deprecated for _, _, deprecated in ours.values()) == 48


async def test_every_operation_conforms_to_the_definition() -> None:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7)
    token = emulator.issue_access_token()
    failures: list[str] = []
    seen: set[str] = set()
    spec = spec_operations()
    async with raw_client(emulator) as client:
        for operation_id, method, path, kwargs in operation_cases(emulator):
            headers = {**bearer(token), **kwargs.pop("headers", {})}
            response = await client.request(method, "/v1" + path, headers=headers, **kwargs)
            seen.add(operation_id)
            label = f"{operation_id} {method} {path}"
            if not 200 <= response.status_code < 300:
                failures.append(f"{label}: {response.status_code} {response.text[:200]}")
                continue
            spec_id = (
                operation_id
                if operation_id != TOP
                else (
                    "get-users-top-artists" if path.endswith("artists") else "get-users-top-tracks"
                )
            )
            spec_method, spec_path, _ = spec[spec_id]
            assert spec_method == method, label
            request = MockRequest(
                "https://api.spotify.com",
                method,
                "/v1" + path,
                path_pattern="/v1" + spec_path,
                args=dict(kwargs.get("params", {})),
            )
            mock = MockResponse(
                response.content,
                status_code=response.status_code,
                content_type=response.headers.get("content-type", "application/json"),
            )
            errors = list(openapi().iter_response_errors(request, mock))
            if errors:
                detail = "; ".join(_describe(err) for err in errors)
                failures.append(f"{label}: {detail[:1500]}")
    assert not failures, "\n".join(failures)
    assert seen == set(OPERATIONS)
    assert set(emulator.counters.requests) == seen


def _describe(error: BaseException) -> str:
    # The schema errors first: the error's own text repeats the whole body.
    parts = [str(error)[:100]]
    cause = error.__cause__
    while cause is not None:
        inner = getattr(cause, "schema_errors", None)
        if inner:
            parts.extend(f"{list(e.absolute_path)}: {e.message[:200]}" for e in inner[:5])
        else:
            parts.append(str(cause)[:300])
        cause = cause.__cause__
    return " | ".join(parts)


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_success_statuses_are_documented(status: int) -> None:
    """Each status the emulator answers with is the one the definition documents."""
    expected = {
        200: None,
        201: {
            "add-tracks-to-playlist",
            "add-items-to-playlist",
            "create-playlist",
            "create-playlist-for-user",
        },
        202: {"upload-custom-playlist-cover"},
    }
    spec = yaml.safe_load(SPEC.read_text())
    documented = {
        op["operationId"]
        for item in spec["paths"].values()
        for m, op in item.items()
        if m in ("get", "put", "post", "delete") and str(status) in op["responses"]
    }
    if status in expected and expected[status] is not None:
        assert documented == expected[status]
    else:
        assert documented


async def test_development_mode_refuses_exactly_the_deprecated_operations() -> None:
    """In development mode the 48 deprecated operations answer 403 and the 48 others work."""
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7, mode="development")
    token = emulator.issue_access_token()
    deprecated = {op.operation_id for op in OPERATIONS.values() if op.deprecated}
    refused: set[str] = set()
    served: set[str] = set()
    async with raw_client(emulator) as client:
        for operation_id, method, path, kwargs in operation_cases(emulator):
            headers = {**bearer(token), **kwargs.pop("headers", {})}
            response = await client.request(method, "/v1" + path, headers=headers, **kwargs)
            if response.status_code == 403:
                assert response.json() == {"error": {"status": 403, "message": "Forbidden"}}
                refused.add(operation_id)
            else:
                assert 200 <= response.status_code < 300, (operation_id, response.text)
                served.add(operation_id)
    assert refused == deprecated
    assert len(served) == 48


GARBAGE_PARAMS: list[dict[str, Any]] = [
    {},
    {"ids": "x,y"},
    {"ids": ",,,"},
    {"limit": "abc"},
    {"limit": -1},
    {"offset": "1e9"},
    {"uris": "junk"},
    {"uris": "spotify:track:" + "0" * 22},
    {"type": "nope"},
    {"market": "sweden"},
    {"state": "maybe"},
    {"position_ms": "soon"},
    {"volume_percent": 101},
    {"after": "x", "before": "y"},
    {"time_range": "forever"},
    {"q": "a", "type": "track"},
    {"seed_genres": "nope"},
    {"device_id": "missing"},
    {"uri": "spotify:album:x"},
    {"position": "top"},
]
GARBAGE_BODIES: list[bytes] = [
    b"",
    b"not json",
    b"[1, 2]",
    b'{"uris": 5}',
    b'{"ids": [1]}',
    b'{"uris": ["spotify:x:y"]}',
    b'{"range_start": "a"}',
    b'{"device_ids": []}',
    b'{"context_uri": 7}',
    b'{"name": ""}',
    b'{"items": [{"uri": 3}]}',
    b'{"tracks": "all"}',
    b'{"timestamped_ids": [{"id": 1}]}',
    b'{"offset": {"position": 999}, "uris": []}',
    b'{"public": "yes", "name": "x"}',
]


async def test_no_operation_fails_on_malformed_input() -> None:
    """Garbage parameters and bodies get Spotify's 4xx error objects, never a 5xx."""
    emulator = SpotifyEmulator(clock=trio.current_time, seed=1)
    token = emulator.issue_access_token()
    valid = {
        "id": emulator.catalog.id_of(3, 0),
        "playlist_id": emulator.owned_playlists(emulator.user(emulator.user_id).user_id)[0],
        "user_id": emulator.user_id,
        "category_id": "party",
        "type": "tracks",
    }
    statuses: set[int] = set()
    async with raw_client(emulator) as client:
        for op in OPERATIONS.values():
            for segment_values in (valid, dict.fromkeys(valid, "x")):
                path = "/v1" + op.path.format(**segment_values)
                for n, params in enumerate(GARBAGE_PARAMS):
                    body = GARBAGE_BODIES[n % len(GARBAGE_BODIES)] if op.method != "GET" else b""
                    response = await client.request(
                        op.method, path, params=params, content=body, headers=bearer(token)
                    )
                    statuses.add(response.status_code)
                    assert response.status_code < 500, (
                        op.operation_id,
                        params,
                        body,
                        response.text,
                    )
                    if response.status_code >= 400:
                        error = response.json()["error"]
                        assert error["status"] == response.status_code
                        assert error["message"]
    assert {200, 400, 404} <= statuses


def test_enforced_scopes_are_spotify_scopes() -> None:
    """Every scope an operation accepts is one Spotify lists for it (or, for the few
    list endpoints, a playlist scope); operations Spotify lists scopes for but that the
    emulator leaves open are exactly the documented ones. Enforced scopes have the
    table's shape: a tuple of alternatives, each needing one of its scopes."""
    spec = yaml.safe_load(SPEC.read_text())
    listed: dict[str, set[str]] = {}
    for item in spec["paths"].values():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete"):
                scopes: set[str] = set()
                for requirement in op.get("security", []):
                    scopes.update(requirement.get("oauth_2_0", []))
                listed[op["operationId"]] = scopes
    listed[TOP] = listed["get-users-top-artists"]
    open_ops = set()
    for op in OPERATIONS.values():
        spotify = listed[op.operation_id]
        enforced = enforced_scopes(op)
        for alternatives in enforced:
            extra = alternatives - spotify
            assert not extra or extra <= {
                "playlist-read-collaborative",
                "playlist-modify-public",
                "playlist-modify-private",
                "user-read-playback-state",
            }, (op.operation_id, extra)
            assert alternatives & spotify, op.operation_id
        if not enforced and spotify:
            open_ops.add(op.operation_id)
    # scope-dependent content (GET /me, shows, episodes), per-URI checks (/me/library),
    # and catalog reads Spotify serves to any token
    assert open_ops == {
        "get-current-users-profile",
        "get-a-show",
        "get-a-shows-episodes",
        "get-an-episode",
        "get-multiple-episodes",
        "save-library-items",
        "remove-library-items",
        "check-library-contains",
        "get-list-users-playlists",
        "get-playlists-items",
        "get-playlists-tracks",
    }


#: `fields` variations of the playlist reads: the definition's own examples, made to keep
#: what its schemas require (a paging object's seven keys, a track's `type`) — a filter
#: that drops a required key is answered as asked, and no schema describes that answer.
_PAGE_KEYS = "href,limit,next,offset,previous,total"
FIELDS_CASES = [
    ("get-playlist", "", "description,uri"),
    ("get-playlist", "", f"name,tracks({_PAGE_KEYS},items(added_at,added_by.id))"),
    ("get-playlist", "", "!tracks,items"),
    ("get-playlists-items", "/items", f"{_PAGE_KEYS},items(added_at)"),
    ("get-playlists-items", "/items", f"{_PAGE_KEYS},items(!track,item)"),
    ("get-playlists-items", "/items", f"items.track(!available_markets,external_ids),{_PAGE_KEYS}"),
    ("get-playlists-tracks", "/tracks", f"items(track(type,name,href)),{_PAGE_KEYS}"),
]


@pytest.mark.parametrize(("operation_id", "tail", "fields"), FIELDS_CASES)
async def test_fields_answers_conform_to_the_definition(
    operation_id: str, tail: str, fields: str
) -> None:
    """A filtered playlist answer still validates against the corrected definition."""
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7)
    playlist = emulator.catalog.id_of(8, 2)
    _, spec_path, _ = spec_operations()[operation_id]
    path = f"/v1/playlists/{playlist}{tail}"
    async with raw_client(emulator) as client:
        response = await client.get(
            path, params={"fields": fields}, headers=bearer(emulator.issue_access_token())
        )
    assert response.status_code == 200, response.text
    assert response.json()  # filtered, not emptied
    request = MockRequest(
        "https://api.spotify.com",
        "GET",
        path,
        path_pattern="/v1" + spec_path,
        args={"fields": fields},
    )
    mock = MockResponse(response.content, status_code=200, content_type="application/json")
    errors = list(openapi().iter_response_errors(request, mock))
    assert not errors, "; ".join(_describe(err) for err in errors)


@functools.cache
def market_operations() -> frozenset[str]:
    """The operationIds of the corrected definition that take a `market` parameter."""
    spec = yaml.safe_load(SPEC.read_text())
    found = set()
    for item in spec["paths"].values():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete"):
                continue
            for param in op.get("parameters", []):
                name = param.get("name") or param.get("$ref", "").rpartition("/")[2]
                if name in ("market", "QueryMarket"):
                    found.add(op["operationId"])
    return frozenset(found)


@pytest.mark.parametrize("market", ["JP", "SE", "from_token"])
async def test_market_answers_conform_to_the_definition(market: str) -> None:
    """With a `market` (so `is_playable`, `restrictions` and no `available_markets`; in
    `JP` some albums and every show are unplayable) every answer of an operation taking one
    still validates against the corrected definition (issue 10)."""
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7)
    token = emulator.issue_access_token()
    failures: list[str] = []
    checked = 0
    async with raw_client(emulator) as client:
        for operation_id, method, path, kwargs in operation_cases(emulator):
            headers = {**bearer(token), **kwargs.pop("headers", {})}
            spec_id = operation_id if operation_id != TOP else "get-users-top-tracks"
            if method == "GET" and spec_id in market_operations():
                kwargs["params"] = {**kwargs.get("params", {}), "market": market}
            response = await client.request(method, "/v1" + path, headers=headers, **kwargs)
            if method != "GET" or spec_id not in market_operations():
                continue  # a write, run for the state the reads after it need
            assert response.status_code in (200, 204), (operation_id, response.text)
            if response.status_code == 204:
                continue
            checked += 1
            _, spec_path, _ = spec_operations()[spec_id]
            request = MockRequest(
                "https://api.spotify.com",
                method,
                "/v1" + path,
                path_pattern="/v1" + spec_path,
                args=dict(kwargs["params"]),
            )
            mock = MockResponse(response.content, status_code=200, content_type=JSON_TYPE)
            errors = list(openapi().iter_response_errors(request, mock))
            if errors:
                detail = "; ".join(_describe(err) for err in errors)
                failures.append(f"{operation_id}: {detail[:1500]}")
    assert not failures, "\n".join(failures)
    assert checked >= 25, checked  # every catalog read, the library, the player
