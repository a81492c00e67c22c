"""`iter_items` started from a bare page whose later pages come wrapped (search's do).

The typed overloads make `spotify.iter_items(found["tracks"])` the natural spelling (it is a
`Paging[Track]`), but `/search` answers every later page wrapped, `{"tracks": {...}}`, or
`{"tracks": ..., "artists": ...}` for a search over several types. The later pages are
unwrapped as the first was: the one paging object the answer wraps, or of several the one
named after the first page's items (`"tracks"` for items of type `"track"`).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio
from helpers.fakes import API, Recorder, Seen, json_response, open_client

from trio_spotify.testing import SpotifyEmulator, open_emulator_client


def _page(offset: int, total: int, kind: str) -> dict[str, Any]:
    limit = 10
    items = [{"type": kind, "n": n} for n in range(offset, min(offset + limit, total))]
    nxt = f"{API}/search?q=a&type=track,artist&offset={offset + limit}&limit={limit}"
    return {
        "href": f"{API}/search?q=a&type=track,artist&offset={offset}&limit={limit}",
        "items": items,
        "limit": limit,
        "offset": offset,
        "total": total,
        "next": nxt if offset + limit < total else None,
        "previous": None,
    }


def _search(kinds: tuple[str, ...]) -> Recorder:
    async def respond(request: httpx.Request, seen: Seen) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        return json_response(200, {f"{kind}s": _page(offset, 35, kind) for kind in kinds})

    return Recorder(respond)


@pytest.mark.parametrize("kinds", [("track",), ("track", "artist"), ("artist", "track")])
async def test_a_bare_search_page_is_followed_through_wrapped_later_pages(
    kinds: tuple[str, ...],
) -> None:
    recorder = _search(kinds)
    async with open_client(recorder) as spotify:
        found = await spotify.request("GET", "/search", params={"q": "a", "type": "x"})
        tracks = await spotify.all_items(found["tracks"])
    assert [item["n"] for item in tracks] == list(range(35))
    assert {item["type"] for item in tracks} == {"track"}


async def test_a_later_page_wrapping_several_unknown_pages_is_refused() -> None:
    # Items without a `type` say nothing about which wrapped page continues the list.
    async def respond(request: httpx.Request, seen: Seen) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        pages = {"a": _page(offset, 35, "track"), "b": _page(offset, 35, "track")}
        for page in pages.values():
            for item in page["items"]:
                del item["type"]
        return json_response(200, pages)

    async with open_client(Recorder(respond)) as spotify:
        found = await spotify.request("GET", "/search", params={"q": "a", "type": "x"})
        with pytest.raises(ValueError, match="a later page of the list is not a paging"):
            await spotify.all_items(found["a"])


async def test_the_emulator_search_pages_by_type_from_a_bare_page() -> None:
    async with open_emulator_client(SpotifyEmulator(seed=7, clock=trio.current_time)) as spotify:
        found = await spotify.search("a", types=["track", "artist"], limit=5)
        assert "tracks" in found
        assert "artists" in found
        tracks = await spotify.all_items(found["tracks"], max_items=23)
        artists = await spotify.all_items(found["artists"], max_items=12)
    assert len(tracks) == 23
    assert {track["type"] for track in tracks} == {"track"}
    assert len(artists) == 12
    assert {artist["type"] for artist in artists} == {"artist"}
