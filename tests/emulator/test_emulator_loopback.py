"""The emulator served on real loopback sockets (hypercorn's Trio worker), on the real
clock, every test bounded by `trio.fail_after`. Never combined with autojump_clock."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest
import trio
from helpers.emulator import REDIRECT, basic, bearer, query_of

from trio_spotify import ClientCredentials, NetworkError, RetryPolicy, open_spotify
from trio_spotify.testing import SpotifyEmulator, open_emulator_server

pytestmark = pytest.mark.loopback

NO_JITTER = RetryPolicy(jitter=lambda cap: cap / 50)


async def test_client_over_loopback_follows_next_links() -> None:
    emulator = SpotifyEmulator()
    with trio.fail_after(20):
        async with open_emulator_server(emulator) as base_url:
            assert base_url.startswith("http://127.0.0.1:")
            async with open_spotify(
                emulator.client_credentials(), api_url=base_url + "/v1", accounts_url=base_url
            ) as spotify:
                playlist = emulator.catalog.id_of(8, 2)  # 120 items
                page = await spotify.request(
                    "GET", f"/playlists/{playlist}/items", params={"limit": 50}
                )
                assert page["href"].startswith(base_url + "/v1/playlists/")
                count = 0
                while True:
                    count += len(page["items"])
                    if page["next"] is None:
                        break
                    page = await spotify.request("GET", page["next"])
    assert count == 120
    assert emulator.counters.requests["get-playlists-items"] == 3


async def test_authorization_code_flow_over_http() -> None:
    emulator = SpotifyEmulator()
    with trio.fail_after(20):
        async with (
            open_emulator_server(emulator) as base_url,
            httpx.AsyncClient(base_url=base_url) as client,
        ):
            r = await client.get(
                "/authorize",
                params={
                    "client_id": emulator.client_id,
                    "response_type": "code",
                    "redirect_uri": REDIRECT,
                    "state": "abc",
                    "scope": "user-top-read",
                },
            )
            assert r.status_code == 302
            code = query_of(r.headers["location"])["code"]
            token = await client.post(
                "/api/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": REDIRECT,
                },
                headers=basic(emulator.client_id, emulator.client_secret),
            )
            access = token.json()["access_token"]
            top = await client.get("/v1/me/top/artists", headers=bearer(access))
            assert top.status_code == 200
            assert top.json()["items"]
            denied = await client.get("/v1/me/tracks", headers=bearer(access))
            assert denied.status_code == 403


async def test_dropped_connection_on_a_socket() -> None:
    emulator = SpotifyEmulator()
    token = emulator.issue_access_token()
    with trio.fail_after(20):
        async with open_emulator_server(emulator) as base_url:
            async with httpx.AsyncClient(base_url=base_url) as client:
                emulator.faults.drop_next()
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.get("/v1/markets", headers=bearer(token))
                ok = await client.get("/v1/markets", headers=bearer(token))
                assert ok.status_code == 200
            async with open_spotify(
                ClientCredentials(emulator.client_id, emulator.client_secret),
                api_url=base_url + "/v1",
                accounts_url=base_url,
                retry=NO_JITTER,
            ) as spotify:
                emulator.faults.drop_next(2)
                assert (await spotify.request("GET", "/markets"))["markets"]
                emulator.faults.drop_next(10)
                with pytest.raises(NetworkError):
                    await spotify.request("GET", "/markets")
                emulator.faults.clear()


async def test_256_concurrent_connections_stay_correct() -> None:
    emulator = SpotifyEmulator()
    emulator.faults.latency = 0.2  # keep every connection busy at once
    token = emulator.issue_access_token()
    c = emulator.catalog
    wrong: list[int] = []
    with trio.fail_after(60):
        async with open_emulator_server(emulator) as base_url:
            limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
            async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

                async def fetch(n: int) -> None:
                    expected = c.id_of(3, c.track_at(n))
                    r = await client.get(f"/v1/tracks/{expected}", headers=bearer(token))
                    if r.status_code != 200 or r.json()["id"] != expected:
                        wrong.append(n)

                start = trio.current_time()
                async with trio.open_nursery() as nursery:
                    for n in range(256):
                        nursery.start_soon(fetch, n)
                elapsed = trio.current_time() - start
    assert wrong == []
    assert emulator.counters.requests["get-track"] == 256
    # 256 requests of 0.2 s each finished together, so they were served concurrently
    assert elapsed < 0.2 * 256 / 4


async def test_exception_in_the_block_comes_out_as_itself() -> None:
    emulator = SpotifyEmulator()
    with trio.fail_after(20), pytest.raises(KeyError):
        async with open_emulator_server(emulator):
            raise KeyError("mine")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
async def test_cli_serves_until_interrupted(stop: signal.Signals) -> None:
    with trio.fail_after(30):
        process = await trio.lowlevel.open_process(
            [sys.executable, "-m", "trio_spotify", "emulator", "--port", "0", "--seed", "4"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None
        buffer = b""
        while b"mode:" not in buffer:
            chunk = await process.stdout.receive_some()
            assert chunk, buffer
            buffer += chunk
        lines = dict(
            line.strip().split(": ", 1) for line in buffer.decode().splitlines()[1:] if ": " in line
        )
        base_url = lines["accounts_url"].strip()
        try:
            async with httpx.AsyncClient() as client:
                token = await client.post(
                    base_url + "/api/token",
                    data={"grant_type": "client_credentials"},
                    headers=basic(lines["client_id"].strip(), lines["client_secret"].strip()),
                )
                assert token.status_code == 200
                me = await client.get(
                    lines["api_url"].strip() + "/me", headers=bearer(lines["user token"].strip())
                )
                assert me.json()["id"] == "emulator.user"
        finally:
            process.send_signal(stop)
            code = await process.wait()
            assert process.stderr is not None
            errors = b""
            while chunk := await process.stderr.receive_some():
                errors += chunk
    assert code == 0, errors.decode()
    assert "emulator stopped" in errors.decode()


async def test_renewal_storm_over_sockets() -> None:
    """The single-flight renewal holds over real connections too (64 of them)."""
    emulator = SpotifyEmulator()
    with trio.fail_after(30):
        async with (
            open_emulator_server(emulator) as base_url,
            open_spotify(
                emulator.user_auth(),
                api_url=base_url + "/v1",
                accounts_url=base_url,
                max_concurrency=64,
            ) as spotify,
        ):
            await spotify.request("GET", "/me")
            emulator.expire_access_tokens()
            async with trio.open_nursery() as nursery:
                for _ in range(150):
                    nursery.start_soon(spotify.request, "GET", "/me/player/devices")
    assert emulator.counters.tokens_by_grant["refresh_token"] == 2
    assert emulator.counters.requests["get-a-users-available-devices"] >= 150


def test_cli_arguments() -> None:
    from trio_spotify._cli import build_parser
    from trio_spotify._cli.emulator import run

    args = build_parser().parse_args(
        [
            "emulator",
            "--port",
            "0",
            "--seed",
            "9",
            "--mode",
            "development",
            "--rate-limit",
            "20",
            "--window",
            "5",
            "--latency",
            "0.01",
        ]
    )
    assert (args.port, args.seed, args.mode, args.rate_limit, args.window, args.latency) == (
        0,
        "9",
        "development",
        20,
        5.0,
        0.01,
    )
    args.port = 70000
    assert run(args) == 2


async def test_exceptions_from_the_served_block_come_out_as_raised() -> None:
    emulator = SpotifyEmulator()

    async def raise_in_block(error: BaseException) -> None:
        async with open_emulator_server(emulator):
            raise error

    with trio.fail_after(20):
        with pytest.raises(KeyError):
            await raise_in_block(KeyError("mine"))
        # A group the user raised keeps its shape: only the server's own layer comes off.
        with pytest.raises(ExceptionGroup) as info:
            await raise_in_block(ExceptionGroup("mine", [ValueError("inner")]))
        assert info.value.message == "mine"
        assert isinstance(info.value.exceptions[0], ValueError)
