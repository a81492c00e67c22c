"""Helpers shared by the emulator's tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator

REDIRECT = "http://127.0.0.1:8765/callback"
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 64)


@asynccontextmanager
async def raw_client(emulator: SpotifyEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client talking to the emulator in-process (no trio_spotify logic)."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    value = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def authorize(
    client: httpx.AsyncClient,
    emulator: SpotifyEmulator,
    *,
    scope: str = "user-read-private user-library-read",
    challenge: str | None = None,
    state: str = "xyz",
    redirect_uri: str = REDIRECT,
) -> httpx.Response:
    params = {
        "client_id": emulator.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": scope,
    }
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    return await client.get("/authorize", params=params)


async def follow_authorize(emulator: SpotifyEmulator, url: str) -> str:
    """What a browser does at `/authorize`: the emulator consents and answers 302."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(url)
    assert response.status_code == 302, response.text
    location: str = response.headers["location"]
    return location


class Browser:
    """Follows the authorize URL on the emulator, then the redirect on the real listener."""

    def __init__(self, emulator: SpotifyEmulator, tamper: Callable[[str], str] | None = None):
        self.emulator = emulator
        self.tamper = tamper
        self.locations: list[str] = []
        self.responses: list[httpx.Response] = []

    async def __call__(self, url: str) -> None:
        location = await follow_authorize(self.emulator, url)
        if self.tamper is not None:
            location = self.tamper(location)
        self.locations.append(location)
        async with httpx.AsyncClient(trust_env=False) as client:
            self.responses.append(await client.get(location))


def operation_cases(e: SpotifyEmulator) -> list[tuple[str, str, str, dict[str, Any]]]:
    """One valid request of each of the 96 operations, as (operationId, method, path,
    httpx keyword arguments), in an order that builds state: the player is started before
    it is read, a playlist is created before it is changed. Paths are under `/v1`."""
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
        (
            "get-users-top-artists-and-tracks",
            "GET",
            "/me/top/artists",
            {"params": {"time_range": "short_term"}},
        ),
        ("get-users-top-artists-and-tracks", "GET", "/me/top/tracks", {"params": {"limit": 50}}),
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
