"""Cancellation and Ctrl-C through the methods that fan out (issue 11).

- the paging race: a consumer cancelled while the page launcher was already woken must not
  let `BrokenResourceError` (in an `ExceptionGroup`) escape the caller's own cancel scope —
  swept deterministically (a cancellation after every task step, both batch orders, with a
  spy proving the race was reached), and in a real-clock loop;
- bare exceptions: `get_several` over several chunks, `library.contains`, `all_items` and
  `iter_items` deliver an outer cancellation as a bare `trio.Cancelled` and a
  `KeyboardInterrupt` raised inside as a bare `KeyboardInterrupt`, never a group.
"""

from __future__ import annotations

import itertools
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
from trio_spotify import _paging

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


# -- the paging race, swept deterministically ---------------------------------------------
#
# The race: the consumer takes a page and releases the window, which wakes the launcher;
# the caller is cancelled before the launcher runs, the consumer leaves and closes the
# channel of pages, and then the launcher, already woken, sends on it. Random deadlines
# under the autojump clock almost never land there (2,000 randomly cancelled calls did not,
# once). So the sweep cancels each call after exactly its k-th task step, for every k from 1
# until the call completes, under both of trio's batch orders (trio runs each batch of
# runnable tasks in arrival order or reversed, at random: the order is pinned here), and a
# spy counts the launcher's sends that met a closed channel, so the sweep proves it reached
# the race it guards.


class _CancelAtStep(trio.abc.Instrument):
    """Cancels `scope` right after the `k`-th task step (of any task) once installed."""

    def __init__(self, scope: trio.CancelScope, k: int) -> None:
        self.scope = scope
        self.k = k
        self.steps = 0

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        self.steps += 1
        if self.steps == self.k:
            self.scope.cancel()


class _BatchOrder(random.Random):
    """Trio's scheduler randomness, pinned: every batch in arrival order (`fifo`) or in
    reverse (trio reverses a batch when `random() < 0.5`, or shuffles it under Hypothesis)."""

    def __init__(self, fifo: bool) -> None:
        super().__init__(0)
        self.fifo = fifo

    def random(self) -> float:
        return 0.0 if self.fifo else 0.75

    def shuffle(self, x: Any) -> None:
        if self.fifo:
            x.reverse()


def _count_sends_on_closed_page_channels(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on `send_nowait` of memory channels: count the paging launcher's sends (of a
    `_paging._Slot`) that met a channel its consumer had closed. Behaviour is unchanged."""
    hits = [0]
    real = trio.MemorySendChannel.send_nowait

    def send_nowait(self: trio.MemorySendChannel[Any], value: Any) -> None:
        try:
            real(self, value)
        except trio.BrokenResourceError:
            if isinstance(value, _paging._Slot):
                hits[0] += 1
            raise

    monkeypatch.setattr(trio.MemorySendChannel, "send_nowait", send_nowait)
    return hits


def _page_server(total: int) -> Recorder:
    async def respond(request: httpx.Request, seen: Seen) -> httpx.Response:
        offset, limit = int(seen.params["offset"]), int(seen.params["limit"])
        await trio.sleep(0.001 * (offset // limit % 3))  # pages answer out of order
        return json_response(200, offset_page(total, offset, limit))

    return Recorder(respond=respond)


async def _consume_slowly(spotify: trio_spotify.Spotify, first: dict[str, Any]) -> list[Any]:
    got = []
    async with spotify.iter_items(first, pages_in_flight=2) as items:
        async for item in items:
            got.append(item)
            if item["n"] % 7 == 0:
                await trio.lowlevel.checkpoint()
    return got


SWEPT: dict[str, Callable[[trio_spotify.Spotify, dict[str, Any]], Awaitable[list[Any]]]] = {
    "all_items, 1 page in flight": lambda spotify, first: spotify.all_items(
        first, pages_in_flight=1
    ),
    "all_items, 3 pages in flight": lambda spotify, first: spotify.all_items(
        first, pages_in_flight=3
    ),
    "iter_items, a consumer with checkpoints": _consume_slowly,
}


@pytest.mark.parametrize("call", sorted(SWEPT))
async def test_paging_cancelled_at_every_step_never_raises_and_reaches_the_race(
    call: str, autojump_clock: trio.testing.MockClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each call is cancelled after its k-th task step, for every k and both batch orders:
    each returns every item or is cancelled cleanly (nothing escapes the caller's scope),
    and the launcher met a closed channel at least once (the race was reached)."""
    hits = _count_sends_on_closed_page_channels(monkeypatch)
    total = 100  # five pages of 20
    first = offset_page(total, 0, 20)
    outcomes = {"done": 0, "cancelled": 0}
    async with open_client(_page_server(total)) as spotify:
        for fifo in (True, False):
            monkeypatch.setattr(trio._core._run, "_r", _BatchOrder(fifo))
            for k in itertools.count(1):
                with trio.CancelScope() as scope:
                    instrument = _CancelAtStep(scope, k)
                    trio.lowlevel.add_instrument(instrument)
                    try:
                        got = await SWEPT[call](spotify, first)
                    finally:
                        trio.lowlevel.remove_instrument(instrument)
                    assert [item["n"] for item in got] == list(range(total))
                outcomes["cancelled" if scope.cancelled_caught else "done"] += 1
                if instrument.steps < k:  # the call completed before its k-th step
                    break
    assert outcomes["done"] >= 2, outcomes
    assert outcomes["cancelled"] > 200, outcomes
    assert hits[0] >= 1, "the sweep never reached the race it guards"


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
