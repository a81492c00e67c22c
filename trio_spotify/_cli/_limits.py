"""The crawl's limits, read from the operations table when a request is made: how many IDs
one request carries, the largest page, and the most search results a query can reach."""

from __future__ import annotations

from .._operations import OPERATIONS

__all__ = ["batch_size", "page_size", "search_cap"]


def batch_size(operation_id: str) -> int:
    """How many IDs one request of `operation_id` may carry: its row's `batch`."""
    batch = OPERATIONS[operation_id].batch
    if batch is None:
        raise LookupError(f"{operation_id} takes no batch of IDs")
    return batch


def page_size(operation_id: str) -> int:
    """The largest `limit` of `operation_id`: the top of its row's `limit_range`."""
    limits = OPERATIONS[operation_id].limit_range
    if limits is None:
        raise LookupError(f"{operation_id} takes no limit")
    return limits[1]


def search_cap() -> int:
    """The most results one query of one type can reach: the last page starts at the
    search row's `max_offset` (Spotify's cap), so `max_offset + page_size("search")`."""
    max_offset = OPERATIONS["search"].max_offset
    if max_offset is None:
        raise LookupError("search has no max_offset")
    return max_offset + page_size("search")
