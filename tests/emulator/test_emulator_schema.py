"""Every one of the 96 operations answers with its documented success status and a body
that validates against the corrected OpenAPI definition (tests/data, MIT, sonallux).

The cases run in order against one emulator, so that reads see the state writes made (the
player is started before it is read, a playlist is created before it is changed)."""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

import pytest
import trio
import yaml
from helpers.emulator import bearer, raw_client
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from trio_spotify.testing import SpotifyEmulator
from trio_spotify.testing._api import OPERATIONS

SPEC = Path(__file__).parent.parent / "data" / "fixed-spotify-open-api.yml"
# The corrected definition splits /me/top/{type} in two; the official one has one operation.
TOP_SPLIT = {"get-users-top-artists", "get-users-top-tracks"}
TOP = "get-users-top-artists-and-tracks"

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 64)


@functools.cache
def openapi() -> OpenAPI:
    """The corrected definition, with one more correction: its ``TrackObject | EpisodeObject``
    discriminators (on ``type``) have no ``mapping``, so OpenAPI's implicit mapping expects
    ``"type": "TrackObject"`` — which no Spotify answer ever holds (it says ``"track"``).
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
    return OpenAPI.from_dict(spec)


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


def cases(e: SpotifyEmulator) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(operationId, method, path, httpx keyword arguments), in an order that builds state."""
    c = e.catalog
    album, album2 = c.id_of(2, 3), c.id_of(2, 40)
    artist, artist2 = c.id_of(1, 2), c.id_of(1, 9)
    track, track2 = c.id_of(3, c.track_at(11)), c.id_of(3, c.track_at(12))
    show, episode = c.id_of(4, 1), c.id_of(5, c.show_episodes(1)[2])
    book, chapter = c.id_of(6, 1), c.id_of(7, c.audiobook_chapters(1)[3])
    playlist = c.id_of(8, 2)  # a catalog user's playlist
    user = c.user_id(3)
    me = e.user(e.user_id)
    mine = e.owned_playlists(me.user_id)[0]
    device = me.player.devices[1].id
    ids = {"ids": f"{track},{track2}"}
    return [
        ("get-an-album", "GET", f"/albums/{album}", {"params": {"market": "SE"}}),
        ("get-multiple-albums", "GET", "/albums", {"params": {"ids": f"{album},{album2}"}}),
        ("get-an-albums-tracks", "GET", f"/albums/{album}/tracks", {"params": {"limit": 3}}),
        ("get-an-artist", "GET", f"/artists/{artist}", {}),
        ("get-multiple-artists", "GET", "/artists", {"params": {"ids": f"{artist},{artist2}"}}),
        ("get-an-artists-albums", "GET", f"/artists/{artist}/albums", {"params": {"limit": 10}}),
        ("get-an-artists-top-tracks", "GET", f"/artists/{artist}/top-tracks", {}),
        ("get-an-artists-related-artists", "GET", f"/artists/{artist}/related-artists", {}),
        ("get-a-show", "GET", f"/shows/{show}", {}),
        ("get-multiple-shows", "GET", "/shows", {"params": {"ids": show}}),
        ("get-a-shows-episodes", "GET", f"/shows/{show}/episodes", {"params": {"offset": 10}}),
        ("get-an-episode", "GET", f"/episodes/{episode}", {}),
        ("get-multiple-episodes", "GET", "/episodes", {"params": {"ids": episode}}),
        ("get-an-audiobook", "GET", f"/audiobooks/{book}", {}),
        ("get-multiple-audiobooks", "GET", "/audiobooks", {"params": {"ids": book}}),
        ("get-audiobook-chapters", "GET", f"/audiobooks/{book}/chapters", {}),
        ("save-audiobooks-user", "PUT", "/me/audiobooks", {"params": {"ids": book}}),
        ("get-users-saved-audiobooks", "GET", "/me/audiobooks", {}),
        (
            "check-users-saved-audiobooks",
            "GET",
            "/me/audiobooks/contains",
            {"params": {"ids": book}},
        ),
        ("remove-audiobooks-user", "DELETE", "/me/audiobooks", {"params": {"ids": book}}),
        ("get-a-chapter", "GET", f"/chapters/{chapter}", {}),
        ("get-several-chapters", "GET", "/chapters", {"params": {"ids": chapter}}),
        ("get-track", "GET", f"/tracks/{track}", {}),
        ("get-several-tracks", "GET", "/tracks", {"params": ids}),
        (
            "search",
            "GET",
            "/search",
            {
                "params": {
                    "q": "the",
                    "type": "album,artist,playlist,track,show,episode,audiobook",
                    "limit": 10,
                }
            },
        ),
        ("get-current-users-profile", "GET", "/me", {}),
        ("get-playlist", "GET", f"/playlists/{playlist}", {}),
        ("change-playlist-details", "PUT", f"/playlists/{mine}", {"json": {"name": "Renamed"}}),
        ("get-playlists-tracks", "GET", f"/playlists/{playlist}/tracks", {"params": {"limit": 5}}),
        (
            "add-tracks-to-playlist",
            "POST",
            f"/playlists/{mine}/tracks",
            {"json": {"uris": [f"spotify:track:{track}", f"spotify:episode:{episode}"]}},
        ),
        (
            "reorder-or-replace-playlists-tracks",
            "PUT",
            f"/playlists/{mine}/tracks",
            {"json": {"range_start": 0, "insert_before": 2}},
        ),
        (
            "remove-tracks-playlist",
            "DELETE",
            f"/playlists/{mine}/tracks",
            {"json": {"tracks": [{"uri": f"spotify:track:{track}"}]}},
        ),
        ("get-playlists-items", "GET", f"/playlists/{mine}/items", {}),
        (
            "add-items-to-playlist",
            "POST",
            f"/playlists/{mine}/items",
            {"params": {"uris": f"spotify:track:{track2}", "position": 0}},
        ),
        (
            "reorder-or-replace-playlists-items",
            "PUT",
            f"/playlists/{mine}/items",
            {"json": {"range_start": 1, "insert_before": 0, "range_length": 2}},
        ),
        (
            "remove-items-playlist",
            "DELETE",
            f"/playlists/{mine}/items",
            {"json": {"items": [{"uri": f"spotify:track:{track2}"}]}},
        ),
        ("get-a-list-of-current-users-playlists", "GET", "/me/playlists", {}),
        (
            "create-playlist",
            "POST",
            "/me/playlists",
            {"json": {"name": "New", "description": "made by a test", "public": False}},
        ),
        (
            "save-library-items",
            "PUT",
            "/me/library",
            {"params": {"uris": f"spotify:track:{track},spotify:artist:{artist2}"}},
        ),
        (
            "remove-library-items",
            "DELETE",
            "/me/library",
            {"params": {"uris": f"spotify:track:{track}"}},
        ),
        (
            "check-library-contains",
            "GET",
            "/me/library/contains",
            {"params": {"uris": f"spotify:track:{track},spotify:artist:{artist2}"}},
        ),
        ("save-albums-user", "PUT", "/me/albums", {"json": {"ids": [album]}}),
        ("get-users-saved-albums", "GET", "/me/albums", {"params": {"limit": 2}}),
        ("check-users-saved-albums", "GET", "/me/albums/contains", {"params": {"ids": album}}),
        ("remove-albums-user", "DELETE", "/me/albums", {"params": {"ids": album}}),
        (
            "save-tracks-user",
            "PUT",
            "/me/tracks",
            {"json": {"timestamped_ids": [{"id": track, "added_at": "2026-01-02T03:04:05Z"}]}},
        ),
        ("get-users-saved-tracks", "GET", "/me/tracks", {}),
        ("check-users-saved-tracks", "GET", "/me/tracks/contains", {"params": ids}),
        ("remove-tracks-user", "DELETE", "/me/tracks", {"params": {"ids": track}}),
        ("save-episodes-user", "PUT", "/me/episodes", {"params": {"ids": episode}}),
        ("get-users-saved-episodes", "GET", "/me/episodes", {}),
        (
            "check-users-saved-episodes",
            "GET",
            "/me/episodes/contains",
            {"params": {"ids": episode}},
        ),
        ("remove-episodes-user", "DELETE", "/me/episodes", {"json": {"ids": [episode]}}),
        ("save-shows-user", "PUT", "/me/shows", {"params": {"ids": show}}),
        ("get-users-saved-shows", "GET", "/me/shows", {}),
        ("check-users-saved-shows", "GET", "/me/shows/contains", {"params": {"ids": show}}),
        ("remove-shows-user", "DELETE", "/me/shows", {"params": {"ids": show}}),
        (TOP, "GET", "/me/top/artists", {"params": {"time_range": "short_term"}}),
        (TOP, "GET", "/me/top/tracks", {"params": {"limit": 50}}),
        ("get-users-profile", "GET", f"/users/{user}", {}),
        ("get-list-users-playlists", "GET", f"/users/{user}/playlists", {}),
        (
            "create-playlist-for-user",
            "POST",
            f"/users/{me.user_id}/playlists",
            {"json": {"name": "Old style"}},
        ),
        ("follow-playlist", "PUT", f"/playlists/{playlist}/followers", {}),
        ("check-if-user-follows-playlist", "GET", f"/playlists/{playlist}/followers/contains", {}),
        ("unfollow-playlist", "DELETE", f"/playlists/{playlist}/followers", {}),
        ("get-featured-playlists", "GET", "/browse/featured-playlists", {}),
        ("get-categories", "GET", "/browse/categories", {"params": {"limit": 5}}),
        ("get-a-category", "GET", "/browse/categories/party", {}),
        ("get-a-categories-playlists", "GET", "/browse/categories/party/playlists", {}),
        (
            "upload-custom-playlist-cover",
            "PUT",
            f"/playlists/{mine}/images",
            {"content": JPEG, "headers": {"Content-Type": "image/jpeg"}},
        ),
        ("get-playlist-cover", "GET", f"/playlists/{mine}/images", {}),
        ("get-new-releases", "GET", "/browse/new-releases", {}),
        (
            "follow-artists-users",
            "PUT",
            "/me/following",
            {"params": {"type": "artist"}, "json": {"ids": [artist]}},
        ),
        ("get-followed", "GET", "/me/following", {"params": {"type": "artist", "limit": 3}}),
        (
            "check-current-user-follows",
            "GET",
            "/me/following/contains",
            {"params": {"type": "artist", "ids": artist}},
        ),
        (
            "unfollow-artists-users",
            "DELETE",
            "/me/following",
            {"params": {"type": "artist", "ids": artist}},
        ),
        ("get-several-audio-features", "GET", "/audio-features", {"params": ids}),
        ("get-audio-features", "GET", f"/audio-features/{track}", {}),
        ("get-audio-analysis", "GET", f"/audio-analysis/{track}", {}),
        (
            "get-recommendations",
            "GET",
            "/recommendations",
            {
                "params": {
                    "seed_artists": artist,
                    "seed_genres": "jazz,rock",
                    "seed_tracks": track,
                    "limit": 5,
                }
            },
        ),
        ("get-recommendation-genres", "GET", "/recommendations/available-genre-seeds", {}),
        ("get-a-users-available-devices", "GET", "/me/player/devices", {}),
        ("transfer-a-users-playback", "PUT", "/me/player", {"json": {"device_ids": [device]}}),
        (
            "start-a-users-playback",
            "PUT",
            "/me/player/play",
            {"json": {"context_uri": f"spotify:album:{album}", "offset": {"position": 1}}},
        ),
        ("get-information-about-the-users-current-playback", "GET", "/me/player", {}),
        ("get-the-users-currently-playing-track", "GET", "/me/player/currently-playing", {}),
        ("add-to-queue", "POST", "/me/player/queue", {"params": {"uri": f"spotify:track:{track}"}}),
        ("get-queue", "GET", "/me/player/queue", {}),
        ("skip-users-playback-to-next-track", "POST", "/me/player/next", {}),
        ("skip-users-playback-to-previous-track", "POST", "/me/player/previous", {}),
        (
            "seek-to-position-in-currently-playing-track",
            "PUT",
            "/me/player/seek",
            {"params": {"position_ms": 25000}},
        ),
        (
            "set-repeat-mode-on-users-playback",
            "PUT",
            "/me/player/repeat",
            {"params": {"state": "context"}},
        ),
        (
            "set-volume-for-users-playback",
            "PUT",
            "/me/player/volume",
            {"params": {"volume_percent": 42}},
        ),
        (
            "toggle-shuffle-for-users-playback",
            "PUT",
            "/me/player/shuffle",
            {"params": {"state": "true"}},
        ),
        ("pause-a-users-playback", "PUT", "/me/player/pause", {}),
        ("get-recently-played", "GET", "/me/player/recently-played", {"params": {"limit": 5}}),
        ("get-available-markets", "GET", "/markets", {}),
    ]


