"""The request handler on a scripted MockTransport and the autojump clock: exact times, counts."""

from __future__ import annotations

import itertools
import json
import math

import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing
from helpers.fakes import API, FakeSpotify, api_error, json_response, no_jitter, open_fake

import trio_spotify


async def test_request_returns_decoded_json_and_sends_bearer_token(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(fake) as spotify:
        body = await spotify.request("GET", "/tracks/abc")
    assert body == {"path": "/v1/tracks/abc"}
    assert fake.requests[0].headers["Authorization"] == "Bearer token-1"
    assert fake.issued == 1


async def test_token_is_fetched_lazily_on_first_request(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(fake) as spotify:
        assert fake.issued == 0
        assert spotify.token is None
        await spotify.request("GET", "/me")
        assert spotify.token is not None
        assert spotify.token.access_token == "token-1"


async def test_request_formats_params_and_json_and_raw_content(autojump_clock):
    seen: list[httpx.Request] = []

    async def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        assert (
            await spotify.request(
                "get",
                "/albums",
                params={"ids": ["a", "b"], "flag": True, "off": False, "market": None, "limit": 5},
            )
            is None
        )
        await spotify.request("PUT", "/me/tracks", json={"ids": ["x"]})
        await spotify.request(
            "PUT",
            "/playlists/p/images",
            content=b"aGVsbG8=",
            headers={"Content-Type": "image/jpeg"},
        )
    assert dict(seen[0].url.params) == {"ids": "a,b", "flag": "true", "off": "false", "limit": "5"}
    assert seen[0].method == "GET"
    assert seen[1].headers["Content-Type"] == "application/json"
    assert json.loads(seen[1].read()) == {"ids": ["x"]}
    assert seen[2].headers["Content-Type"] == "image/jpeg"
    assert seen[2].read() == b"aGVsbG8="


async def test_urls_outside_api_url_are_refused_before_sending(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(fake) as spotify:
        with pytest.raises(ValueError, match="outside api_url"):
            await spotify.request("GET", "https://evil.test/v1/me")
        with pytest.raises(ValueError, match="must start with '/'"):
            await spotify.request("GET", "me")
        # An absolute URL under api_url (a paging "next" link) is fine.
        assert await spotify.request("GET", f"{API}/me/tracks?offset=20") == {
            "path": "/v1/me/tracks"
        }
    assert len(fake.requests) == 1


async def test_thousand_concurrent_requests_on_expired_token_cause_one_renewal(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(0.01)
        return json_response(200, {})

    fake = FakeSpotify(api=api, token_delay=0.5)
    async with open_fake(fake, max_concurrency=64) as spotify:
        await spotify.request("GET", "/warm-up")
        assert fake.issued == 1
        # The server revokes token-1 behind the client's back: it now accepts only token-2,
        # so every one of the 1000 requests below meets a 401 with the token it holds.
        fake.issued = 2
        async with trio.open_nursery() as nursery:
            for _ in range(1000):
                nursery.start_soon(spotify.request, "GET", "/me")
        stats = spotify.statistics()
    assert fake.issued == 3  # exactly one call to the token endpoint for 1000 401s
    assert stats.token_renewals == 2  # the lazy first one and the storm's
    assert spotify.token is not None
    assert spotify.token.access_token == "token-3"
    assert len(fake.requests) == 1 + 1000 + 1000  # warm-up, refused, retried once each
    assert fake.peak_in_flight <= 64


async def test_limiter_bounds_requests_in_flight(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(1)
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=7) as spotify:
        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            for _ in range(70):
                nursery.start_soon(spotify.request, "GET", "/x")
            await trio.sleep(0.5)
            stats = spotify.statistics()
            assert stats.requests_in_flight == 7
            assert stats.tasks_waiting == 63
        elapsed = trio.current_time() - start
    assert fake.peak_in_flight == 7
    assert elapsed == pytest.approx(10.0)  # 70 requests, 7 at a time, 1 s each


async def test_429_closes_the_gate_for_every_task_until_retry_after(autojump_clock):
    state = {"limited": False}

    async def api(request: httpx.Request) -> httpx.Response:
        if not state["limited"] and request.url.path == "/v1/first":
            state["limited"] = True
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "7"})
        await trio.sleep(0.1)
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=8) as spotify:
        await spotify.request("GET", "/warm")
        t0 = trio.current_time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(spotify.request, "GET", "/first")
            await trio.sleep(0.01)  # the 429 is in
            for _ in range(20):
                nursery.start_soon(spotify.request, "GET", "/other")
        stats = spotify.statistics()
    sent_after = [t - t0 for t in fake.send_times[1:]]
    # The 429 at t0; nothing at all is sent while the gate is closed.
    assert sent_after[0] == pytest.approx(0.0)
    assert all(t >= 7.0 - 1e-9 for t in sent_after[1:])
    assert min(sent_after[1:]) == pytest.approx(7.0)
    assert stats.rate_limited == 1
    assert stats.rate_limit_pause == pytest.approx(7.0)
    # The window was halved after the 429 (8 -> 4) and regrows by 1/window per success.
    assert 4 <= stats.concurrency_window <= 8


async def test_429_beyond_max_retry_after_raises_at_once_for_every_task(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(0.5)
        return api_error(429, "API rate limit exceeded", headers={"Retry-After": "3600"})

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        t0 = trio.current_time()
        with pytest.raises(trio_spotify.RateLimitExceeded) as info:
            await spotify.request("GET", "/x")
        assert trio.current_time() - t0 == pytest.approx(0.5)  # no waiting at all
        assert info.value.retry_after == 3600
        assert info.value.status == 429
        assert "retry after 3600 s" in str(info.value)
        # Another task arriving while the gate is closed for an hour raises at once too.
        t1 = trio.current_time()
        with pytest.raises(trio_spotify.RateLimitExceeded) as later:
            await spotify.request("GET", "/y")
        assert trio.current_time() == t1
        assert later.value.retry_after == pytest.approx(3600 - 0.0, abs=1)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("header", [None, "soon", "-3", "nan"])
async def test_429_without_readable_retry_after_uses_the_default_pause(autojump_clock, header):
    calls: list[float] = []

    async def api(request: httpx.Request) -> httpx.Response:
        calls.append(trio.current_time())
        if len(calls) == 1:
            headers = {} if header is None else {"Retry-After": header}
            return api_error(429, "API rate limit exceeded", headers=headers)
        return json_response(200, {"ok": True})

    fake = FakeSpotify(api=api)
    policy = trio_spotify.RetryPolicy(default_retry_after=2.5, jitter=no_jitter)
    async with open_fake(fake, retry=policy) as spotify:
        assert await spotify.request("GET", "/x") == {"ok": True}
    assert calls[1] - calls[0] == pytest.approx(2.5)


async def test_quota_exceeded_is_raised_not_retried(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(429, "Too many requests", "QUOTA_EXCEEDED", {"Retry-After": "1"})

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.RateLimitExceeded) as info:
            await spotify.request("GET", "/x")
    assert info.value.reason == "QUOTA_EXCEEDED"
    assert len(fake.requests) == 1


async def test_rate_limit_waits_are_bounded_per_request(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(429, "API rate limit exceeded", headers={"Retry-After": "1"})

    fake = FakeSpotify(api=api)
    policy = trio_spotify.RetryPolicy(max_rate_limit_waits=3, jitter=no_jitter)
    async with open_fake(fake, retry=policy) as spotify:
        with pytest.raises(trio_spotify.RateLimitExceeded):
            await spotify.request("GET", "/x")
    assert len(fake.requests) == 4


async def test_a_caller_deadline_cancels_a_rate_limit_wait(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(429, "API rate limit exceeded", headers={"Retry-After": "30"})

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with trio.move_on_after(5) as scope:
            await spotify.request("GET", "/x")
        assert scope.cancelled_caught
        assert trio.current_time() == pytest.approx(5)
        assert spotify.statistics().tasks_waiting == 0


async def test_server_errors_are_retried_with_exponential_backoff(autojump_clock):
    times: list[float] = []

    async def api(request: httpx.Request) -> httpx.Response:
        times.append(trio.current_time())
        if len(times) < 4:
            return api_error(503, "Service unavailable")
        return json_response(200, {"ok": 1})

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        assert await spotify.request("GET", "/x") == {"ok": 1}
        assert spotify.statistics().retries == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == pytest.approx([0.5, 1.0, 2.0])


async def test_server_errors_raise_after_the_last_attempt(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(502, "Bad gateway")

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.ServerError) as info:
            await spotify.request("GET", "/x")
    assert info.value.status == 502
    assert len(fake.requests) == 4  # max_attempts


async def test_full_jitter_stays_within_the_exponential_cap():
    policy = trio_spotify.RetryPolicy(backoff_base=1.0, backoff_max=5.0)
    for retry in range(1, 8):
        cap = min(5.0, 2 ** (retry - 1))
        assert all(0 <= policy.backoff(retry) <= cap for _ in range(50))


async def test_post_is_not_retried_after_a_server_error(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(503, "Service unavailable")

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.ServerError):
            await spotify.request("POST", "/me/playlists", json={"name": "x"})
    assert len(fake.requests) == 1


async def test_transport_errors_are_retried_when_safe(autojump_clock):
    failures = {"connect": 2, "read": 1}

    async def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/connect") and failures["connect"]:
            failures["connect"] -= 1
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path.endswith("/read") and failures["read"]:
            failures["read"] -= 1
            raise httpx.ReadError("connection reset", request=request)
        return json_response(200, {"ok": True})

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        # A POST that could not connect never reached the server: safe to retry.
        assert await spotify.request("POST", "/connect") == {"ok": True}
        # A POST whose connection broke after sending may have been applied: not retried.
        with pytest.raises(trio_spotify.NetworkError) as info:
            await spotify.request("POST", "/read")
        assert isinstance(info.value.__cause__, httpx.ReadError)
        assert not isinstance(info.value, trio_spotify.RequestTimeout)
        # A GET is retried after any transport error.
        failures["read"] = 1
        assert await spotify.request("GET", "/read") == {"ok": True}


async def test_timeouts_become_request_timeout(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    fake = FakeSpotify(api=api)
    policy = trio_spotify.RetryPolicy(max_attempts=2, jitter=no_jitter)
    async with open_fake(fake, retry=policy) as spotify:
        with pytest.raises(trio_spotify.RequestTimeout) as info:
            await spotify.request("GET", "/x")
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert isinstance(info.value, trio_spotify.NetworkError)
    assert len(fake.requests) == 2


async def test_cancellation_during_a_request_releases_its_slot(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(10)
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=2) as spotify:
        with trio.move_on_after(1):
            async with trio.open_nursery() as nursery:
                for _ in range(5):
                    nursery.start_soon(spotify.request, "GET", "/slow")
        stats = spotify.statistics()
        assert stats.requests_in_flight == 0
        assert stats.tasks_waiting == 0
        # The slots are free again: a new request goes straight through.
        fake.api = None
        assert await spotify.request("GET", "/fast") == {"path": "/v1/fast"}


async def test_cancellation_during_renewal_leaves_a_consistent_state(autojump_clock):
    fake = FakeSpotify(token_delay=10)
    async with open_fake(fake) as spotify:
        with trio.move_on_after(1) as scope:
            await spotify.request("GET", "/x")
        assert scope.cancelled_caught
        assert spotify.token is None
        assert fake.issued == 0
        assert spotify.statistics().token_renewals == 0
        # The next request renews again and succeeds.
        assert await spotify.request("GET", "/x") == {"path": "/v1/x"}
        assert spotify.statistics().token_renewals == 1


async def test_token_is_renewed_before_it_expires(autojump_clock):
    fake = FakeSpotify(token_lifetime=3600)
    async with open_fake(fake, token_skew=60) as spotify:
        await spotify.request("GET", "/x")
        await trio.sleep(3600 - 61)
        await spotify.request("GET", "/x")
        assert fake.issued == 1
        await trio.sleep(2)  # now inside the skew margin
        await spotify.request("GET", "/x")
        assert fake.issued == 2
    # No request ever met a 401.
    assert all(r.headers["Authorization"] != "Bearer token-0" for r in fake.requests)


async def test_second_401_raises_token_expired(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(401, "Invalid access token")

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.TokenExpired) as info:
            await spotify.request("GET", "/x")
    assert info.value.message == "Invalid access token"
    assert len(fake.requests) == 2
    assert fake.issued == 2


async def test_fixed_token_is_never_renewed(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(fake, auth=trio_spotify.Token("fixed")) as spotify:
        with pytest.raises(trio_spotify.TokenExpired):
            await spotify.request("GET", "/x")
    assert fake.issued == 0
    assert len(fake.requests) == 1


async def test_custom_renewer_hook_is_used(autojump_clock):
    class Renewer:
        def __init__(self) -> None:
            self.calls = 0

        async def renew(self, accounts, stale):
            self.calls += 1
            await trio.lowlevel.checkpoint()
            return trio_spotify.Token("token-1")

    fake = FakeSpotify()
    fake.issued = 1
    renewer = Renewer()
    async with open_fake(fake, auth=renewer) as spotify:
        await spotify.request("GET", "/x")
    assert renewer.calls == 1


async def test_on_token_sees_every_new_token(autojump_clock):
    seen: list[str] = []
    fake = FakeSpotify(token_lifetime=100)
    async with open_fake(fake, on_token=lambda t: seen.append(t.access_token)) as spotify:
        await spotify.request("GET", "/x")
        await trio.sleep(100)
        await spotify.request("GET", "/x")
    assert seen == ["token-1", "token-2"]


async def test_auth_must_be_a_token_or_renewer():
    with pytest.raises(TypeError, match="auth must be"):
        async with trio_spotify.open_spotify("a-string-token"):
            pass


async def test_invalid_settings_are_rejected():
    with pytest.raises(ValueError, match="max_concurrency"):
        async with trio_spotify.open_spotify(trio_spotify.Token("t"), max_concurrency=0):
            pass
    with pytest.raises(ValueError, match="http_clients"):
        async with trio_spotify.open_spotify(
            trio_spotify.Token("t"), max_concurrency=4, http_clients=5
        ):
            pass
    with pytest.raises(ValueError, match="api_url"):
        async with trio_spotify.open_spotify(trio_spotify.Token("t"), api_url="ftp://x"):
            pass


async def test_malformed_json_raises_decode_error_with_status_and_text(autojump_clock):
    async def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>oops" + b"x" * 500)

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.ResponseDecodeError) as info:
            await spotify.request("GET", "/x")
    assert info.value.status == 200
    assert info.value.text.startswith("<html>oops")
    assert len(info.value.text) == 200


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, trio_spotify.BadRequest),
        (403, trio_spotify.Forbidden),
        (404, trio_spotify.NotFound),
        (418, trio_spotify.SpotifyAPIError),
    ],
)
async def test_error_statuses_map_to_the_tree(autojump_clock, status, cls):
    async def api(request: httpx.Request) -> httpx.Response:
        return api_error(status, "nope", reason="SOME_REASON")

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(cls) as info:
            await spotify.request("GET", "/x?market=SE")
    assert type(info.value) is cls
    assert (info.value.status, info.value.message, info.value.reason) == (
        status,
        "nope",
        "SOME_REASON",
    )
    assert info.value.method == "GET"
    assert info.value.url == f"{API}/x"
    assert str(info.value) == f"{status} nope [SOME_REASON] (GET {API}/x)"
    assert len(fake.requests) == 1


async def test_user_exception_inside_async_with_comes_out_unwrapped(autojump_clock):
    fake = FakeSpotify()

    async def use_and_fail() -> None:
        async with open_fake(fake) as spotify:
            await spotify.request("GET", "/x")
            raise KeyError("mine")

    with pytest.raises(KeyError) as info:
        await use_and_fail()
    assert type(info.value) is KeyError
    assert info.value.__context__ is None


async def test_client_cannot_be_used_after_the_block_or_built_directly(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(fake) as spotify:
        pass
    with pytest.raises(trio_spotify.ClientClosedError, match="closed"):
        await spotify.request("GET", "/x")
    with pytest.raises(TypeError, match="open_spotify"):
        trio_spotify.Spotify(None, None)


async def test_closing_closes_every_http_client(autojump_clock):
    closed: list[int] = []

    class CountingTransport(httpx.MockTransport):
        async def aclose(self) -> None:
            closed.append(1)

    fake = FakeSpotify()
    async with (
        trio_spotify.open_spotify(
            trio_spotify.ClientCredentials("client-id-1234", "client-secret-SHOULD-NOT-LEAK"),
            api_url=API,
            accounts_url="https://accounts.test",
            transport=CountingTransport(fake.handle),
            max_concurrency=4,
        ) as spotify,
        trio.open_nursery() as nursery,
    ):
        for _ in range(4):
            nursery.start_soon(spotify.request, "GET", "/x")
    # Four API clients (created lazily as concurrency grew) plus the accounts client.
    assert len(closed) == 5


async def test_statistics_is_a_frozen_snapshot(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(fake, max_concurrency=5) as spotify:
        await spotify.request("GET", "/x")
        stats = spotify.statistics()
    assert stats == trio_spotify.SpotifyStatistics(
        requests_in_flight=0,
        tasks_waiting=0,
        max_concurrency=5,
        concurrency_window=5,
        requests_sent=1,
        token_renewals=1,
        rate_limited=0,
        retries=0,
        rate_limit_pause=0.0,
    )
    with pytest.raises(AttributeError):
        stats.retries = 3


async def test_window_regrows_additively_after_a_429(autojump_clock):
    state = {"n": 0}

    async def api(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        if state["n"] == 1:
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "1"})
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=16) as spotify:
        await spotify.request("GET", "/x")
        assert spotify.statistics().concurrency_window == 8
        for _ in range(8):
            await spotify.request("GET", "/x")
        assert spotify.statistics().concurrency_window == 9
        for _ in range(200):
            await spotify.request("GET", "/x")
        assert spotify.statistics().concurrency_window == 16
    assert not math.isnan(spotify.statistics().rate_limit_pause)


async def test_tasks_already_waiting_for_a_slot_recheck_the_gate(autojump_clock):
    state = {"limited": False}

    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(1)
        if not state["limited"]:
            state["limited"] = True
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "3"})
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=1) as spotify:
        await spotify.request("GET", "/warm")  # warm-up: gets the 429, then succeeds
        state["limited"] = False
        t0 = trio.current_time()
        async with trio.open_nursery() as nursery:
            for _ in range(5):  # all five pass the open gate and queue on the limiter
                nursery.start_soon(spotify.request, "GET", "/x")
    sends = [t - t0 for t in fake.send_times if t >= t0]
    # The first is sent at 0 and answered 429 at 1; the four queued tasks must not send
    # during the pause (1..4) even though a slot freed up at 1.
    assert sends[0] == pytest.approx(0)
    assert not [t for t in sends[1:] if t < 4 - 1e-9]
    assert len(sends) == 6


