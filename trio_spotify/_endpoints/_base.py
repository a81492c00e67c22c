"""What every endpoint group shares: sending one operation, chunking ID lists, checking arguments.

An endpoint method does three things, always in this order:

1. check its arguments and turn IDs/URIs/URLs into what the request needs — a mistake raises
   `ValueError` (or `TypeError`) naming the bad value, before anything is sent;
2. warn with `DeprecationWarning` if Spotify deprecated the operation;
3. send the request(s) through `spotify.request` (limiter, token, retries live there) via
   `Group._send`, which turns a 403 on a token lacking the operation's scopes into
   `MissingScope`.

Lists longer than Spotify accepts in one request are split (`Group._chunked_read`,
`Group._chunked_write`). Reads go out concurrently in a function-local nursery — each
request still waits for the client's limiter — and are merged in input order. The nursery's
tasks cannot raise: the first failure is kept, the others are cancelled, and that failure is
raised as itself after the nursery closed, so no `ExceptionGroup` reaches the caller.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import trio

from .._errors import Forbidden, MissingScope, ResponseDecodeError
from .._ids import Kind, parse_id, parse_ids, parse_uri
from .._operations import OPERATIONS, Operation
from .._request import format_path

if TYPE_CHECKING:
    from .._client import Spotify

__all__ = ["CONTEXTS", "JSON", "PLAYABLE", "AdditionalType", "Group", "gather_in_order"]

#: A decoded JSON object as Spotify sent it.
JSON = dict[str, Any]

T = TypeVar("T")

#: What a playlist holds and the player plays: the kinds `additional_types` may name.
PLAYABLE: tuple[Kind, ...] = ("track", "episode")
AdditionalType = Literal["track", "episode"]
#: What `player.play(context_uri=...)` accepts.
CONTEXTS: tuple[Kind, ...] = ("album", "artist", "playlist", "show", "audiobook")

_MARKET = re.compile(r"[A-Z]{2}")


async def gather_in_order(thunks: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run `thunks` concurrently and return their results in order.

    A checkpoint. If one raises, the others are cancelled and that exception is raised
    itself (the first one to fail, if several do), never wrapped in an `ExceptionGroup`.
    `trio.Cancelled` and other `BaseException`s are not caught.
    """
    if len(thunks) == 1:
        return [await thunks[0]()]
    results: list[Any] = [None] * len(thunks)
    failure: Exception | None = None

    async def run(index: int, thunk: Callable[[], Awaitable[T]]) -> None:
        nonlocal failure
        try:
            results[index] = await thunk()
        except Exception as exc:
            if failure is None:
                failure = exc
            nursery.cancel_scope.cancel()

    async with trio.open_nursery() as nursery:
        for index, thunk in enumerate(thunks):
            nursery.start_soon(run, index, thunk)
    if failure is not None:
        raise failure
    return results


def _get(answer: Any, key: str) -> Any:
    return answer.get(key) if isinstance(answer, dict) else None


