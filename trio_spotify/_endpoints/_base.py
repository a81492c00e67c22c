"""What every endpoint group shares: sending an operation, chunking ID lists, deprecation.

An endpoint method does three things, always in this order:

1. check its arguments with the functions of `_checks.py` and turn IDs/URIs/URLs into
   what the request needs — a mistake raises `ValueError` (or `TypeError`) naming the bad
   value, before anything is sent;
2. send its operation through one of three helpers of `Group`, each of which first warns
   with `DeprecationWarning` if Spotify deprecated the operation (pointing at the first
   line outside this package, whatever the depth of the call inside it):
   `Group._call` for one request, `Group._chunked_read` and `Group._chunked_write` for
   ID lists longer than Spotify accepts in one request;
3. each request goes through the group's sender (the handler: limiter, token, retries live
   there) via `Group._send`, which turns a 403 on a token lacking the operation's scopes
   into `MissingScopeError`.

Chunked reads go out concurrently in a function-local nursery — each request still waits
for the client's limiter — and are merged in input order. The nursery's tasks cannot raise:
the first failure is kept, the others are cancelled, and that failure is raised as itself
after the nursery closed, so no `ExceptionGroup` reaches the caller. Chunked writes go out
one after the other, in order.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeGuard, TypeVar, cast

from .._errors import ForbiddenError, MissingScopeError, ResponseDecodeError
from .._handler import Sender
from .._nursery import open_nursery
from .._operations import OPERATIONS, Operation
from .._request import format_path
from ._checks import check_page

__all__ = ["JSON", "Group", "gather_in_order", "is_list", "warn_if_deprecated"]

#: A decoded JSON object as Spotify sent it.
JSON = dict[str, Any]

T = TypeVar("T")

#: The package whose frames a deprecation warning skips: `trio_spotify`.
_PACKAGE = __name__.partition(".")[0]


def _inside_package(module: object) -> bool:
    return isinstance(module, str) and (module == _PACKAGE or module.startswith(_PACKAGE + "."))


def warn_if_deprecated(op: Operation) -> None:
    """Warn with `DeprecationWarning` if Spotify deprecated `op`, naming its replacement.

    The warning points at the first frame outside the `trio_spotify` package — the
    caller's line, however many frames of the package lie between — as
    `warnings.warn(skip_file_prefixes=...)` does on Python 3.12+.
    """
    if not op.deprecated:
        return
    text = f"Spotify deprecated {op.method} {op.path} ({op.operation_id})"
    if op.replacement:
        text += f"; use {op.replacement} instead"
    else:
        text += "; it is unavailable to new and development-mode apps and has no replacement"
    frame = sys._getframe(1)  # pyright: ignore[reportPrivateUsage]
    while frame.f_back is not None and _inside_package(frame.f_globals.get("__name__")):
        frame = frame.f_back
    module_globals = frame.f_globals
    warnings.warn_explicit(
        text,
        DeprecationWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=module_globals.get("__name__", "<string>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
        module_globals=module_globals,
    )


async def gather_in_order(thunks: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run `thunks` concurrently and return their results in order.

    A checkpoint. If one raises, the others are cancelled and that exception is raised
    itself (the first one to fail, if several do), never wrapped in an `ExceptionGroup`.
    `trio.Cancelled` and other `BaseException`s (`KeyboardInterrupt`) are not caught, and
    come out bare too.
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

    async with open_nursery() as nursery:  # a lone Cancelled/KeyboardInterrupt comes out bare
        for index, thunk in enumerate(thunks):
            nursery.start_soon(run, index, thunk)
    if failure is not None:
        raise failure
    return results


def is_list(value: object) -> TypeGuard[list[Any]]:
    """Whether a decoded answer is a JSON array (a `list[Any]` to type checkers)."""
    return isinstance(value, list)


def _get(answer: Any, key: str) -> Any:
    return cast(dict[str, Any], answer).get(key) if isinstance(answer, dict) else None


def _chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Group:
    """Base class of `spotify.albums`, `spotify.tracks`, ...: holds the sender (the handler).

    What every endpoint method does and raises:

    - its arguments are checked before anything is sent (see `_checks.py`): a malformed
      ID or URI, one of another kind, an empty ID list, an integer out of range (`limit`
      and `offset` against the operation's caps), a choice outside the allowed set, a bad
      market code or a cover image over 256 KB raise `ValueError` naming the parameter or
      value; a value of the wrong type (a `float` or `bool` where an integer belongs, a
      single string where a list of IDs belongs) `TypeError`;
    - a deprecated operation (unavailable to development-mode apps) emits a
      `DeprecationWarning` that names its replacement, where there is one;
    - Spotify's error answers raise the `SpotifyAPIError` subclasses, and a 403 on an
      endpoint whose scopes the token lacks raises `MissingScopeError`; transport failures
      raise `NetworkError` (see `Spotify.request`);
    - list arguments of any length are split to Spotify's batch limit; reads go out
      concurrently and come back in input order (`None` kept for unknown IDs), writes go
      out in order; if a chunk fails, its own exception is raised (never a group).

    Every method is a checkpoint and takes no `timeout`: deadlines belong to the caller.
    """

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    def __repr__(self) -> str:
        return f"<trio_spotify {type(self).__name__.lower()} endpoints>"

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
        """Send `op` once. A checkpoint; 403 with a token lacking scopes → `MissingScopeError`."""
        path = format_path(op.path, **segments) if segments else op.path
        try:
            return await self._sender.request(
                op.method, path, params=params, json=json, content=content, headers=headers
            )
        except ForbiddenError as exc:
            if not op.scopes:
                raise
            granted = self._sender.granted_scopes
            # Spotify answered, so the request carried a token; the handler raises plain
            # ForbiddenError (MissingScopeError is made only here).
            assert granted is not None
            missing = op.missing_scopes(granted)
            if not missing:
                raise
            raise MissingScopeError(
                exc.message,
                exc.status,
                exc.reason,
                exc.method,
                exc.url,
                op.all_scopes,
                granted,
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
        """Warn if deprecated, then send the operation once. A checkpoint.

        `page=(limit, offset)` adds the operation's checked paging parameters (see
        `check_page`) to `params`. Typed as returning a JSON object, which nearly every
        operation does; each method states its precise answer (a `trio_spotify.types`
        `TypedDict`, `None`, a list) and `typing.cast`s the dict to it, which costs nothing:
        the answer stays the dict Spotify sent.
        """
        op = OPERATIONS[operation_id]
        if page is not None:
            params = {**(params or {}), **check_page(operation_id, *page)}
        warn_if_deprecated(op)
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
        """Warn if deprecated, then GET `ids` (already checked) in chunks of the operation's
        `batch`, concurrently. A checkpoint.

        Each answer is `{key: [...]}` (or a bare list when `key` is `None`); the lists
        are joined in input order, `None` entries kept. An answer with another number of
        results than IDs raises `ResponseDecodeError`.
        """
        op = OPERATIONS[operation_id]
        warn_if_deprecated(op)
        assert op.batch is not None

        def thunk(chunk: Sequence[str]) -> Callable[[], Awaitable[list[Any]]]:
            async def fetch() -> list[Any]:
                answer = await self._send(
                    op, segments=segments, params={**(params or {}), param: list(chunk)}
                )
                found = answer if key is None else _get(answer, key)
                results = found if is_list(found) else None
                if results is None or len(results) != len(chunk):
                    raise ResponseDecodeError(
                        f"{op.operation_id}: Spotify answered {len(chunk)} IDs with "
                        f"{'no' if results is None else len(results)} results",
                        200,
                        "",
                    )
                return results

            return fetch

        parts = await gather_in_order([thunk(chunk) for chunk in _chunks(ids, op.batch)])
        return [item for part in parts for item in part]

    async def _chunked_write(
        self,
        operation_id: str,
        items: Sequence[Any],
        *,
        param: str = "ids",
        body: bool = False,
        build: Callable[[Sequence[Any], Any], Any] | None = None,
        params: Mapping[str, Any] | None = None,
        segments: Mapping[str, str] | None = None,
        warn: bool = True,
    ) -> Any:
        """Warn if deprecated, then send `items` in chunks of the operation's `batch`, one
        after the other, in order; return the last answer. A checkpoint.

        Each chunk goes in the query parameter `param`; with `body=True` as the JSON body
        `{param: [...]}` instead (then the items may be objects, such as `timestamped_ids`
        entries); with `build`, as the JSON body `build(chunk, previous answer)` (`None`
        before the first), for bodies that carry more than the list. `warn=False` when the
        items continue a request whose own operation already warned.
        """
        op = OPERATIONS[operation_id]
        if warn:
            warn_if_deprecated(op)
        assert op.batch is not None
        answer: Any = None
        for chunk in _chunks(items, op.batch):
            if build is not None:
                answer = await self._send(
                    op, segments=segments, params=params, json=build(chunk, answer)
                )
            elif body:
                answer = await self._send(
                    op, segments=segments, params=params, json={param: list(chunk)}
                )
            else:
                answer = await self._send(
                    op, segments=segments, params={**(params or {}), param: list(chunk)}
                )
        return answer
