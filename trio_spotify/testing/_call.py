"""One Web API call as the operation handlers see it: parsed parameters, the caller's
identity, and helpers that enforce Spotify's limits with Spotify's 400 bodies.

A `Call` knows its row of the operations table (`trio_spotify._operations`), so the limits
are read from there and written nowhere else: `limit()` checks the row's `limit_range`,
`offset()` its `max_offset`, `id_list()` and `batch` its `batch`. A handler passes a
bound of its own only where Spotify's behaviour differs from its definition, and says why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from starlette.requests import Request

from trio_spotify._operations import Operation

from ._catalog import BASE, Catalog, Ref
from ._catalog_ids import is_base62_id
from ._emulated_accounts import AccessGrant
from ._fields import FieldFilter, FieldsError, parse_fields
from ._reply import ApiError, Reply, bad_request
from ._state import Playlist, UserState

__all__ = ["FIXED_LIMITS", "ApiHandler", "Call", "EmulatorState", "Mode"]

Mode = Literal["extended", "development"]


#: What the emulator runs for one operation: a synchronous function of the call.
ApiHandler = Callable[["Call"], Reply]

URI_KINDS = frozenset(
    {"track", "album", "artist", "episode", "show", "audiobook", "chapter", "playlist", "user"}
)

#: operationId -> the `limit` range of the corrected definition
#: (`tests/data/fixed-spotify-open-api.yml`), where it differs from the table's (which
#: follows the official one): search takes at least 1 (a `limit=0` page would link to
#: itself as `next`), the deprecated `/playlists/{id}/tracks` up to 100.
#: `tests/emulator/test_fidelity_requests.py` checks this against the corrected definition.
FIXED_LIMITS: dict[str, tuple[int, int]] = {
    "search": (1, 10),
    "get-playlists-tracks": (1, 100),
}


class EmulatorState(Protocol):
    """What the handlers read and change of their emulator (`SpotifyEmulator` is one).

    A protocol, so that the handlers sit below the emulator that composes them.
    """

    catalog: Catalog
    mode: Mode
    clock: Callable[[], float]

    def now_ms(self) -> int: ...
    def iso(self, ms: int) -> str: ...
    def user(self, user_id: str) -> UserState: ...
    def playlist(self, playlist_id: str) -> Playlist | None: ...
    def create_playlist(
        self,
        owner: UserState,
        name: str,
        *,
        public: bool,
        collaborative: bool,
        description: str | None,
    ) -> Playlist: ...
    def known_user(self, user_id: str) -> bool: ...
    def followers_of(self, user_id: str) -> int: ...
    def owned_playlists(self, user_id: str) -> list[str]: ...


class Call:
    """Parameters and identity of one API request, read by an operation handler."""

    def __init__(
        self,
        emulator: EmulatorState,
        operation: Operation,
        request: Request,
        grant: AccessGrant,
        raw_body: bytes,
    ) -> None:
        self.emulator = emulator
        self.operation = operation
        self.request = request
        self.grant = grant
        self.query = request.query_params
        self.path_params: dict[str, Any] = request.path_params
        self.raw_body = raw_body
        self._json: Any = None
        self._json_read = False

    # -- identity -----------------------------------------------------------------------------

    @property
    def user(self) -> UserState:
        user_id = self.grant.user_id
        assert user_id is not None  # the pipeline refuses app tokens on user operations
        return self.emulator.user(user_id)

    @property
    def catalog(self) -> Catalog:
        return self.emulator.catalog

    def has_scope(self, scope: str) -> bool:
        return scope in self.grant.scopes

    # -- body -----------------------------------------------------------------------------------

    def json(self) -> Any:
        """The JSON body, `None` when there is none; 400 when it is not JSON."""
        if not self._json_read:
            self._json_read = True
            if self.raw_body.strip():
                try:
                    self._json = json.loads(self.raw_body, parse_constant=_refuse_constant)
                except (ValueError, RecursionError):
                    # Spotify answers a body it cannot parse (`Infinity`, `NaN`, nesting
                    # deeper than a parser's stack) with its JSON 400, never a bare 500.
                    raise bad_request("Error parsing json") from None
        return self._json

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise bad_request("Error parsing json: expected an object")
        return body

    # -- parameters -------------------------------------------------------------------------------

    def path(self, name: str) -> str:
        return str(self.path_params[name])

    def int_param(self, name: str, default: int, lo: int, hi: int | None = None) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"Invalid {name}") from None
        if value < lo or (hi is not None and value > hi):
            bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            raise bad_request(f"Invalid {name}: {name} must be {bound}")
        return value

    def limit(self, default: int = 20, *, maximum: int | None = None) -> int:
        """The `limit` parameter, within the operation's range (400 outside it): the table's
        `limit_range`, or `FIXED_LIMITS` where the corrected definition says otherwise.

        `maximum` replaces the upper bound where Spotify accepts more than its definition
        says.
        """
        bounds = FIXED_LIMITS.get(self.operation.operation_id, self.operation.limit_range)
        assert bounds is not None, f"{self.operation.operation_id} has no limit range"
        lo, hi = bounds
        return self.int_param("limit", default, lo, hi if maximum is None else maximum)

    def offset(self) -> int:
        """The `offset` parameter, at most the operation's `max_offset` (400 beyond it)."""
        return self.int_param("offset", 0, 0, self.operation.max_offset)

    @property
    def batch(self) -> int:
        """How many IDs or URIs one request of this operation may carry (the table's `batch`)."""
        batch = self.operation.batch
        assert batch is not None, f"{self.operation.operation_id} has no batch size"
        return batch

    def market(self) -> str | None:
        market = self.query.get("market")
        if market is None or market == "from_token":
            return market
        if len(market) != 2 or not market.isalpha() or not market.isupper():
            raise bad_request("Invalid market code")
        return market

    def fields(self) -> FieldFilter | None:
        """The `fields` filter of the query (`_fields.py`), `None` without one; 400 when it
        is malformed (Spotify's message for that is undocumented)."""
        try:
            return parse_fields(self.query.get("fields"))
        except FieldsError as error:
            raise bad_request(str(error)) from None

    def id_list(
        self, name: str, maximum: int | None = None, *, body: bool = False, required: bool = True
    ) -> list[str]:
        """IDs from the query (comma-separated) or, when `body`, a JSON body's `name`.

        At most `maximum` of them (default: the operation's `batch`); 400 for more, for none
        (when `required`) and for a value that is not a base-62 ID.
        """
        if maximum is None:
            maximum = self.batch
        raw = self.query.get(name)
        values: list[str]
        if raw is not None:
            values = [v for v in raw.split(",") if v != ""]
        elif body and isinstance(self.json(), dict) and name in self.json():
            data = self.json()[name]
            if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
                raise bad_request(f"{name} must be an array of strings")
            values = list(data)
        else:
            values = []
        if not values:
            if required:
                raise bad_request(f"Missing required parameter: {name}")
            return values
        if len(values) > maximum:
            raise bad_request(f"Too many ids requested: at most {maximum}")
        for value in values:
            if not is_base62_id(value):
                raise bad_request(f"Invalid base62 id: {value}")
        return values

    def resolve(self, spotify_id: str, kind: str) -> Ref:
        """The catalog object `spotify_id` names, which must be a `kind`; 400 or 404."""
        if not is_base62_id(spotify_id):
            raise bad_request("invalid id")
        ref = self.emulator.catalog.resolve(spotify_id)
        if ref is None or ref.kind != kind:
            raise ApiError(404, "Resource not found")
        return ref

    def parse_uri(self, uri: str, kinds: Sequence[str] = tuple(URI_KINDS)) -> tuple[str, str]:
        """`(kind, id)` of `spotify:<kind>:<id>`; 400 when malformed or of another kind."""
        parts = uri.split(":")
        if len(parts) != 3 or parts[0] != "spotify" or parts[1] not in kinds:
            raise bad_request(f"Invalid uri: {uri}")
        kind, value = parts[1], parts[2]
        if kind == "user":
            if not value:
                raise bad_request(f"Invalid uri: {uri}")
            return kind, value
        if not is_base62_id(value):
            raise bad_request(f"Invalid base62 id: {uri}")
        return kind, value

    # -- paging ------------------------------------------------------------------------------------

    def href(self, **overrides: Any) -> str:
        """This request's URL (at the placeholder base) with some query values replaced."""
        params = dict(self.query.items())
        for key, value in overrides.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        query = urlencode(params)
        return BASE + self.request.url.path + ("?" + query if query else "")

    def page(
        self, total: int, fetch: Callable[[int, int], list[Any]], *, limit: int, offset: int
    ) -> dict[str, Any]:
        """An offset paging object over `total` items; `fetch(offset, limit)` gives the page."""
        items = fetch(offset, limit) if offset < total else []
        nxt = self.href(offset=offset + limit, limit=limit) if offset + limit < total else None
        prev = self.href(offset=max(0, offset - limit), limit=limit) if offset > 0 else None
        return {
            "href": self.href(offset=offset, limit=limit),
            "items": items,
            "limit": limit,
            "next": nxt,
            "offset": offset,
            "previous": prev,
            "total": total,
        }

    def page_list(
        self,
        items: Sequence[Any],
        convert: Callable[[Any], Any],
        *,
        default: int = 20,
        maximum: int | None = None,
    ) -> dict[str, Any]:
        """`page` over an in-memory sequence, reading `limit`/`offset` from the query."""
        limit = self.limit(default, maximum=maximum)
        offset = self.offset()
        return self.page(
            len(items),
            lambda o, n: [convert(x) for x in items[o : o + n]],
            limit=limit,
            offset=offset,
        )


def _refuse_constant(name: str) -> Any:
    """`json.loads` accepts `Infinity`, `-Infinity` and `NaN`; JSON (RFC 8259) does not."""
    raise ValueError(f"{name} is not JSON")
