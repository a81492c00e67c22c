"""Cancellation and Ctrl-C through the methods that fan out (issue 11).

- the paging race: a consumer cancelled while the page launcher was already woken must not
  let `BrokenResourceError` (in an `ExceptionGroup`) escape the caller's own cancel scope;
- bare exceptions: `get_several` over several chunks, `library.contains`, `all_items` and
  `iter_items` deliver an outer cancellation as a bare `trio.Cancelled` and a
  `KeyboardInterrupt` raised inside as a bare `KeyboardInterrupt`, never a group.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import trio
import trio.testing
from helpers.fakes import API, Recorder, Seen, json_response, make_id, open_client

import trio_spotify

P = "3cEYpjA9oz9GiPac4AsH4n"
TOTAL = 120  # six pages of 20


def offset_page(total: int, offset: int, limit: int) -> dict[str, Any]:
    path = f"/playlists/{P}/items"
    return {
        "href": f"{API}{path}?offset={offset}&limit={limit}",
        "items": [{"n": n} for n in range(offset, min(offset + limit, total))],
        "limit": limit,
        "offset": offset,
        "total": total,
        "next": f"{API}{path}?offset={offset + limit}&limit={limit}"
        if offset + limit < total
        else None,
        "previous": None,
    }


def pages(delay: Callable[[], float]) -> Recorder:
    async def respond(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.sleep(delay())
        offset, limit = int(seen.params["offset"]), int(seen.params["limit"])
        return json_response(200, offset_page(TOTAL, offset, limit))

    return Recorder(respond=respond)


async def consume_iter(spotify: trio_spotify.Spotify, first: dict[str, Any]) -> list[Any]:
    got = []
    async with spotify.iter_items(first, pages_in_flight=4) as items:
        async for item in items:
            got.append(item)
            if random.random() < 0.05:
                await trio.sleep(random.random() * 0.01)
    return got


async def test_randomly_cancelled_paging_never_raises_under_the_autojump_clock(
    autojump_clock: trio.testing.MockClock,
) -> None:
    # 2,000 all_items/iter_items calls, 20 at a time, each in a random move_on_after:
    # every one returns all the items or is cancelled cleanly, nothing escapes.
    rng = random.Random(11)
    recorder = pages(lambda: rng.choice([0.0, 0.0, 0.001, 0.003, 0.01]))
    first = offset_page(TOTAL, 0, 20)
    outcomes = {"done": 0, "cancelled": 0}
    async with open_client(recorder) as spotify:

        async def one(i: int) -> None:
            with trio.move_on_after(rng.random() * 0.02) as scope:
                if i % 2:
                    got = await spotify.all_items(first, pages_in_flight=rng.randint(1, 8))
                else:
                    got = await consume_iter(spotify, first)
                assert [item["n"] for item in got] == list(range(TOTAL))
            outcomes["cancelled" if scope.cancelled_caught else "done"] += 1

        for batch in range(100):
            async with trio.open_nursery() as nursery:
                for i in range(20):
                    nursery.start_soon(one, batch * 20 + i)
    assert sum(outcomes.values()) == 2000
    assert outcomes["done"] > 100, outcomes
    assert outcomes["cancelled"] > 1000, outcomes


async def test_randomly_cancelled_paging_never_raises_on_the_real_clock() -> None:
    rng = random.Random(12)
    recorder = pages(lambda: rng.choice([0.0, 0.0, 0.0005]))
    first = offset_page(TOTAL, 0, 20)
    with trio.fail_after(60):
        async with open_client(recorder) as spotify:
            for i in range(300):
                with trio.move_on_after(rng.random() * 0.01):
                    if i % 2:
                        await spotify.all_items(first, pages_in_flight=rng.randint(1, 8))
                    else:
                        await consume_iter(spotify, first)


# -- bare Cancelled / KeyboardInterrupt from every fan-out method ------------------------------

IDS = [make_id(n) for n in range(120)]  # three chunks of tracks.get_several (50)
URIS = [f"spotify:track:{i}" for i in IDS]  # three chunks of library.contains (40)


async def _get_several(spotify: trio_spotify.Spotify) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated by Spotify
        return await spotify.tracks.get_several(IDS)


async def _contains(spotify: trio_spotify.Spotify) -> object:
    return await spotify.library.contains(URIS)


async def _all_items(spotify: trio_spotify.Spotify) -> object:
    return await spotify.all_items(offset_page(400, 0, 20))


async def _iter_items(spotify: trio_spotify.Spotify) -> object:
    async with spotify.iter_items(offset_page(400, 0, 20)) as items:
        return [item async for item in items]


FAN_OUT: dict[str, Callable[[trio_spotify.Spotify], Awaitable[object]]] = {
    "tracks.get_several": _get_several,
    "library.contains": _contains,
    "all_items": _all_items,
    "iter_items": _iter_items,
}


@pytest.mark.parametrize("method", sorted(FAN_OUT))
async def test_an_outer_cancellation_comes_out_as_a_bare_cancelled(
    method: str, autojump_clock: trio.testing.MockClock
) -> None:
    async def hang(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.sleep_forever()
        raise AssertionError("unreachable")

    caught: list[BaseException] = []
    async with open_client(Recorder(respond=hang)) as spotify:
        with trio.move_on_after(5) as scope:
            try:
                await FAN_OUT[method](spotify)
            except trio.Cancelled as exc:
                caught.append(exc)
                raise
        assert scope.cancelled_caught
    assert len(caught) == 1
    assert type(caught[0]) is trio.Cancelled


@pytest.mark.parametrize("method", sorted(FAN_OUT))
async def test_a_keyboard_interrupt_inside_comes_out_bare(
    method: str, autojump_clock: trio.testing.MockClock
) -> None:
    served = 0

    async def interrupt_one(request: httpx.Request, seen: Seen) -> httpx.Response:
        # The second request is interrupted while the others wait: the siblings are
        # cancelled, and the KeyboardInterrupt alone must come out.
        nonlocal served
        served += 1
        if served == 2:
            await trio.sleep(1)
            raise KeyboardInterrupt
        await trio.sleep_forever()
        raise AssertionError("unreachable")

    async with open_client(Recorder(respond=interrupt_one)) as spotify:
        with pytest.raises(KeyboardInterrupt) as info:
            await FAN_OUT[method](spotify)
    assert type(info.value) is KeyboardInterrupt
