"""Development mode looks like Spotify's development mode, and `additional_types` is
honoured (issue 10).

Sources: the corrected definition marks `deprecated: true` the properties Spotify removed
for development-mode apps (shared/spotify/protocol.md §9: November 2024 and February 2026);
`additional_types`: "A comma-separated list of item types that your client supports besides
the default track type" (the definition) — without `episode`, Spotify answers an episode as
`null`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio
import yaml
from helpers.fidelity import get, play

from trio_spotify.testing import SpotifyEmulator
from trio_spotify.testing._api._finish import DEPRECATED_PROPERTIES

SPEC = Path(__file__).parent.parent / "data" / "fixed-spotify-open-api.yml"

#: The definition's schemas behind each kind of `DEPRECATED_PROPERTIES`.
SCHEMAS = {
    "artist": ["ArtistObject"],
    "track": ["TrackObject", "SimplifiedTrackObject"],
    "episode": ["EpisodeBase"],
    "chapter": ["ChapterBase"],
    "show": ["ShowBase"],
    "audiobook": ["AudiobookBase"],
    "album": ["AlbumBase", "AlbumObject", "ArtistDiscographyAlbumObject"],
    "playlist": ["PlaylistObject", "SimplifiedPlaylistObject"],
    "user": ["PrivateUserObject", "PublicUserObject"],
    "playlist_entry": ["PlaylistTrackObject"],
}


def deprecated_properties(schema: dict[str, Any]) -> set[str]:
    found = set()
    for holder in [schema, *schema.get("allOf", [])]:
        for name, prop in (holder.get("properties") or {}).items():
            if isinstance(prop, dict) and prop.get("deprecated"):
                found.add(name)
    return found


def make(mode: str) -> SpotifyEmulator:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=9, mode=mode)  # type: ignore[arg-type]
    emulator.user(emulator.user_id)
    return emulator


def test_the_removed_properties_are_the_definitions_deprecated_ones() -> None:
    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    for kind, names in SCHEMAS.items():
        expected = set().union(*(deprecated_properties(schemas[n]) for n in names))
        assert DEPRECATED_PROPERTIES[kind] == expected, kind
    marked = {
        name
        for name, schema in schemas.items()
        if isinstance(schema, dict) and deprecated_properties(schema)
    }
    assert marked == {n for names in SCHEMAS.values() for n in names}


def walk(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@pytest.mark.parametrize(
    ("path", "kind", "present"),
    [
        ("/tracks/{track}", "track", {"popularity", "available_markets", "preview_url"}),
        ("/artists/{artist}", "artist", {"followers", "genres", "popularity"}),
        ("/albums/{album}", "album", {"label", "popularity", "genres"}),
        ("/me", "user", {"country", "email", "product", "followers", "explicit_content"}),
    ],
)
async def test_development_mode_leaves_out_the_deprecated_properties(
    path: str, kind: str, present: set[str]
) -> None:
    answers = {}
    for mode in ("extended", "development"):
        e = make(mode)
        c = e.catalog
        url = path.format(
            track=c.id_of(3, c.track_at(2)), artist=c.id_of(1, 1), album=c.id_of(2, 1)
        )
        token = e.issue_access_token()
        params = {} if kind == "user" else {"market": "from_token"}
        answers[mode] = await get(e, url, token=token, params=params or None)
    if kind == "track":
        # the market leaves `available_markets` out in both modes; without one it stays
        present = present - {"available_markets"}
    assert present <= set(answers["extended"])
    assert not present & set(answers["development"])
    removed = DEPRECATED_PROPERTIES[kind]
    for obj in walk(answers["development"]):
        if obj.get("type") == kind:
            assert not removed & set(obj), obj


@pytest.mark.parametrize("mode", ["extended", "development"])
async def test_development_mode_playlists_have_items_not_tracks(mode: str) -> None:
    # February 2026 (protocol.md §9): playlist `tracks` -> `items`, entry `track` -> `item`.
    e = make(mode)
    mine = e.owned_playlists(e.user_id)[0]
    playlist = await get(e, f"/playlists/{mine}")
    entry = playlist["items"]["items"][0]
    assert "item" in entry
    assert ("tracks" in playlist, "track" in entry) == (
        (True, True) if mode == "extended" else (False, False)
    )


def episode_uri(e: SpotifyEmulator) -> str:
    return f"spotify:episode:{e.catalog.id_of(5, e.catalog.show_episodes(0)[0])}"


@pytest.mark.parametrize("mode", ["extended", "development"])
async def test_without_additional_types_an_episode_in_a_playlist_is_null(mode: str) -> None:
    e = make(mode)
    mine = e.owned_playlists(e.user_id)[0]
    e.playlist(mine).entries[0].uri = episode_uri(e)  # type: ignore[union-attr]
    plain = (await get(e, f"/playlists/{mine}/items"))["items"][0]
    assert plain["item"] is None
    assert plain.get("track", None) is None
    full = await get(e, f"/playlists/{mine}", params={"additional_types": "episode"})
    assert full["items"]["items"][0]["item"]["type"] == "episode"
    tracks_only = await get(e, f"/playlists/{mine}", params={"additional_types": "track"})
    assert tracks_only["items"]["items"][0]["item"] is None
    assert tracks_only["items"]["items"][1]["item"]["type"] == "track"


@pytest.mark.parametrize("path", ["/me/player", "/me/player/currently-playing"])
async def test_without_additional_types_a_playing_episode_is_item_null(path: str) -> None:
    e = make("extended")
    await play(e, {"uris": [episode_uri(e)]})
    plain = await get(e, path)
    assert plain["item"] is None
    assert plain["currently_playing_type"] == "episode"
    with_episodes = await get(e, path, params={"additional_types": "track,episode"})
    assert with_episodes["item"]["uri"] == episode_uri(e)
