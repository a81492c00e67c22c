"""Helpers of the emulator's conformance suite (`tests/emulator/test_fidelity_*.py`): raw
HTTP answers, so that a test sees exactly the keys and nulls the emulator sends."""

from __future__ import annotations

from typing import Any

import httpx

from helpers.emulator import bearer, raw_client
from trio_spotify.testing import SpotifyEmulator


async def answer(
    emulator: SpotifyEmulator,
    method: str,
    path: str,
    *,
    token: str | None = None,
    params: dict[str, Any] | None = None,
    json: Any = None,
) -> httpx.Response:
    """The emulator's response to one request under `/v1` (default: the user's token with
    every scope)."""
    if token is None:
        token = emulator.issue_access_token()
    async with raw_client(emulator) as client:
        return await client.request(
            method, "/v1" + path, headers=bearer(token), params=params, json=json
        )


async def get(emulator: SpotifyEmulator, path: str, **kwargs: Any) -> Any:
    """The decoded body of a successful `GET /v1{path}`."""
    response = await answer(emulator, "GET", path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def app_token(emulator: SpotifyEmulator) -> str:
    """An app token (client credentials): no user, so no user country."""
    return emulator.issue_access_token(user_id="")


async def play(emulator: SpotifyEmulator, body: dict[str, Any], **kwargs: Any) -> None:
    """Start playback on the user's first device."""
    device = emulator.user(emulator.user_id).player.devices[0].id
    response = await answer(
        emulator, "PUT", "/me/player/play", params={"device_id": device}, json=body, **kwargs
    )
    assert response.status_code == 204, response.text
