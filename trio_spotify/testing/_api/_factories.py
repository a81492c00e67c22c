"""Handlers for the shapes that repeat across categories, built by factories.

Get one object, get several (`?ids=`), list a parent's children, and the type-specific
library operations (list saved, save or remove, check) look the same for albums, shows,
episodes, audiobooks, chapters and tracks: each factory takes the kind (and what renders
it) and returns an `ApiHandler`. Batch sizes and limit ranges are not arguments: the call
reads them from the operation's row of the table (see `Call.id_list` and `Call.limit`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .._call import ApiHandler, Call
from .._catalog import Catalog
from .._reply import Reply, bad_request
from ._render import FULL

__all__ = [
    "check_ids_exist",
    "children",
    "get_one",
    "get_several",
    "saved_change",
    "saved_contains",
    "saved_list",
]

Render = Callable[[Catalog, int], dict[str, Any]]


def get_one(kind: str, param: str = "id") -> ApiHandler:
    """`GET /<kind>s/{id}`: the full object, 404 for an unknown ID."""

    def handler(call: Call) -> Reply:
        call.market()
        ref = call.resolve(call.path(param), kind)
        return 200, FULL[kind](call.catalog, ref.index)

    return handler


def get_several(kind: str, key: str, render: Render | None = None) -> ApiHandler:
    """`GET /<kind>s?ids=`: `{key: [object or null, ...]}`, `null` for unknown IDs."""

    def handler(call: Call) -> Reply:
        call.market()
        make = render or FULL[kind]
        catalog = call.catalog
        found = []
        for spotify_id in call.id_list("ids"):
            ref = catalog.resolve(spotify_id)
            found.append(make(catalog, ref.index) if ref is not None and ref.kind == kind else None)
        return 200, {key: found}

    return handler


def children(
    kind: str, listing: Callable[[Catalog, int], Sequence[int]], render: Render
) -> ApiHandler:
    """`GET /<kind>s/{id}/<children>`: a page of the parent's children."""

    def handler(call: Call) -> Reply:
        call.market()
        ref = call.resolve(call.path("id"), kind)
        catalog = call.catalog
        return 200, call.page_list(listing(catalog, ref.index), lambda i: render(catalog, i))

    return handler


def saved_list(kind: str, key: str, render: Render) -> ApiHandler:
    """`GET /me/<kind>s`: a page of the user's saved objects, newest first, with `added_at`."""

    def handler(call: Call) -> Reply:
        call.market()
        saved = list(reversed(call.user.saved_of(kind).items()))
        catalog = call.catalog

        def convert(pair: tuple[str, str]) -> dict[str, Any]:
            ref = catalog.resolve(pair[0].rsplit(":", 1)[1])
            assert ref is not None
            return {"added_at": pair[1], key: render(catalog, ref.index)}

        return 200, call.page_list(saved, convert)

    return handler


def check_ids_exist(call: Call, kind: str, ids: Sequence[str]) -> None:
    """400 unless every one of `ids` names a catalog object of `kind`."""
    for spotify_id in ids:
        ref = call.catalog.resolve(spotify_id)
        if ref is None or ref.kind != kind:
            raise bad_request(f"Payload contains a non-existing ID: {spotify_id}")


def saved_change(
    kind: str, *, save: bool, body_maximum: int | None = None, timestamped: bool = False
) -> ApiHandler:
    """`PUT` (`save`) or `DELETE /me/<kind>s`: IDs from the query or a JSON body's `ids`.

    `body_maximum` is for the one operation whose definition lets the body carry more IDs
    than the query (saving albums: 20 in the query, 50 in the body); `timestamped`
    accepts `timestamped_ids` (`[{"id", "added_at"}]`, saving tracks since 2025).
    """

    def handler(call: Call) -> Reply:
        store = call.user.saved_of(kind)
        body = call.json_object() if call.query.get("ids") is None else {}
        in_body = body_maximum or call.batch
        stamps: dict[str, str] = {}
        if timestamped and "timestamped_ids" in body:
            entries = body["timestamped_ids"]
            if not isinstance(entries, list) or not entries:
                raise bad_request("timestamped_ids must be a non-empty array")
            if len(entries) > in_body:
                raise bad_request(f"Too many ids requested: at most {in_body}")
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    raise bad_request("timestamped_ids entries need an id")
                stamps[entry["id"]] = str(entry.get("added_at") or "")
            ids = list(stamps)
        elif "ids" in body:
            ids = call.id_list("ids", in_body, body=True)
        else:
            ids = call.id_list("ids")
        check_ids_exist(call, kind, ids)
        for spotify_id in ids:
            uri = f"spotify:{kind}:{spotify_id}"
            store.pop(uri, None)
            if save:
                store[uri] = stamps.get(spotify_id) or call.emulator.iso(call.emulator.now_ms())
        return 200, None

    return handler


def saved_contains(kind: str) -> ApiHandler:
    """`GET /me/<kind>s/contains?ids=`: one boolean per ID."""

    def handler(call: Call) -> Reply:
        store = call.user.saved_of(kind)
        return 200, [f"spotify:{kind}:{i}" in store for i in call.id_list("ids")]

    return handler
