"""Following Spotify's paging objects: every item of a list, fetched concurrently where possible.

Spotify returns long lists a page at a time, in two shapes:

- an *offset* paging object `{"items", "offset", "limit", "total", "next", ...}`: once the
  first page is known, `total` says where every other page starts, so the remaining pages
  are requested concurrently (at most `pages_in_flight` of them at a time, each request
  still bounded by the client's limiter) and their items are handed out in order;
- a *cursor* paging object `{"items", "cursors", "next", ...}`: each page names the next,
  so the pages are followed one after the other.

A page can be given as it came from a method: the paging object itself, or an object that
wraps it (`{"tracks": {...}}` from search, `{"artists": {...}}` from followed artists, a
playlist whose `items` is a paging object). Later pages are unwrapped the same way, and a
bare page whose later pages come wrapped (`found["tracks"]` of a search) is followed too.

The pages stay the plain dicts Spotify sent, so the caps of the operation that serves the
later pages (its largest `limit` and `offset`) are looked up in the operations table, from
the `next` link's path: `operation_for("GET", path)`, compiled once from the table's path
templates. The pages are requested through the sender (the handler) that the client holds.

Memory stays proportional to the pages in flight, never to the length of the list: a page is
requested only when there is room in the window, and dropped once its items are handed on.

The iterator is a `trio.as_safe_channel` context manager, so that the concurrent fetches
live in a nursery that ends — cancelling what is still outstanding — when the consumer
leaves the `async with` block:

    async with spotify.iter_items(await spotify.playlists.items(pid, limit=50)) as items:
        async for item in items:
            ...
"""

# Arguments are checked at run time too (for callers without a type checker), so strict
# pyright would call some isinstance calls needless.
# pyright: reportUnnecessaryIsInstance=false

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeAlias, TypeGuard, TypeVar, cast

import attrs
import httpx
import trio
from typing_extensions import TypedDict

from ._handler import Sender
from ._nursery import open_nursery
from ._operations import operation_for

__all__ = ["ItemOptions", "Items", "all_items", "find_paging", "iter_items"]

T = TypeVar("T")

#: What `iter_items` returns: an async context manager whose channel hands out items of type
#: `T`, the element type of the paging object (`Paging[T]`, `CursorPaging[T]`) it follows.
Items: TypeAlias = AbstractAsyncContextManager[trio.abc.ReceiveChannel[T]]


class ItemOptions(TypedDict, total=False):
    """The keyword arguments of `Spotify.iter_items` / `all_items` besides `key`, as one type
    (`**options: Unpack[ItemOptions]`) for their typed overloads."""

    #: Stop after this many items, requesting no page beyond them (`None`: every item).
    max_items: int | None
    #: Offset pages requested ahead of the consumer at most (default 16).
    pages_in_flight: int


def _is_paging(value: object) -> TypeGuard[dict[str, Any]]:
    if not isinstance(value, dict):
        return False
    page = cast(dict[str, Any], value)
    return isinstance(page.get("items"), list) and "next" in page


def find_paging(
    page: Mapping[str, Any], key: str | None = None
) -> tuple[dict[str, Any], str | None]:
    """The paging object in `page` and the key that wrapped it (`None` when not wrapped).

    Raises `ValueError` when `page` holds no paging object, or several and `key`
    does not say which (search for several types wraps one per type). A playlist carries
    both `items` and the deprecated `tracks`; `items` is taken.
    """
    if not isinstance(page, Mapping):
        raise TypeError(f"page must be a paging object (a dict), not {type(page).__name__}")
    if key is not None:
        inner = page.get(key)
        if not _is_paging(inner):
            raise ValueError(f"page[{key!r}] is not a paging object")
        return inner, key
    if _is_paging(page):
        return dict(page), None
    candidates = [name for name, value in page.items() if _is_paging(value)]
    if "items" in candidates:
        candidates = ["items"]
    if len(candidates) == 1:
        return page[candidates[0]], candidates[0]
    if not candidates:
        raise ValueError(_not_a_page(page))
    raise ValueError(f"page wraps several paging objects {candidates}; pass key= to choose one")


