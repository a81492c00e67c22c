"""A crawl of more than 10,000 items under injected faults loses and duplicates nothing.

`trio-spotify crawl artist` over the 40 artists of the default catalog (about 10,500
records) runs twice in-process under the autojump clock: once fault-free, once while the
emulator answers 5xx, drops connections, answers 429 beyond a rolling window, and fails
one token renewal (the access tokens live 4 virtual seconds, so the client renews several
times during the crawl). Both must write exactly the same records, each once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import trio
from helpers.cli import crawl

from trio_spotify.testing import CatalogSize, RateLimit, SpotifyEmulator


def make_emulator() -> SpotifyEmulator:
    emu = SpotifyEmulator(
        catalog_size=CatalogSize(), clock=trio.current_time, access_token_lifetime=4.0
    )
    emu.faults.latency = 0.1
    return emu


def artists(emu: SpotifyEmulator) -> list[str]:
    return [emu.catalog.id_of(1, i) for i in range(emu.catalog.size.artists)]


async def test_faults_lose_and_duplicate_nothing(autojump_clock: Any) -> None:
    clean_emu = make_emulator()
    clean = await crawl("--emulator", "artist", *artists(clean_emu), emu=clean_emu)
    assert clean.code == 0, clean.err
    expected = {(r["kind"], r["id"]): r for r in clean.records}
    assert len(expected) >= 10_000

    emu = make_emulator()
    emu.rate_limit = RateLimit(120, window=1.0)
    emu.faults.error_rate = 0.04  # 500, 502 or 503, seeded
    result: Any = None

    async def crawl_it() -> None:
        nonlocal result
        result = await crawl("--emulator", "artist", *artists(emu), emu=emu)

    async def inject(done: trio.Event) -> None:
        # One token renewal fails: wait for the first token, then fail the next request
        # to the token endpoint (a renewal, 3 s later).
        while emu.counters.tokens_issued < 1:  # noqa: ASYNC110 - a counter, not an event
            await trio.sleep(0.01)
        emu.faults.fail_next(503, operation="request-token")
        # Then ten dropped connections, 0.3 s apart, while the crawl is in full swing
        # (each once the last is used up: faults piled up behind a 429 pause, or at the
        # tail of the crawl where one request is in flight, would hit one request more
        # often than any retry policy allows); the 5xx answers are drawn at random
        # (`error_rate`).
        for _ in range(10):
            before = emu.counters.faults["drop"]
            emu.faults.drop_next()
            while emu.counters.faults["drop"] == before and not done.is_set():  # noqa: ASYNC110
                await trio.sleep(0.3)

    done = trio.Event()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(inject, done)
        await crawl_it()
        done.set()

    assert result.code == 0, result.err
    got = Counter((r["kind"], r["id"]) for r in result.records)
    assert max(got.values()) == 1  # 0 duplicated
    assert set(got) == set(expected), (set(got) ^ set(expected), result.err)  # 0 lost
    assert {(r["kind"], r["id"]): r for r in result.records} == expected  # the same records
    # The faults did happen.
    assert emu.counters.faults["error"] >= 20
    assert emu.counters.faults["drop"] == 10
    assert emu.counters.rate_limited >= 10
    # The token renewal's fault was used up (nothing is left for the token endpoint).
    assert emu.faults.take("request-token", targeted_only=True) is None
    assert emu.counters.tokens_issued >= 2  # renewed after the failure