def _chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Group:
    """Base class of `spotify.albums`, `spotify.tracks`, ...: holds the client.

    What every endpoint method does and raises:

    - its arguments are checked before anything is sent: a malformed ID or URI, one of
      another kind, an empty ID list, an integer out of range (`limit` and `offset`
      against the operation's caps, see `_page`), a choice outside the allowed set,
      a bad market code or a cover image over 256 KB raise `ValueError` naming the
      parameter or value; a value of the wrong type (a `float` or `bool` where an
      integer belongs, a single string where a list of IDs belongs) `TypeError`;
    - a deprecated operation (unavailable to development-mode apps) emits a
      `DeprecationWarning` that names its replacement, where there is one;
    - Spotify's error answers raise the `SpotifyAPIError` subclasses,
      and a 403 on an endpoint whose scopes the token lacks raises
      `MissingScope`; transport failures raise
      `NetworkError` (see `Spotify.request`);
    - list arguments of any length are split to Spotify's batch limit; reads go out
      concurrently and come back in input order (`None` kept for unknown IDs), writes go
      out in order; if a chunk fails, its own exception is raised (never a group).

    Every method is a checkpoint and takes no `timeout`: deadlines belong to the caller.
    """

    def __init__(self, spotify: Spotify) -> None:
        self._spotify = spotify

    def __repr__(self) -> str:
        return f"<trio_spotify {type(self).__name__.lower()} endpoints>"

    # -- sending ---------------------------------------------------------------------------

    @staticmethod
    def _deprecated(op: Operation, stacklevel: int = 3) -> None:
        """Warn if `op` is deprecated; `stacklevel` 3 points at the caller of the method."""
        if not op.deprecated:
            return
        text = f"Spotify deprecated {op.method} {op.path} ({op.operation_id})"
        if op.replacement:
            text += f"; use {op.replacement} instead"
        else:
            text += "; it is unavailable to new and development-mode apps and has no replacement"
        warnings.warn(text, DeprecationWarning, stacklevel=stacklevel + 1)

    async def _send(
        self,
        op: Operation,
        *,
        segments: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send `op` once. A checkpoint; 403 with a token lacking scopes → MissingScope."""
        path = format_path(op.path, **segments) if segments else op.path
        try:
            return await self._spotify.request(
                op.method, path, params=params, json=json, content=content, headers=headers
            )
        except Forbidden as exc:
            if not op.scopes:
                raise
            token = self._spotify.token
            # Spotify answered, so the request carried a token; the handler raises plain
            # Forbidden (MissingScope is made only here).
            assert token is not None
            missing = op.missing_scopes(token.scope)
            if not missing:
                raise
            raise MissingScope(
                exc.message,
                exc.status,
                exc.reason,
                exc.method,
                exc.url,
                op.all_scopes,
                token.scope,
            ) from exc

    async def _call(
        self,
        operation_id: str,
        *,
        segments: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        page: tuple[int | None, int | None] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JSON:
        """Warn if deprecated, then `_send`. Call it straight from a public method.

        `page=(limit, offset)` adds the operation's checked paging parameters (see
        `_page`) to `params`. Typed as returning a JSON object, which nearly every
        operation does; the few that answer with nothing or a list say so in their own
        signature.
        """
        op = OPERATIONS[operation_id]
        if page is not None:
            params = {**(params or {}), **self._page(operation_id, *page)}
        self._deprecated(op, stacklevel=3)
        answer = await self._send(
            op, segments=segments, params=params, json=json, content=content, headers=headers
        )
        return cast(JSON, answer)

    async def _chunked_read(
        self,
        operation_id: str,
        ids: Sequence[str],
        *,
        key: str | None,
        param: str = "ids",
        params: Mapping[str, Any] | None = None,
        segments: Mapping[str, str] | None = None,
    ) -> list[Any]:
        """GET `op` for `ids` (already checked) in chunks of `op.batch`, concurrently.

        Each answer is `{key: [...]}` (or a bare list when `key` is `None`); the lists
        are joined in input order, `None` entries kept. An answer with another number of
        results than IDs raises `ResponseDecodeError`.
        """
        op = OPERATIONS[operation_id]
        self._deprecated(op, stacklevel=3)
        assert op.batch is not None

        def thunk(chunk: Sequence[str]) -> Callable[[], Awaitable[list[Any]]]:
            async def fetch() -> list[Any]:
                answer = await self._send(
                    op, segments=segments, params={**(params or {}), param: list(chunk)}
                )
                found = answer if key is None else _get(answer, key)
                if not isinstance(found, list) or len(found) != len(chunk):
                    raise ResponseDecodeError(
                        f"{op.operation_id}: Spotify answered {len(chunk)} IDs with "
                        f"{len(found) if isinstance(found, list) else 'no'} results",
                        200,
                        "",
                    )
                return found

            return fetch

        parts = await gather_in_order([thunk(chunk) for chunk in _chunks(ids, op.batch)])
        return [item for part in parts for item in part]

    async def _chunked_write(
        self,
        operation_id: str,
        ids: Sequence[Any],
        *,
        param: str = "ids",
        body: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """Send `op` for `ids` in chunks of `op.batch`, one after the other, in order.

        `body=True` sends `{param: [...]}` as JSON instead of a query parameter (then the
        items may be objects, such as `timestamped_ids` entries).
        """
        op = OPERATIONS[operation_id]
        self._deprecated(op, stacklevel=3)
        assert op.batch is not None
        for chunk in _chunks(ids, op.batch):
            if body:
                await self._send(op, params=params, json={param: list(chunk)})
            else:
                await self._send(op, params={**(params or {}), param: list(chunk)})

    # -- argument checks -------------------------------------------------------------------

    @staticmethod
    def _id(value: str, kind: Kind, name: str = "id") -> str:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        return parse_id(value, kind)

    @staticmethod
    def _ids(values: Iterable[str], kind: Kind, name: str = "ids") -> list[str]:
        return parse_ids(values, kind, name=name)

    @staticmethod
    def _uris(
        values: Iterable[str],
        kinds: Iterable[Kind],
        *,
        default: Kind | None = None,
        name: str = "uris",
        local: bool = False,
        allow_empty: bool = False,
    ) -> list[str]:
        if isinstance(values, str | bytes):
            raise TypeError(f"{name} must be a list of URIs, not a single string: use [{values!r}]")
        kind_set = frozenset(kinds)
        result = [
            value
            if local and isinstance(value, str) and value.startswith("spotify:local:")
            else parse_uri(value, kind_set, default=default)
            for value in values
        ]
        if not result and not allow_empty:
            raise ValueError(f"{name} must not be empty")
        return result

    @staticmethod
    def _int(
        value: int, name: str, low: int = 0, high: int | None = None, *, noun: str = "an integer"
    ) -> int:
        """`value` if it is an `int` (not a `bool`) from `low` to `high`.

        Every integer argument is checked here. A `bool`, `float` or anything else raises
        `TypeError`; an integer out of range raises `ValueError`; both name
        `name` and the value. `noun` is how the message calls the value ("an integer").
        """
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an integer, not {value!r}")
        if high is not None:
            if not low <= value <= high:
                what = f"{noun} from" if noun else "from"
                raise ValueError(f"{name} must be {what} {low} to {high}, not {value!r}")
        elif value < low:
            bound = "a non-negative integer" if low == 0 else f"an integer of at least {low}"
            raise ValueError(f"{name} must be {bound}, not {value!r}")
        return value

    @classmethod
    def _limit(cls, operation_id: str, limit: int | None) -> int | None:
        """`limit` checked against the operation's range (1 to 50 where it names none)."""
        if limit is None:
            return None
        low, high = OPERATIONS[operation_id].limit_range or (1, 50)
        return cls._int(limit, "limit", low, high)

    @classmethod
    def _page(cls, operation_id: str, limit: int | None, offset: int | None) -> dict[str, Any]:
        """The checked `limit` and `offset` query parameters of an offset-paged operation.

        Every offset-paged method builds its paging parameters here, so each operation's
        caps always apply: `limit` within its `limit_range` (see `_limit`) and
        `offset` a non-negative integer no larger than its `max_offset`, where Spotify
        documents one. `None` leaves a parameter out (Spotify's default).
        """
        if offset is not None:
            cls._int(offset, "offset")
            maximum = OPERATIONS[operation_id].max_offset
            if maximum is not None and offset > maximum:
                raise ValueError(f"offset must be at most {maximum}, not {offset!r}")
        return {"limit": cls._limit(operation_id, limit), "offset": offset}

    @staticmethod
    def _choices(value: str | Iterable[str], allowed: Collection[str], name: str) -> list[str]:
        """A non-empty list of `allowed` values; one string is taken as a list of one.

        For enumerated choices (`types`, `include_groups`, `additional_types`) a single
        string is unambiguous, unlike ID lists, where `_uris` and `_ids` refuse
        one. Raises `ValueError` naming `name` and the value if it is empty or holds
        anything outside `allowed`, `TypeError` if it is neither a string nor a list.
        """
        if isinstance(value, str):
            chosen = [value]
        elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
            chosen = list(value)
        else:
            raise TypeError(f"{name} must be a string or a list of strings, not {value!r}")
        if not chosen or not all(isinstance(c, str) and c in allowed for c in chosen):
            raise ValueError(f"{name} must be one or more of {sorted(allowed)}, not {value!r}")
        return chosen

    @staticmethod
    def _choice(value: str, allowed: Collection[str], name: str) -> str:
        """`value` if it is one of `allowed` (a single choice, never a list)."""
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"{name} must be one of {sorted(allowed)}, not {value!r}")
        return value

    @classmethod
    def _types(
        cls, additional_types: AdditionalType | Iterable[AdditionalType] | None
    ) -> list[str] | None:
        """`additional_types` checked ('track' and/or 'episode'), `None` left out."""
        if additional_types is None:
            return None
        return cls._choices(additional_types, PLAYABLE, "additional_types")

    @staticmethod
    def _market(market: str | None) -> str | None:
        if market is None or market == "from_token":
            return market
        if not isinstance(market, str) or not _MARKET.fullmatch(market):
            raise ValueError(
                f"market must be an ISO 3166-1 alpha-2 country code such as 'DE' "
                f"or 'from_token', not {market!r}"
            )
        return market

    @staticmethod
    def _text(value: str, name: str) -> str:
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, not {value!r}")
        return value
