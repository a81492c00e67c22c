"""The IDs of the catalog's users, shaped like Spotify's, and the way back to the user.

Spotify user IDs are not base-62 object IDs: they are account names, and the accounts of
each era look different (protocol.md, "IDs"; the definition's examples `smedjan`,
`wizzler`): a chosen username of lowercase letters and digits (older accounts), 25 to 28
random lowercase letters and digits (accounts made since about 2018,
`31l77y75hfnhk7xgpdwzrheuglka`), or a number (accounts made through Facebook,
`12168979441`). The catalog's users are drawn from those three shapes — mostly the first
two, one in four numeric — so that a client which checks user IDs locally (`[a-z0-9]+`,
or digits) can follow, unfollow and look up every one of them. Each ID is a pure function
of the catalog's seed and the user's index; `user_index` finds the index again.
"""

from __future__ import annotations

import random
import string
import weakref
from collections.abc import Callable

__all__ = ["make_user_id", "user_index"]

_ALPHABET = string.ascii_lowercase + string.digits


def make_user_id(rng: random.Random, index: int, first: str, last: str) -> str:
    """The ID of catalog user `index`, drawn from `rng` (seeded for that user), whose name
    is `first last`. Unique per index: each shape carries the index at a fixed place."""
    shape = index % 4
    if shape == 3:  # a Facebook-era numeric ID
        return f"1{index:04d}{rng.randrange(10**6):06d}"
    if shape == 1:  # a generated ID: "31", the index in base 36, random letters and digits
        tag = _base36(index).rjust(4, "0")
        return "31" + tag + "".join(rng.choice(_ALPHABET) for _ in range(22))
    # A chosen username: the letters of the name, then the index (lowercase, no dots).
    name = "".join(c for c in (first + last).lower() if c in string.ascii_lowercase)
    return f"{name[:18] or 'user'}{index}"


def _base36(n: int) -> str:
    digits = string.digits + string.ascii_lowercase
    text = ""
    while True:
        n, rest = divmod(n, 36)
        text = digits[rest] + text
        if n == 0:
            return text


_INDEXES: weakref.WeakKeyDictionary[object, dict[str, int]] = weakref.WeakKeyDictionary()


def user_index(
    owner: object, count: int, user_id_of: Callable[[int], str], user_id: str
) -> int | None:
    """The index of `user_id` among the `count` users of `owner` (a catalog, whose
    `user_id_of(index)` gives each ID), `None` when it is none of them. The table of IDs is
    built once per catalog."""
    table = _INDEXES.get(owner)
    if table is None:
        table = {user_id_of(i): i for i in range(count)}
        _INDEXES[owner] = table
    return table.get(user_id)
