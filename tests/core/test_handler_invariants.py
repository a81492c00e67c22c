"""Invariants of the handler that no single request shows: what holds a limiter slot when,
one SSL context for every client, and transport settings that pass through to httpx."""

from __future__ import annotations

import logging
import ssl

import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing
from helpers.fakes import FakeSpotify, api_error, json_response, open_fake

import trio_spotify


async def test_the_renewing_task_holds_no_limiter_slot(autojump_clock):
    fake = FakeSpotify()
    held: list[bool] = []

    class Renewer:
        async def renew(self, accounts, stale):
            borrowers = spotify._handler._limiter.statistics().borrowers
            held.append(trio.lowlevel.current_task() in borrowers)
            await trio.sleep(1)
            fake.issued += 1
            return trio_spotify.Token(fake.current_token)

    async with open_fake(fake, auth=Renewer(), max_concurrency=4) as spotify:
        async with trio.open_nursery() as nursery:
            for _ in range(8):
                nursery.start_soon(spotify.request, "GET", "/x")  # the lazy first renewal
        fake.issued += 1  # the server revokes the token: the next request meets a 401
        await spotify.request("GET", "/x")
    assert held == [False, False]


async def test_no_slot_is_held_while_the_gate_is_closed(autojump_clock):
    state = {"n": 0}

    async def api(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        n = state["n"]
        await trio.sleep(1)
        if n == 1:
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "10"})
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=2) as spotify:
        async with trio.open_nursery() as nursery:
            for _ in range(8):  # 2 in flight, 6 queued on the limiter when the 429 lands
                nursery.start_soon(spotify.request, "GET", "/x")
            await trio.sleep(3)  # mid-pause: the 429 came at t=1, the gate reopens at 11
            assert spotify._handler._limiter.borrowed_tokens == 0
            # All but the one that succeeded at t=1 wait for the gate, none for a slot.
            assert spotify.statistics().tasks_waiting == 7


async def test_no_slot_is_held_while_backing_off_before_a_retry(autojump_clock):
    calls = {"n": 0}

    async def api(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return api_error(503, "Service unavailable")
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=1) as spotify:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(spotify.request, "GET", "/x")
            await trio.sleep(0.25)  # inside the 0.5 s back-off
            assert spotify._handler._limiter.borrowed_tokens == 0


async def test_cancelling_the_renewal_of_an_existing_token_keeps_it(autojump_clock):
    fake = FakeSpotify(token_delay=5)
    async with open_fake(fake) as spotify:
        await spotify.request("GET", "/x")
        first = spotify.token
        fake.issued += 1  # revoked on the server: the next request meets a 401 and renews
        with trio.move_on_after(1) as scope:
            await spotify.request("GET", "/x")
        assert scope.cancelled_caught
        assert spotify.token is first
        assert spotify.statistics().token_renewals == 1
        await spotify.request("GET", "/x")  # renews once more, then succeeds
        assert spotify.statistics().token_renewals == 2


async def test_all_api_clients_share_one_ssl_context(monkeypatch):
    loads: list[int] = []
    real = ssl.SSLContext.load_verify_locations

    def spy(self, *args, **kwargs):
        loads.append(id(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", spy)
    async with trio_spotify.open_spotify(
        trio_spotify.Token("t"), max_concurrency=16, http_clients=8
    ) as spotify:
        for _ in range(16):
            spotify._handler._checkout_client()  # create every lazily created client
        assert len(spotify._handler._clients) == 8
    assert len(loads) == 1  # the CA bundle was loaded once, into one context


async def test_proxy_and_http2_settings_reach_httpx():
    async with trio_spotify.open_spotify(
        trio_spotify.Token("t"), proxy="http://127.0.0.1:9"
    ) as spotify:
        pool = spotify._handler._clients[0]._transport._pool
        assert type(pool).__name__ == "AsyncHTTPProxy"
    async with trio_spotify.open_spotify(trio_spotify.Token("t"), http2=True) as spotify:
        pool = spotify._handler._clients[0]._transport._pool
        assert pool._http2 is True


@pytest.mark.loopback
async def test_transport_timeout_is_configuration_that_raises_request_timeout():
    async def never_answer(stream: trio.SocketStream) -> None:
        await trio.sleep_forever()

    policy = trio_spotify.RetryPolicy(max_attempts=1)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(trio.serve_tcp, never_answer, 0)
            port = listeners[0].socket.getsockname()[1]
            async with trio_spotify.open_spotify(
                trio_spotify.Token("t"),
                api_url=f"http://127.0.0.1:{port}/v1",
                transport_timeout=0.25,
                retry=policy,
            ) as spotify:
                start = trio.current_time()
                with pytest.raises(trio_spotify.RequestTimeout) as info:
                    await spotify.request("GET", "/me")
                assert 0.2 <= trio.current_time() - start < 5
            assert isinstance(info.value.__cause__, httpx.ReadTimeout)
            nursery.cancel_scope.cancel()


async def test_each_response_is_logged_with_method_path_status_and_time(autojump_clock, caplog):
    caplog.set_level(logging.DEBUG, logger="trio_spotify")
    fake = FakeSpotify()
    async with open_fake(fake) as spotify:
        await spotify.request("GET", "/tracks/abc", params={"market": "SE"})
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        m.startswith("GET /v1/tracks/abc -> 200 (") and m.endswith("s)") for m in messages
    ), messages
