"""``spotify.iter_items`` / ``all_items``: offset pages fetched concurrently in order,
cursor pages followed one by one, wrapped pages, early stop, cancellation, bounded memory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx
import pytest
import trio
import trio.testing
from helpers.fakes import API, Recorder, Seen, json_response, open_client

import trio_spotify
from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import SpotifyEmulator, open_emulator_client

P = "3cEYpjA9oz9GiPac4AsH4n"
#: The fake playlist's pages hold items `{"n": i}`, not real entries: typed as plain mappings.
Page = Mapping[str, Any]


def offset_page(
    path: str, total: int, offset: int, limit: int, extra: str = "", wrap: str | None = None
) -> dict[str, Any]:
    items = [{"n": n} for n in range(offset, min(offset + limit, total))]
    nxt = f"{API}{path}?offset={offset + limit}&limit={limit}{extra}"
    page = {
        "href": f"{API}{path}?offset={offset}&limit={limit}{extra}",
        "items": items,
        "limit": limit,
        "offset": offset,
        "total": total,
        "next": nxt if offset + limit < total else None,
        "previous": None,
    }
    return {wrap: page} if wrap else page


class Playlist:
    """``/playlists/P/items`` with ``total`` items; ``delay(offset)`` seconds per page."""

    def __init__(self, total: int, delay: Any = lambda offset: 1.0, wrap: str | None = None):
        self.total, self.delay, self.wrap = total, delay, wrap
        self.recorder = Recorder(respond=self.respond)
        self.pages_served = 0

    async def respond(self, request: httpx.Request, seen: Seen) -> httpx.Response:
        offset, limit = int(seen.params.get("offset", 0)), int(seen.params.get("limit", 20))
        await trio.sleep(self.delay(offset))
        self.pages_served += 1
        return json_response(200, offset_page(seen.path, self.total, offset, limit, wrap=self.wrap))


async def test_offset_pages_are_fetched_concurrently_and_yielded_in_order(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(1000)
    async with open_client(playlist.recorder) as spotify:
        start = trio.current_time()
        first: Page = await spotify.playlists.items(P, limit=50)
        items = await spotify.all_items(first, pages_in_flight=16)
        elapsed = trio.current_time() - start
    assert [item["n"] for item in items] == list(range(1000))
    assert len(playlist.recorder.seen) == 20  # the first page and 19 more, each once
    assert sorted(int(s.params["offset"]) for s in playlist.recorder.seen[1:]) == list(
        range(50, 1000, 50)
    )
    assert playlist.recorder.peak == 16
    assert elapsed == pytest.approx(3)  # 1 s first page + two rounds of 16 pages, not 20 s


async def test_items_come_out_in_order_when_later_pages_answer_first(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(500, delay=lambda offset: 10 - offset / 100)
    async with open_client(playlist.recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)
        async with spotify.iter_items(first) as items:
            got = [item["n"] async for item in items]
    assert got == list(range(500))


async def test_later_requests_keep_the_query_of_the_next_link() -> None:
    playlist = Playlist(120, delay=lambda offset: 0)
    async with open_client(playlist.recorder) as spotify:
        first = await spotify.playlists.items(P, limit=50, market="DE", fields="items(n)")
        await spotify.all_items(first)
    for seen in playlist.recorder.seen[1:]:
        assert seen.path == f"/playlists/{P}/items"
        assert seen.params["limit"] == "50"


async def test_max_items_stops_without_fetching_more_pages_than_needed(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(1000)
    async with open_client(playlist.recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)
        items = await spotify.all_items(first, max_items=120)
        assert [item["n"] for item in items] == list(range(120))
        offsets = sorted(int(s.params.get("offset", 0)) for s in playlist.recorder.seen)
        assert offsets == [0, 50, 100]
        assert await spotify.all_items(first, max_items=30) == first["items"][:30]
        assert await spotify.all_items(first, max_items=0) == []
    assert len(playlist.recorder.seen) == 3


async def test_wrapped_search_pages_are_unwrapped_on_every_page() -> None:
    async def search(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        offset, limit = int(seen.params.get("offset", 0)), int(seen.params.get("limit", 5))
        extra = "&q=jazz&type=track"
        return json_response(200, offset_page("/search", 23, offset, limit, extra, wrap="tracks"))

    recorder = Recorder(respond=search)
    async with open_client(recorder) as spotify:
        result = await spotify.search("jazz", types="track", limit=5)
        items = await spotify.all_items(result)
        assert [item["n"] for item in items] == list(range(23))
        assert all(seen.params["q"] == "jazz" for seen in recorder.seen)
        two = {"artists": result["tracks"], "tracks": result["tracks"]}
        with pytest.raises(ValueError, match="pass key="):
            spotify.iter_items(two)
        assert len(await spotify.all_items(two, key="tracks")) == 23


async def test_search_paging_stops_at_the_largest_offset_spotify_serves() -> None:
    async def search(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        offset, limit = int(seen.params.get("offset", 0)), int(seen.params.get("limit", 5))
        if offset > 1000:
            return json_response(400, {"error": {"status": 400, "message": "offset"}})
        return json_response(
            200, offset_page("/search", 5000, offset, limit, "&q=a&type=album", wrap="albums")
        )

    recorder = Recorder(respond=search)
    async with open_client(recorder) as spotify:
        items = await spotify.all_items(await spotify.search("a", types="album", limit=10))
    assert [item["n"] for item in items] == list(range(1010))
    assert max(int(seen.params.get("offset", 0)) for seen in recorder.seen) == 1000
    assert len(recorder.seen) == 101


async def test_a_playlist_object_is_followed_through_its_items_page() -> None:
    playlist = Playlist(130, delay=lambda offset: 0)
    embedded = offset_page(f"/playlists/{P}/items", 130, 0, 100)
    obj = {"id": P, "name": "x", "items": embedded, "tracks": embedded}
    async with open_client(playlist.recorder) as spotify:
        items = await spotify.all_items(obj)
    assert [item["n"] for item in items] == list(range(130))
    # The embedded page says limit=100; /items takes at most 50, so that is what is asked.
    assert [
        (seen.path, seen.params["offset"], seen.params["limit"]) for seen in playlist.recorder.seen
    ] == [(f"/playlists/{P}/items", "100", "50")]


async def test_the_caps_of_later_pages_come_from_the_operations_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Paging finds the operation of a `next` link in the one table (`operation_for`)."""
    op = OPERATIONS["get-playlists-items"]
    monkeypatch.setitem(OPERATIONS, op.operation_id, attrs.evolve(op, limit_range=(1, 20)))
    playlist = Playlist(130, delay=lambda offset: 0)
    embedded = offset_page(f"/playlists/{P}/items", 130, 0, 100)
    async with open_client(playlist.recorder) as spotify:
        items = await spotify.all_items({"id": P, "items": embedded})
    assert [item["n"] for item in items] == list(range(130))
    assert [seen.params["offset"] for seen in playlist.recorder.seen] == ["100", "120"]
    assert {seen.params["limit"] for seen in playlist.recorder.seen} == {"20"}