def test_the_table_matches_the_definition() -> None:
    """The emulator's operation table is Spotify's: same ids, methods, paths, deprecations."""
    spec = spec_operations()
    ours = {op.operation_id: (op.method, op.path, op.deprecated) for op in OPERATIONS}
    assert len(OPERATIONS) == len(ours) == 96
    expected = {k: v for k, v in spec.items() if k not in TOP_SPLIT}
    expected[TOP] = ("GET", "/me/top/{type}", False)
    assert ours == expected
    assert sum(op.deprecated for op in OPERATIONS) == 48


async def test_every_operation_conforms_to_the_definition() -> None:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7)
    token = emulator.issue_access_token()
    failures: list[str] = []
    seen: set[str] = set()
    spec = spec_operations()
    async with raw_client(emulator) as client:
        for operation_id, method, path, kwargs in cases(emulator):
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
    assert seen == {op.operation_id for op in OPERATIONS}
    assert set(emulator.counters.requests) == seen


def _describe(error: BaseException) -> str:
    parts = [str(error)]
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
    deprecated = {op.operation_id for op in OPERATIONS if op.deprecated}
    refused: set[str] = set()
    served: set[str] = set()
    async with raw_client(emulator) as client:
        for operation_id, method, path, kwargs in cases(emulator):
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
        for op in OPERATIONS:
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
    emulator leaves open are exactly the documented ones."""
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
    for op in OPERATIONS:
        spotify = listed[op.operation_id]
        if op.scopes:
            extra = op.scopes - spotify
            assert not extra or extra <= {
                "playlist-read-collaborative",
                "playlist-modify-public",
                "playlist-modify-private",
                "user-read-playback-state",
            }, (op.operation_id, extra)
            assert op.scopes & spotify, op.operation_id
        elif spotify:
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
