"""The random draws the catalog makes its objects of (`_catalog.py`): images, dates,
titles, an album's markets and its release date's precision.

Each takes the `random.Random` of the object it draws for; the catalog keeps one per
object, so a draw added here must come from a Random of its own (as `album_markets` and
`release` do) or every later value of the object would change.
"""

from __future__ import annotations

import random
from typing import Any

from ._vocabulary import ADJECTIVES, MARKETS, NOUNS

__all__ = ["album_markets", "random_date", "random_images", "random_title", "release"]


def random_images(rng: random.Random, key: str) -> list[dict[str, Any]]:
    return [
        {"url": f"https://i.scdn.co/image/{key}{size}", "height": size, "width": size}
        for size in (640, 300, 64)
    ]


def album_markets(own: random.Random, rng: random.Random) -> list[str]:
    """An album's markets: every market for four albums in five, a few for the others
    (drawn from `own`, so that `rng`, which draws the album's other values, is unchanged)."""
    rng.randint(3, 8)  # the draw the album's markets once took: names stay as they were
    if own.random() < 0.8:
        return list(MARKETS)
    return sorted(own.sample(MARKETS, own.randint(3, 8)))


def release(own: random.Random, date: str) -> dict[str, str]:
    """An album's `release_date` and its precision: a day for most albums, only the year
    (`"1981"`) or the month (`"1981-12"`) for one in ten each, as Spotify has old albums."""
    draw = own.random()
    if draw < 0.1:
        return {"release_date": date[:4], "release_date_precision": "year"}
    if draw < 0.2:
        return {"release_date": date[:7], "release_date_precision": "month"}
    return {"release_date": date, "release_date_precision": "day"}


def random_date(rng: random.Random, start: int = 1965, end: int = 2026) -> str:
    return f"{rng.randint(start, end)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def random_title(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
