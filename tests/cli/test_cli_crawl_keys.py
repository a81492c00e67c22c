"""The crawl's output after the emulator learnt Spotify's keys and nulls: only keys added.

`tests/data/crawl-keys-before.json` holds the key paths of every record kind of
`trio-spotify crawl --emulator artist 51SG1w5kGAlDpHxZXETc2o`, as the emulator answered
before its fidelity work (commit 55438cf). The same crawl now must write the same records,
and each kind's key paths must be a superset of the earlier ones — except `available_markets`,
which Spotify leaves out of an answer where a market applies (Spotify's track-relinking
documentation, which the definition's `is_playable` points to; not stated in the definition
itself): the crawl's user token has a country, so it is the one key allowed to go.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trio_spotify._cli import main

BEFORE = json.loads((Path(__file__).parents[1] / "data" / "crawl-keys-before.json").read_text())
#: The one key a market removes, wherever it stands.
MARKET_ONLY = "available_markets"


def key_paths(value: Any, prefix: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path, *key_paths(inner, path)}
    elif isinstance(value, list):
        for inner in value:
            found |= key_paths(inner, prefix + "[]")
    return found


def test_the_crawl_writes_the_same_records_with_only_keys_added(tmp_path: Path) -> None:
    out = tmp_path / "discography.jsonl"
    code = main(["crawl", "--emulator", "artist", "51SG1w5kGAlDpHxZXETc2o", "-o", str(out)])
    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == BEFORE["records"]
    now: dict[str, set[str]] = {}
    for record in records:
        now.setdefault(record["kind"], set()).update(key_paths(record["data"]))
    assert set(now) == set(BEFORE["key_paths"])
    for kind, before in BEFORE["key_paths"].items():
        removed = set(before) - now[kind]
        assert all(path.rpartition(".")[2] == MARKET_ONLY for path in removed), (kind, removed)
