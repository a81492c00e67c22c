"""Every endpoint method's docstring agrees with the row of the operation it sends.

Each call of `helpers.calls.CALLS` is sent to the recording fake; the operation is looked up
from the request the method really sent (`operation_for(method, path)`, the table's own
lookup), and the docstring must state that row's facts in prose:

- its `METHOD /path`, exactly as the row writes it (every path the docstring names);
- its batch size as "N per request", when the row has one (and no other number);
- "deprecated" if and only if the row is deprecated.
"""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any

import pytest
from helpers.calls import CALLS, Call
from helpers.fakes import Recorder, open_client

import trio_spotify
from trio_spotify._operations import OPERATIONS, Operation, operation_for

#: `` `GET /albums/{id}` `` in a docstring.
STATED_PATH = re.compile(r"`(GET|PUT|POST|DELETE) (/[^`\s]*)`")
#: A path without its method, `` `/albums/{id}` ``.
BARE_PATH = re.compile(r"`(/[a-z][^`\s]*)`")
STATED_BATCH = re.compile(r"(\d+)\s+per\s+request")
DEPRECATED = re.compile(r"\bdeprecated\b", re.IGNORECASE)

#: Methods whose operation has a batch size that they do not use: they send no list (the
#: row's batch belongs to replacing the items, these move a range of them).
NO_LIST = {"playlists.reorder_items", "playlists.reorder_tracks"}


def method_of(spotify: trio_spotify.Spotify, method_name: str) -> Any:
    """The bound method `spotify.albums.get` for `"albums.get"` (`__call__` for search)."""
    target: Any = spotify
    for part in method_name.split("."):
        target = getattr(target, part)
    return target if inspect.ismethod(target) else target.__call__


def disagreements(doc: str, op: Operation, method_name: str) -> list[str]:
    """What `doc` states that `op`'s row contradicts (empty when they agree)."""
    found = []
    row_path = f"{op.method} {op.path}"
    stated = [f"{method} {path}" for method, path in STATED_PATH.findall(doc)]
    if not stated:
        found.append(f"states no path (the row's is {row_path})")
    found += [f"states {path}, the row {row_path}" for path in stated if path != row_path]
    bare = [path for path in BARE_PATH.findall(doc) if path != op.path]
    found += [f"names the path {path}, the row {op.path}" for path in bare]
    batches = [int(n) for n in STATED_BATCH.findall(doc)]
    if op.batch is None and batches:
        found.append(f"states {batches} per request, the row no batch")
    elif op.batch is not None and method_name not in NO_LIST and batches != [op.batch]:
        found.append(f"states {batches} per request, the row {op.batch}")
    if bool(DEPRECATED.search(doc)) != op.deprecated:
        found.append("says deprecated" if not op.deprecated else "does not say deprecated")
    return found


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method_name}-{c.operation_id}")
async def test_the_docstring_states_the_path_batch_and_deprecation_of_its_row(call: Call) -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await call.invoke(spotify)
        doc = inspect.getdoc(method_of(spotify, call.method_name))
    assert doc, call.method_name
    sent = recorder.seen[0]
    op = operation_for(sent.method, sent.path)
    assert op is not None, (sent.method, sent.path)
    assert op.operation_id == call.operation_id, (sent.method, sent.path)
    assert disagreements(doc, op, call.method_name) == [], call.method_name


def test_a_docstring_that_disagrees_with_its_row_is_caught() -> None:
    """The checks above can fail: each kind of disagreement is seen."""
    op = OPERATIONS["get-multiple-albums"]
    good = "Albums by ID (`GET /albums`), any number, 20 per request; deprecated."
    assert disagreements(good, op, "albums.get_several") == []
    assert disagreements(good.replace("GET /albums", "GET /album"), op, "x")
    assert disagreements(good.replace("(`GET /albums`)", ""), op, "x")
    assert disagreements(good + " See `/albums/{id}`.", op, "x")
    assert disagreements(good.replace("20 per", "50 per"), op, "x")
    assert disagreements(good.replace("; deprecated", ""), op, "x")
    current = OPERATIONS["get-an-album"]
    assert disagreements("One album (`GET /albums/{id}`).", current, "albums.get") == []
    assert disagreements("One album (`GET /albums/{id}`); deprecated.", current, "x")
    assert disagreements("One album (`GET /albums/{id}`), 20 per request.", current, "x")