def _not_a_page(page: Mapping[str, Any]) -> str:
    """Why `page` is no paging object: the keys a list of items (a page cut down by a
    `fields` filter, say) lacks, or that no list of items is there at all."""
    for name, value in [(None, page), *page.items()]:
        if isinstance(value, Mapping) and isinstance(
            cast(Mapping[str, Any], value).get("items"), list
        ):
            where = "page" if name is None else f"page[{name!r}]"
            missing = " or ".join(repr(k) for k in ("next", "total") if k not in value)
            return (
                f"{where} is not a paging object: it has 'items' but no {missing} (a `fields`"
                " filter must keep 'next', and 'total' to fetch the pages concurrently)"
            )
    return "page is not a paging object and wraps none (expected 'items' and 'next' keys)"


def _kind(items: list[Any]) -> str | None:
    """The `type` of the first object among `items` (`"track"`, `"artist"`, ...), if any."""
    for item in items:
        if isinstance(item, dict):
            kind = cast(dict[str, Any], item).get("type")
            if isinstance(kind, str):
                return kind
    return None


def _unwrap(response: Any, key: str | None, kind: str | None) -> dict[str, Any]:
    """The paging object of a later page: `response` itself, or `response[key]`.

    A list started from a bare page whose later pages come wrapped (`found["tracks"]` of a
    search: `/search` wraps every page) has no `key`: then the one paging object `response`
    wraps is taken, or of several the one named after the first page's items (`"tracks"`
    for items of `kind` `"track"`, as search names its pages).
    """
    if _is_paging(response):
        return response
    if isinstance(response, dict):
        answer = cast(dict[str, Any], response)
        if key is None:
            wrapped = [name for name, value in answer.items() if _is_paging(value)]
            if len(wrapped) > 1 and kind is not None and f"{kind}s" in wrapped:
                wrapped = [f"{kind}s"]
            key = wrapped[0] if len(wrapped) == 1 else None
        inner = None if key is None else answer.get(key)
        if _is_paging(inner):
            return inner
    raise ValueError("a later page of the list is not a paging object")


@attrs.define(eq=False)
class _Slot:
    """One page being fetched: filled in by its task, read by the consumer."""

    url: str
    done: trio.Event = attrs.Factory(trio.Event)
    items: list[Any] | None = None
    error: Exception | None = None


def _offset_urls(sender: Sender, first: dict[str, Any], wanted: int | None) -> list[str] | None:
    """The URLs of the pages after `first`, or `None` when they cannot be computed."""
    next_url = first.get("next")
    if next_url is None:
        return []
    numbers: list[Any] = [first.get(name) for name in ("total", "offset", "limit")]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
        return None
    total, offset, limit = (int(v) for v in numbers)
    if limit < 1:
        return None
    base = httpx.URL(next_url)
    # An embedded page (a playlist's `items`) can say limit=100 where the endpoint its
    # `next` link points at takes at most 50: ask for what the endpoint accepts.
    max_limit, max_offset = _caps(sender, base)
    limit = min(limit, max_limit)
    # The next page starts where the server's own `next` link says; a page that left out
    # unavailable items is shorter than its limit, and counting its items would start the
    # following pages too early (and repeat items).
    start = offset + len(first["items"])
    linked = base.params.get("offset")
    if linked is not None and linked.isdigit() and int(linked) >= offset:
        start = int(linked)
    end = total if wanted is None else min(total, start + wanted)
    if max_offset is not None:
        # Search reports totals far beyond the offsets it serves (at most 1000).
        end = min(end, max_offset + 1)
    return [
        str(base.copy_set_param("offset", o).copy_set_param("limit", limit))
        for o in range(start, end, limit)
    ]


def _caps(sender: Sender, url: httpx.URL) -> tuple[int, int | None]:
    """The largest `limit` and `offset` the GET operation at `url` accepts.

    `(50, None)` for a URL that is not an operation's under the sender's `api_url` (the
    request itself will then be refused, or answered by Spotify's own caps).
    """
    root = httpx.URL(sender.api_url).path.rstrip("/")
    path = url.path
    op = operation_for("GET", path[len(root) :]) if path.startswith(root + "/") else None
    if op is None or op.limit_range is None:
        return 50, None
    return op.limit_range[1], op.max_offset


