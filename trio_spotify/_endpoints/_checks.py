"""The argument checks of the endpoint methods: plain functions, one per kind of argument.

Every endpoint method checks its arguments here before anything is sent, so that a mistake
raises at the call, naming the parameter and the value:

- `ValueError` for a value of the right type that Spotify would refuse: a malformed ID or
  URI, one of another kind, an empty list, an integer out of range (`limit` and `offset`
  against the operation's row of the table, see `check_page`), a choice outside the
  allowed set, a bad market code, an empty string;
- `TypeError` for a value of the wrong type: a `float` or `bool` where an integer belongs,
  a single string where a list of IDs belongs.

Each check returns the value in the form the request needs (a bare ID, a `spotify:` URI,
a list), so a method reads `album_id = check_id(id, "album")`.
"""

# The checks test at run time what the annotations promise (for callers without a type
# checker): pyright's strict mode would call those isinstance calls needless.
# pyright: reportUnnecessaryIsInstance=false

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal

from .._ids import Kind, parse_id, parse_ids, parse_uri
from .._operations import OPERATIONS

__all__ = [
    "CONTEXTS",
    "PLAYABLE",
    "AdditionalType",
    "check_choice",
    "check_flag",
    "check_choices",
    "check_id",
    "check_ids",
    "check_int",
    "check_limit",
    "check_market",
    "check_page",
    "check_text",
    "check_types",
    "check_uris",
]

#: What a playlist holds and the player plays: the kinds `additional_types` may name.
PLAYABLE: tuple[Kind, ...] = ("track", "episode")
AdditionalType = Literal["track", "episode"]
#: What `player.play(context_uri=...)` accepts.
CONTEXTS: tuple[Kind, ...] = ("album", "artist", "playlist", "show", "audiobook")

_MARKET = re.compile(r"[A-Z]{2}")


def check_id(value: str, kind: Kind, name: str = "id") -> str:
    """The bare ID of `value` (an ID, URI or URL of `kind`)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return parse_id(value, kind)


def check_ids(values: Iterable[str], kind: Kind, name: str = "ids") -> list[str]:
    """The bare IDs of `values`, a non-empty list (never a single string)."""
    return parse_ids(values, kind, name=name)


def check_uris(
    values: Iterable[str],
    kinds: Iterable[Kind],
    *,
    default: Kind | None = None,
    name: str = "uris",
    local: bool = False,
    allow_empty: bool = False,
) -> list[str]:
    """`values` as `spotify:` URIs of one of `kinds`.

    A bare ID is taken as `default` (refused without one); `local=True` lets local files'
    `spotify:local:…` URIs through unchanged; the list must not be empty unless
    `allow_empty`.
    """
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


def check_int(
    value: int, name: str, low: int = 0, high: int | None = None, *, noun: str = "an integer"
) -> int:
    """`value` if it is an `int` (not a `bool`) from `low` to `high`.

    Every integer argument is checked here. A `bool`, `float` or anything else raises
    `TypeError`; an integer out of range raises `ValueError`; both name `name` and the
    value. `noun` is how the message calls the value ("an integer").
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


def check_limit(operation_id: str, limit: int | None) -> int | None:
    """`limit` checked against the operation's `limit_range` (1 to 50 where it names none)."""
    if limit is None:
        return None
    low, high = OPERATIONS[operation_id].limit_range or (1, 50)
    return check_int(limit, "limit", low, high)


def check_page(operation_id: str, limit: int | None, offset: int | None) -> dict[str, Any]:
    """The checked `limit` and `offset` query parameters of an offset-paged operation.

    Every offset-paged method builds its paging parameters here, so each operation's caps
    always apply: `limit` within its `limit_range` (see `check_limit`) and `offset` a
    non-negative integer no larger than its `max_offset`, where Spotify documents one. The
    row is read at each call. `None` leaves a parameter out (Spotify's default).
    """
    if offset is not None:
        check_int(offset, "offset")
        maximum = OPERATIONS[operation_id].max_offset
        if maximum is not None and offset > maximum:
            raise ValueError(f"offset must be at most {maximum}, not {offset!r}")
    return {"limit": check_limit(operation_id, limit), "offset": offset}


def check_choices(value: str | Iterable[str], allowed: Collection[str], name: str) -> list[str]:
    """A non-empty list of `allowed` values; one string is taken as a list of one.

    For enumerated choices (`types`, `include_groups`, `additional_types`) a single string
    is unambiguous, unlike ID lists, where `check_uris` and `check_ids` refuse one. Raises
    `ValueError` naming `name` and the value if it is empty or holds anything outside
    `allowed`, `TypeError` if it is neither a string nor a list.
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


def check_choice(value: str, allowed: Collection[str], name: str) -> str:
    """`value` if it is one of `allowed` (a single choice, never a list)."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, not {value!r}")
    return value


def check_types(
    additional_types: AdditionalType | Iterable[AdditionalType] | None,
) -> list[str] | None:
    """`additional_types` checked (`"track"` and/or `"episode"`), `None` left out."""
    if additional_types is None:
        return None
    return check_choices(additional_types, PLAYABLE, "additional_types")


def check_market(market: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 country code, `"from_token"`, or `None` (left out)."""
    if market is None or market == "from_token":
        return market
    if not isinstance(market, str) or not _MARKET.fullmatch(market):
        raise ValueError(
            f"market must be an ISO 3166-1 alpha-2 country code such as 'DE' "
            f"or 'from_token', not {market!r}"
        )
    return market


def check_flag(value: bool | None, name: str) -> bool | None:
    """`value` if it is `True`, `False` or `None` (left out); `TypeError` otherwise.

    A flag goes into a JSON body as it is, so anything else (`{}`, `1`, `"false"`) would be
    sent to Spotify with a meaning nobody chose.
    """
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{name} must be True, False or None, not {value!r}")
    return value


def check_text(value: str, name: str) -> str:
    """`value` if it is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, not {value!r}")
    return value
