"""A nursery whose exception groups never reach the user: `open_nursery`.

Trio's nurseries are strict: whatever leaves one is an `ExceptionGroup`, even a lone
`trio.Cancelled` from an outer `move_on_after`, or the `KeyboardInterrupt` of a Ctrl-C
delivered to one of its tasks. A user's `except trio.Cancelled` / `except KeyboardInterrupt`
misses those. The library's function-local nurseries (chunked reads, concurrent paging)
make their tasks unable to raise `Exception`, so what can leave them is cancellation, or
one `BaseException` with the cancellations it caused in the sibling tasks.

`open_nursery` unwraps such a group, as trio itself does for `as_safe_channel`: a group
whose leaves are all `Cancelled` but at most one other exception is re-raised as that one
exception (or as the first `Cancelled`), the very object with its own traceback and its own
`__context__` — the same trick as trio's `NurseryManager.__aexit__`. Any other group (two
real failures at once) is re-raised unchanged: nothing is ever swallowed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import trio

__all__ = ["open_nursery", "single_exception"]


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            found.extend(_leaves(exc))
        else:
            found.append(exc)
    return found


def single_exception(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The one exception `group` stands for, or `None` if it holds several real failures.

    That is its only leaf that is not a `trio.Cancelled`, or its first `Cancelled` when
    all its leaves are.
    """
    leaves = _leaves(group)
    others = [exc for exc in leaves if not isinstance(exc, trio.Cancelled)]
    if len(others) > 1:
        return None
    return others[0] if others else leaves[0]


@contextlib.asynccontextmanager
async def open_nursery() -> AsyncIterator[trio.Nursery]:
    """`trio.open_nursery()`, delivering a lone `Cancelled` / `KeyboardInterrupt` bare.

    A checkpoint on exit (as a nursery is). Raises what the nursery raised, unwrapped by
    `single_exception` when the group stands for one exception; otherwise the group.
    """
    try:
        async with trio.open_nursery() as nursery:
            yield nursery
    except BaseExceptionGroup as group:
        single = single_exception(group)
        if single is None:
            raise
        context = single.__context__
        try:
            raise single  # its traceback continues from where it was first raised
        finally:
            # Raising inside `except` would chain the group as the context: keep the
            # exception's own context instead.
            single.__context__ = context
            del single, group