@trio.as_safe_channel
async def _items(
    sender: Sender,
    first: dict[str, Any],
    key: str | None,
    max_items: int | None,
    pages_in_flight: int,
) -> AsyncGenerator[Any, None]:
    """Every item after the paging object `first` (found by `find_paging`), in order.

    With `max_items` each page's items are cut to what is still wanted, and no page is
    requested once that many have been handed out.
    """
    remaining = max_items
    kind = _kind(first["items"])

    def wanted(items: list[Any]) -> list[Any]:
        """`items` cut to what is still wanted; counts them off `remaining`."""
        nonlocal remaining
        if remaining is None:
            return items
        taken = items[:remaining]
        remaining -= len(taken)
        return taken

    for item in wanted(first["items"]):
        yield item
    if remaining == 0:
        return
    urls = _offset_urls(sender, first, remaining) if "cursors" not in first else None
    if urls is None:
        # Cursor paging, or offset paging without a total: follow `next` one by one.
        next_url = first.get("next")
        while next_url and remaining != 0:
            current = _unwrap(await sender.request("GET", next_url), key, kind)
            if not current["items"]:
                return
            for item in wanted(current["items"]):
                yield item
            next_url = current.get("next")
        return

    error: Exception | None = None
    window = trio.Semaphore(pages_in_flight)
    send, receive = trio.open_memory_channel[_Slot](math.inf)

    async def fetch(slot: _Slot) -> None:
        try:
            slot.items = _unwrap(await sender.request("GET", slot.url), key, kind)["items"]
        except Exception as exc:  # handed to the consumer in order, never to the nursery
            slot.error = exc
        slot.done.set()

    async def launch(nursery: trio.Nursery) -> None:
        with send:
            for url in urls:
                await window.acquire()  # room for one more page in flight
                slot = _Slot(url)
                try:
                    send.send_nowait(slot)
                except trio.BrokenResourceError:
                    # The consumer left (cancelled, or done) while this task was already
                    # woken by the window: launch nothing more.
                    return
                nursery.start_soon(fetch, slot)

    async with open_nursery() as nursery:  # a lone Cancelled/KeyboardInterrupt comes out bare
        nursery.start_soon(launch, nursery)
        with receive:
            async for slot in receive:
                await slot.done.wait()
                if slot.error is not None:
                    error = slot.error
                    break
                assert slot.items is not None
                items, slot.items = slot.items, None
                window.release()
                for item in wanted(items):
                    yield item
                if remaining == 0:
                    break
        nursery.cancel_scope.cancel()
    if error is not None:
        raise error


def iter_items(
    sender: Sender,
    page: Mapping[str, Any],
    *,
    key: str | None = None,
    max_items: int | None = None,
    pages_in_flight: int = 16,
) -> Items[Any]:
    """See `Spotify.iter_items`; the pages are requested through `sender`.

    Typed loosely (items of `Any`): the element type of each kind of page is told by the
    overloads of `Spotify.iter_items`, which calls this."""
    if max_items is not None and max_items < 0:
        raise ValueError(f"max_items must be at least 0, not {max_items}")
    if pages_in_flight < 1:
        raise ValueError(f"pages_in_flight must be at least 1, not {pages_in_flight}")
    first, key = find_paging(page, key)  # fails here, not inside the background task
    return _items(sender, first, key, max_items, pages_in_flight)


async def all_items(
    sender: Sender,
    page: Mapping[str, Any],
    *,
    key: str | None = None,
    max_items: int | None = None,
    pages_in_flight: int = 16,
) -> list[Any]:
    """See `Spotify.all_items`. A checkpoint."""
    result: list[Any] = []
    async with iter_items(
        sender, page, key=key, max_items=max_items, pages_in_flight=pages_in_flight
    ) as items:
        async for item in items:
            result.append(item)
    await trio.lowlevel.checkpoint()
    return result