async def test_a_failed_renewal_is_shared_by_the_tasks_waiting_for_it(autojump_clock):
    class Refused:
        calls = 0

        async def renew(self, accounts, stale):
            Refused.calls += 1
            await trio.sleep(0.1)
            raise trio_spotify.InvalidGrant("refused", "invalid_grant", "revoked", 400)

    fake = FakeSpotify()
    async with open_fake(fake, auth=Refused(), max_concurrency=16) as spotify:
        errors: list[trio_spotify.InvalidGrant] = []

        async def one() -> None:
            try:
                await spotify.request("GET", "/me")
            except trio_spotify.InvalidGrant as exc:
                errors.append(exc)

        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            for _ in range(100):
                nursery.start_soon(one)
        assert trio.current_time() - start == pytest.approx(0.1)
        assert Refused.calls == 1  # one refused attempt, not a hundred in a row
        assert len(errors) == 100
        assert {e.error for e in errors} == {"invalid_grant"}
        assert all(isinstance(e.__cause__, trio_spotify.InvalidGrant) for e in errors[1:])
        # A request that comes later makes a new attempt.
        with pytest.raises(trio_spotify.InvalidGrant):
            await spotify.request("GET", "/me")
        assert Refused.calls == 2
    assert fake.requests == []


async def test_token_lifetime_counts_from_when_the_token_was_requested(autojump_clock):
    # The token endpoint takes 10 s to answer a 100 s token: it expires at 100, not at 110.
    fake = FakeSpotify(token_lifetime=100, token_delay=10)
    async with open_fake(fake, token_skew=5) as spotify:
        await spotify.request("GET", "/x")
        assert trio.current_time() == pytest.approx(10.01)  # the token, then the request
        await trio.sleep(86)  # t=96: inside the 5 s margin before the real expiry at 100
        await spotify.request("GET", "/x")
        assert fake.issued == 2


async def test_a_shared_renewal_failure_that_cannot_be_copied_still_reaches_every_task(
    autojump_clock,
):
    class Odd(Exception):
        def __init__(self, *, code: int) -> None:  # copy.copy cannot rebuild this one
            super().__init__()
            self.code = code

    class Failing:
        async def renew(self, accounts, stale):
            await trio.sleep(0.1)
            raise Odd(code=7)

    fake = FakeSpotify()
    async with open_fake(fake, auth=Failing()) as spotify:
        caught: list[BaseException] = []

        async def one() -> None:
            try:
                await spotify.request("GET", "/me")
            except Exception as exc:
                caught.append(exc)

        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(one)
    assert sorted(type(e).__name__ for e in caught) == ["Odd", "RuntimeError", "RuntimeError"]
    assert all(isinstance(e.__cause__, Odd) for e in caught if isinstance(e, RuntimeError))
