"""The emulator's routes come from the one operations table (`trio_spotify._operations`).

Every operation of the table has exactly one handler, every handler names an operation of
the table, the app serves exactly the table's methods and paths, and the limits the
emulator enforces (`limit` ranges, `offset` maxima, batch sizes) are the table's.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import trio
from helpers.emulator import bearer, operation_cases, raw_client
from starlette.routing import Mount, Route

import trio_spotify._endpoints
import trio_spotify.testing._api
from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import SpotifyEmulator
from trio_spotify.testing._access import ENFORCED_SCOPES
from trio_spotify.testing._api import HANDLERS, HANDLERS_BY_CATEGORY
from trio_spotify.testing._call import FIXED_LIMITS

API_PACKAGE = Path(trio_spotify.testing._api.__file__).parent

# Where the emulator bounds `limit` otherwise than the table: as the corrected definition
# does (`_call.FIXED_LIMITS`, checked against it in test_fidelity_requests.py).
LIMIT_EXCEPTIONS = FIXED_LIMITS


def test_every_operation_has_exactly_one_handler() -> None:
    named = Counter(op_id for handlers in HANDLERS_BY_CATEGORY.values() for op_id in handlers)
    twice = {op_id for op_id, n in named.items() if n > 1}
    assert not twice, f"handled in more than one category: {sorted(twice)}"
    missing = set(OPERATIONS) - set(named)
    assert not missing, f"operations without a handler: {sorted(missing)}"
    assert len(HANDLERS) == len(OPERATIONS) == 96


def test_every_handler_names_an_operation_of_the_table() -> None:
    unknown = {
        (category, op_id)
        for category, handlers in HANDLERS_BY_CATEGORY.items()
        for op_id in handlers
        if op_id not in OPERATIONS
    }
    assert not unknown
    assert set(HANDLERS) == set(OPERATIONS)


def test_the_categories_mirror_the_clients_endpoint_modules() -> None:
    endpoints = Path(trio_spotify._endpoints.__file__).parent
    client = {p.stem for p in endpoints.glob("*.py") if not p.stem.startswith("_")}
    assert set(HANDLERS_BY_CATEGORY) == client
    ours = {p.stem for p in API_PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    assert ours == client


def test_the_app_serves_exactly_the_tables_routes() -> None:
    (api,) = [r for r in SpotifyEmulator().app.routes if isinstance(r, Mount)]
    served = set()
    for route in api.routes:
        assert isinstance(route, Route)
        assert route.methods is not None
        (method,) = route.methods - {"HEAD"}
        served.add((route.name, method, route.path))
    assert served == {(op.operation_id, op.method, op.path) for op in OPERATIONS.values()}


def test_the_handlers_spell_no_method_path_of_their_own() -> None:
    # The table's paths are read from the table: none is written again in the emulator.
    paths = {op.path for op in OPERATIONS.values()}
    found = []
    for path in [*API_PACKAGE.glob("*.py"), API_PACKAGE.parent / "_app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Pieces of f-strings (`f"/albums/{id}/tracks"`) are not paths of their own.
        pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in paths and id(node) not in pieces:
                found.append((path.name, node.value))
    assert not found


def _with(kwargs: dict[str, Any], **params: Any) -> dict[str, Any]:
    return {**kwargs, "params": {**kwargs.get("params", {}), **params}}


async def test_limits_offsets_and_batches_are_the_tables() -> None:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7)
    headers = bearer(emulator.issue_access_token())
    probed: Counter[str] = Counter()

    async with raw_client(emulator) as client:

        async def status(method: str, path: str, kwargs: dict[str, Any]) -> int:
            kwargs = {**kwargs, "headers": {**headers, **kwargs.get("headers", {})}}
            response = await client.request(method, "/v1" + path, **kwargs)
            return response.status_code

        for op_id, method, path, kwargs in operation_cases(emulator):
            # Build the state the later cases read (the player, the created playlist).
            assert await status(method, path, kwargs) < 300, op_id
            op = OPERATIONS[op_id]
            if method != "GET":
                continue
            if op.limit_range is not None:
                lo, hi = LIMIT_EXCEPTIONS.get(op_id, op.limit_range)
                assert await status(method, path, _with(kwargs, limit=hi)) == 200, op_id
                assert await status(method, path, _with(kwargs, limit=hi + 1)) == 400, op_id
                assert await status(method, path, _with(kwargs, limit=lo - 1)) == 400, op_id
                probed["limit"] += 1
            if op.max_offset is not None:
                at_most = _with(kwargs, offset=op.max_offset)
                assert await status(method, path, at_most) == 200, op_id
                beyond = _with(kwargs, offset=op.max_offset + 1)
                assert await status(method, path, beyond) == 400, op_id
                probed["offset"] += 1
            params = kwargs.get("params", {})
            key = next((k for k in ("ids", "uris") if k in params), None)
            if op.batch is not None and key is not None:
                first = str(params[key]).split(",")[0]
                full = _with(kwargs, **{key: ",".join([first] * op.batch)})
                assert await status(method, path, full) == 200, op_id
                over = _with(kwargs, **{key: ",".join([first] * (op.batch + 1))})
                assert await status(method, path, over) == 400, op_id
                probed["batch"] += 1
    # The probes reached every GET operation with a range (the top items twice), an offset
    # maximum or a batch in the table; the case of check-if-user-follows-playlist sends no
    # `ids` (it defaults to the current user).
    assert probed == {"limit": 23, "offset": 3, "batch": 15}


def test_the_scopes_enforced_apart_from_the_table_name_its_operations() -> None:
    # Each exception names an operation of the table and changes what its row says.
    for op_id, scopes in ENFORCED_SCOPES.items():
        assert op_id in OPERATIONS, op_id
        assert scopes != OPERATIONS[op_id].scopes, op_id


@pytest.mark.parametrize(
    ("op_id", "scopes", "status"),
    [
        # The table lists one alternative for /me/player/currently-playing; the emulator
        # also accepts the other player-reading scope (`_access.py`).
        ("get-the-users-currently-playing-track", ["user-read-playback-state"], 204),
        ("get-the-users-currently-playing-track", ["user-read-currently-playing"], 204),
        ("get-the-users-currently-playing-track", ["user-modify-playback-state"], 403),
        # An operation whose row has one alternative: the table's meaning decides.
        ("get-users-saved-tracks", ["user-library-read"], 200),
        ("get-users-saved-tracks", ["user-library-modify"], 403),
        # Listed for `resume_point` only: any token reads a show.
        ("get-a-show", [], 200),
    ],
)
async def test_scopes_are_alternatives_as_in_the_table(
    op_id: str, scopes: list[str], status: int
) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=7)
    headers = bearer(emulator.issue_access_token(scopes))
    path = OPERATIONS[op_id].path.format(id=emulator.catalog.id_of(4, 1))
    async with raw_client(emulator) as client:
        response = await client.get("/v1" + path, headers=headers)
    assert response.status_code == status, response.text
