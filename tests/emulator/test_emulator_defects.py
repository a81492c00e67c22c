"""Defects of the emulator found by 15,000 junk requests, each pinned.

- A refused `PUT /playlists/{id}` changed the playlist anyway (it applied the name before
  finding the body invalid): the request is checked whole, then applied.
- `Infinity`, `NaN` and deeply nested JSON bodies got plain-text 500s: they get Spotify's
  JSON 400 (`{"error": {"status": 400, "message": ...}}`).
"""

from __future__ import annotations

import json

import httpx
import pytest

from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator, open_emulator_client


async def own_playlist(emulator: SpotifyEmulator) -> tuple[str, dict[str, str]]:
    async with open_emulator_client(emulator) as spotify:
        playlist = await spotify.playlists.create("before", public=True)
        assert spotify.token is not None
        headers = {"Authorization": f"Bearer {spotify.token.access_token}"}
    return playlist["id"], {**headers, "Content-Type": "application/json"}


async def put(emulator: SpotifyEmulator, path: str, body: bytes, headers: dict[str, str]):
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL) as client:
        response = await client.put(path, content=body, headers=headers)
        after = await client.get(path, headers=headers)
    return response, after.json()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "after", "collaborative": True},  # collaborative and (still) public
        {"name": "after", "public": "yes"},
        {"description": "after", "collaborative": 1},
    ],
)
async def test_a_refused_change_of_details_changes_nothing(body: dict[str, object]) -> None:
    emulator = SpotifyEmulator()
    playlist_id, headers = await own_playlist(emulator)
    response, after = await put(
        emulator, f"/v1/playlists/{playlist_id}", json.dumps(body).encode(), headers
    )
    assert response.status_code == 400
    assert (after["name"], after["public"], after["collaborative"]) == ("before", True, False)
    assert after["description"] != "after"


async def test_an_accepted_change_is_applied_whole() -> None:
    emulator = SpotifyEmulator()
    playlist_id, headers = await own_playlist(emulator)
    body = {"name": "after", "public": False, "collaborative": True}
    response, after = await put(
        emulator, f"/v1/playlists/{playlist_id}", json.dumps(body).encode(), headers
    )
    assert response.status_code == 200
    assert (after["name"], after["public"], after["collaborative"]) == ("after", False, True)


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": Infinity}',
        b'{"name": -Infinity}',
        b'{"name": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["Infinity", "-Infinity", "NaN", "nested"],
)
async def test_bodies_that_are_not_json_get_spotifys_json_400(body: bytes) -> None:
    emulator = SpotifyEmulator()
    playlist_id, headers = await own_playlist(emulator)
    response, after = await put(emulator, f"/v1/playlists/{playlist_id}", body, headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": {"status": 400, "message": "Error parsing json"}}
    assert after["name"] == "before"