async def test_cursor_pages_are_followed_one_after_the_other(
    autojump_clock: trio.testing.MockClock,
) -> None:
    artists = [f"{n:022d}" for n in range(45)]

    async def following(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.sleep(1)
        after = seen.params.get("after")
        start = artists.index(after) + 1 if after else 0
        limit = int(seen.params["limit"])
        chunk = artists[start : start + limit]
        last = chunk[-1]
        more = start + limit < len(artists)
        return json_response(
            200,
            {
                "artists": {
                    "href": "x",
                    "items": [{"id": a} for a in chunk],
                    "limit": limit,
                    "total": 45,
                    "cursors": {"after": last if more else None},
                    "next": f"{API}/me/following?type=artist&after={last}&limit={limit}"
                    if more
                    else None,
                }
            },
        )

    recorder = Recorder(respond=following)
    async with open_client(recorder) as spotify:
        start = trio.current_time()
        first = await spotify.artists.followed(limit=10)
        items = await spotify.all_items(first)
        elapsed = trio.current_time() - start
    assert [item["id"] for item in items] == artists
    assert len(recorder.seen) == 5
    assert recorder.peak == 1
    assert elapsed == pytest.approx(5)


async def test_offset_pages_without_total_are_followed_through_next() -> None:
    playlist = Playlist(75, delay=lambda offset: 0)
    first = offset_page(f"/playlists/{P}/items", 75, 0, 25)
    del first["total"]
    async with open_client(playlist.recorder) as spotify:
        items = await spotify.all_items(first)
    assert [item["n"] for item in items] == list(range(75))
    assert [seen.params["offset"] for seen in playlist.recorder.seen] == ["25", "50"]


async def test_stopping_early_cancels_outstanding_fetches(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(10_000, delay=lambda offset: 1.0 if offset < 200 else 1000.0)
    async with open_client(playlist.recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)
        start = trio.current_time()
        got = []
        async with spotify.iter_items(first, pages_in_flight=4) as items:
            async for item in items:
                got.append(item["n"])
                if len(got) == 180:
                    break
        # Leaving the block did not wait for the 1000-second pages still in flight.
        assert trio.current_time() - start < 10
        assert playlist.recorder.in_flight == 0
    assert got == list(range(180))
    assert len(playlist.recorder.seen) <= 1 + 4 + 4


async def test_cancelling_the_consumer_mid_iteration_cancels_the_fetches(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(5000)
    got: list[int] = []
    async with open_client(playlist.recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)
        with trio.move_on_after(2.5) as scope:
            async with spotify.iter_items(first) as items:
                async for item in items:
                    got.append(item["n"])
        assert scope.cancelled_caught
        assert playlist.recorder.in_flight == 0
    assert got == list(range(len(got)))
    assert 100 <= len(got) < 5000


async def test_memory_holds_pages_in_flight_not_items(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(100_000, delay=lambda offset: 0.5)
    ahead = 0
    async with open_client(playlist.recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)
        consumed_pages = 1
        count = 0
        async with spotify.iter_items(first, pages_in_flight=8) as items:
            async for _item in items:
                count += 1
                if count % 50 == 0:
                    consumed_pages += 1
                    await trio.sleep(1)  # a slow consumer
                # Requests started beyond what the consumer has taken: the window.
                ahead = max(ahead, len(playlist.recorder.seen) - consumed_pages)
    assert count == 100_000
    assert ahead <= 8 + 1


async def test_a_failed_page_is_raised_itself_after_the_items_before_it() -> None:
    async def broken(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        offset = int(seen.params.get("offset", 0))
        if offset == 150:
            return json_response(404, {"error": {"status": 404, "message": "gone"}})
        return json_response(200, offset_page(seen.path, 500, offset, 50))

    recorder = Recorder(respond=broken)
    got: list[int] = []
    async with open_client(recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)

        async def consume() -> None:
            async with spotify.iter_items(first) as items:
                async for item in items:
                    got.append(item["n"])

        with pytest.raises(trio_spotify.NotFound):
            await consume()
    assert got == list(range(150))


async def test_a_page_that_is_not_a_paging_object_is_refused_at_once() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.raises(ValueError, match="not a paging object"):
            spotify.iter_items({"id": "x"})
        with pytest.raises(ValueError, match="max_items"):
            spotify.iter_items(offset_page("/x", 1, 0, 1), max_items=-1)
        with pytest.raises(ValueError, match="pages_in_flight"):
            spotify.iter_items(offset_page("/x", 1, 0, 1), pages_in_flight=0)
    assert recorder.seen == []


async def test_pages_that_leave_items_out_do_not_make_later_pages_repeat_items() -> None:
    # The server leaves positions 10 and 20 out of the first page (unavailable items), so
    # the page holds 48 items though its limit is 50; its next link says offset=50.
    gone = {10, 20}

    async def respond(request: httpx.Request, seen: Seen) -> httpx.Response:
        offset, limit = int(seen.params.get("offset", 0)), int(seen.params.get("limit", 20))
        page = offset_page(seen.path, 100, offset, limit)
        page["items"] = [item for item in page["items"] if item["n"] not in gone]
        return json_response(200, page)

    async with open_client(Recorder(respond=respond)) as spotify:
        first = await spotify.request(
            "GET", f"/playlists/{P}/items", params={"offset": 0, "limit": 50}
        )
        items = await spotify.all_items(first)
    numbers = [item["n"] for item in items]
    assert numbers == [n for n in range(100) if n not in gone]


async def test_streaming_memory_stays_flat_while_all_items_grows(
    autojump_clock: trio.testing.MockClock,
) -> None:
    import tracemalloc

    async def peak_of(collect: bool) -> tuple[int, int]:
        playlist = Playlist(20_000, delay=lambda offset: 0.01)
        async with open_client(playlist.recorder) as spotify:
            first: Page = await spotify.playlists.items(P, limit=50)
            tracemalloc.start()
            try:
                if collect:
                    count = len(await spotify.all_items(first))
                else:
                    count = 0
                    async with spotify.iter_items(first, pages_in_flight=8) as items:
                        async for _item in items:
                            count += 1
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        return count, peak

    streamed, streaming_peak = await peak_of(collect=False)
    collected, collecting_peak = await peak_of(collect=True)
    assert streamed == collected == 20_000
    # Holding every item costs memory in proportion to the list; streaming holds a window
    # of pages, so its peak is a small fraction of that.
    assert streaming_peak * 4 < collecting_peak, (streaming_peak, collecting_peak)


@pytest.mark.parametrize(
    ("max_items", "pages"), [(0, 0), (1, 0), (25, 0), (26, 1), (40, 1), (50, 1), (51, 2), (99, 2)]
)
async def test_max_items_on_pages_followed_by_next_cuts_in_order_and_fetches_no_more(
    max_items: int, pages: int
) -> None:
    """Without a total the pages are followed one by one: each is cut to what is still
    wanted, and none is requested once ``max_items`` items were handed out."""
    playlist = Playlist(75, delay=lambda offset: 0)
    first = offset_page(f"/playlists/{P}/items", 75, 0, 25)
    del first["total"]
    async with open_client(playlist.recorder) as spotify:
        items = await spotify.all_items(first, max_items=max_items)
    assert [item["n"] for item in items] == list(range(min(max_items, 75)))
    assert len(playlist.recorder.seen) == pages


async def test_max_items_in_a_middle_offset_page_cuts_it_and_stops(
    autojump_clock: trio.testing.MockClock,
) -> None:
    playlist = Playlist(1000)
    async with open_client(playlist.recorder) as spotify:
        first: Page = await spotify.playlists.items(P, limit=50)
        async with spotify.iter_items(first, max_items=175, pages_in_flight=2) as items:
            got = [item["n"] async for item in items]
    assert got == list(range(175))
    assert sorted(int(s.params.get("offset", 0)) for s in playlist.recorder.seen) == [
        0,
        50,
        100,
        150,
    ]


# -- filtered `fields` answers of the emulator (issue 10) --------------------------------------


async def test_a_fields_answer_without_next_is_refused_naming_what_is_missing() -> None:
    # A `fields` filter that keeps only the items: nothing says whether more pages follow,
    # so iter_items/all_items refuse it at once with a ValueError naming the missing keys
    # (not a hang, not a silent first page).
    emulator = SpotifyEmulator(seed=7)
    playlist = emulator.catalog.id_of(8, 2)  # 120 items
    async with open_emulator_client(emulator) as spotify:
        page = await spotify.playlists.items(playlist, fields="items(track(name))")
        assert set(page) == {"items"}
        with pytest.raises(ValueError, match=r"no 'next' or 'total'.*fields"):
            await spotify.all_items(page)
        with pytest.raises(ValueError, match=r"no 'next' or 'total'"):
            spotify.iter_items(page)
        full = await spotify.playlists.get(playlist, fields="name,items(items(added_at))")
        with pytest.raises(ValueError, match=r"page\['items'\] .* no 'next'"):
            await spotify.all_items(full)


async def test_a_fields_answer_with_next_but_no_total_is_followed_through_next() -> None:
    emulator = SpotifyEmulator(seed=7)
    playlist = emulator.catalog.id_of(8, 2)  # 120 items
    async with open_emulator_client(emulator) as spotify:
        expected = [
            e["added_at"] for e in await spotify.all_items(await spotify.playlists.items(playlist))
        ]
        assert len(expected) == 120
        for fields in ("items(added_at),next", "items(added_at),next,total,offset,limit"):
            page = await spotify.playlists.items(playlist, fields=fields, limit=50)
            got = await spotify.all_items(page)
            assert [e["added_at"] for e in got] == expected, fields
            assert all(set(e) == {"added_at"} for e in got), fields
