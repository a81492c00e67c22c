"""Helpers shared by the emulator's tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx

from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator

REDIRECT = "http://127.0.0.1:8765/callback"


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
    """What a browser does at ``/authorize``: the emulator consents and answers 302."""
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
