"""`crawl --shard K/N`: which targets belong to one of N processes sharing a crawl.

Shards are numbered from 1: `--shard 1/4`, `2/4`, `3/4` and `4/4` together are the whole
crawl. A target belongs to shard `1 + h(key) mod N`, where `h` is the first 8 bytes of
the BLAKE2b digest of the key's UTF-8 bytes, read big-endian: the same in every process,
on every machine and in every run (Python's `hash` of a string is salted per process, so
it is not used). The key is what the crawl starts from:

- `artist`, `playlist`: the target's ID (a whole discography or playlist stays in the
  shard of its artist or playlist);
- `tracks|albums|... --from FILE`: each ID read from the file (every process reads the
  whole file and keeps its own IDs);
- `search`: `"<type>:<query>"`, one per query and type.

`library` and `followed` are one paged list of the signed-in user: there is nothing to
split, so `--shard` is refused for them.
"""

from __future__ import annotations

import hashlib

import attrs

__all__ = ["UNSHARDABLE", "Shard", "parse_shard", "shard_of"]

#: Crawl kinds whose work is one paged list: `--shard` is refused for them.
UNSHARDABLE = frozenset({"library", "followed"})


def shard_of(key: str, count: int) -> int:
    """The shard (1 to `count`) that `key` belongs to; stable across processes and runs."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return 1 + int.from_bytes(digest, "big") % count


@attrs.frozen
class Shard:
    """Shard `index` of `count` (1-based: `Shard(1, 4)` to `Shard(4, 4)`)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, key: str) -> bool:
        """Whether the target `key` is this shard's."""
        return self.count == 1 or shard_of(key, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """`"K/N"` as a `Shard`; raises `ValueError` with a message naming the problem."""
    index_text, slash, count_text = text.partition("/")
    try:
        index, count = int(index_text), int(count_text)
    except ValueError:
        index = count = 0
        slash = ""
    if not slash:
        raise ValueError(f"{text!r} is not K/N (shard K of N, e.g. 1/4)")
    if count < 1:
        raise ValueError(f"{text!r}: the number of shards must be at least 1")
    if not 1 <= index <= count:
        raise ValueError(
            f"{text!r}: shards are numbered from 1 to {count} (1/{count} ... {count}/{count})"
        )
    return Shard(index, count)
