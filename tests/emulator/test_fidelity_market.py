"""The market shapes the emulator's answers as it shapes Spotify's (issue 10, `market`).

Sources: the corrected definition (`tests/data/fixed-spotify-open-api.yml`): `is_playable`
is "part of the response when Track Relinking is applied", i.e. when a market is given;
`market`: "If a country code is specified, only content that is available in that market
will be returned. If a valid user access token is specified in the request header, the
country associated with the user account will take priority over this parameter ... If
neither market or user country are provided, the content is considered unavailable for
the client." That `available_markets` is left out with a market: Spotify sends it so,
undocumented."""

from __future__ import annotations

from typing import Any

import pytest
import trio
from helpers.fidelity import answer, app_token, get

from trio_spotify.testing import SpotifyEmulator
from trio_spotify.testing._api._finish import USER_COUNTRY

MODES = ["extended", "development"]


def make(mode: str = "extended") -> SpotifyEmulator:
    return SpotifyEmulator(clock=trio.current_time, seed=5, mode=mode)  # type: ignore[arg-type]


def restricted_track(e: SpotifyEmulator) -> tuple[str, str, str]:
    """A track, a market it does not play in, and one it plays in."""
    c = e.catalog
    for album in range(c.album_count):
        markets = c.simple_album(album)["available_markets"]
        outside = [m for m in ("JP", "SE", "US", "ZA") if m not in markets]
        if outside and markets:
            return c.id_of(3, c.album_tracks(album)[0]), outside[0], markets[0]
    raise AssertionError("the catalog has no market-restricted album")


async def test_without_a_market_an_app_token_gets_available_markets_and_no_is_playable() -> None:
    e = make()
    track = e.catalog.id_of(3, e.catalog.track_at(4))
    obj = await get(e, f"/tracks/{track}", token=app_token(e))
    assert "is_playable" not in obj
    assert "restrictions" not in obj
    assert isinstance(obj["available_markets"], list)
    assert "available_markets" in obj["album"]


@pytest.mark.parametrize("mode", MODES)
async def test_with_a_market_is_playable_and_no_available_markets(mode: str) -> None:
    e = make(mode)
    track = e.catalog.id_of(3, e.catalog.track_at(4))
    obj = await get(e, f"/tracks/{track}", token=app_token(e), params={"market": "SE"})
    assert "is_playable" in obj
    assert "available_markets" not in obj
    assert "available_markets" not in obj["album"]


async def test_a_user_token_applies_the_users_country() -> None:
    e = make()
    track, _outside, _inside = restricted_track(e)
    obj = await get(e, f"/tracks/{track}")
    assert "available_markets" not in obj
    plays_at_home = (
        USER_COUNTRY
        in e.catalog.track(e.catalog.resolve(track).index)[  # type: ignore[union-attr]
            "available_markets"
        ]
    )
    assert obj["is_playable"] is plays_at_home


@pytest.mark.parametrize("mode", MODES)
async def test_content_outside_the_market_is_unplayable(mode: str) -> None:
    e = make(mode)
    track, outside, inside = restricted_track(e)
    token = app_token(e)
    refused = await get(e, f"/tracks/{track}", token=token, params={"market": outside})
    assert refused["is_playable"] is False
    assert refused["restrictions"] == {"reason": "market"}
    allowed = await get(e, f"/tracks/{track}", token=token, params={"market": inside})
    assert allowed["is_playable"] is True
    assert "restrictions" not in allowed


async def test_episodes_outside_the_market_are_unplayable() -> None:
    e = make()
    episode = e.catalog.id_of(5, e.catalog.show_episodes(0)[0])
    token = app_token(e)
    assert (await get(e, f"/episodes/{episode}", token=token, params={"market": "JP"}))[
        "is_playable"
    ] is False
    assert (await get(e, f"/episodes/{episode}", token=token, params={"market": "SE"}))[
        "is_playable"
    ] is True


@pytest.mark.parametrize(
    ("path", "params", "key"),
    [
        ("/shows/{show}", {}, None),
        ("/episodes/{episode}", {}, None),
        ("/shows", {"ids": "{show}"}, "shows"),
        ("/episodes", {"ids": "{episode}"}, "episodes"),
        ("/audiobooks/{book}", {}, None),
        ("/chapters/{chapter}", {}, None),
    ],
)
async def test_an_app_token_without_market_gets_spoken_content_as_unavailable(
    path: str, params: dict[str, Any], key: str | None
) -> None:
    # The definition: "If neither market or user country are provided, the content is
    # considered unavailable for the client": 404 for one, `null` in a multi-get.
    e = make()
    c = e.catalog
    names = {
        "show": c.id_of(4, 0),
        "episode": c.id_of(5, c.show_episodes(0)[1]),
        "book": c.id_of(6, 0),
        "chapter": c.id_of(7, c.audiobook_chapters(0)[0]),
    }
    url = path.format(**names)
    query = {k: v.format(**names) for k, v in params.items()}
    token = app_token(e)
    response = await answer(e, "GET", url, token=token, params=query)
    if key is None:
        assert response.status_code == 404, response.text
    else:
        assert response.status_code == 200
        assert response.json() == {key: [None]}
    with_market = await answer(e, "GET", url, token=token, params={**query, "market": "SE"})
    assert with_market.status_code == 200
    assert with_market.json() != {key: [None]}


async def test_search_results_are_filtered_to_the_market() -> None:
    e = make()
    token = app_token(e)
    params = {"q": "the", "type": "album", "limit": 10}
    everywhere = (await get(e, "/search", token=token, params=params))["albums"]
    in_jp = (await get(e, "/search", token=token, params={**params, "market": "JP"}))["albums"]
    assert in_jp["total"] < everywhere["total"]
    c = e.catalog
    for album in in_jp["items"]:
        index = c.resolve(album["id"]).index  # type: ignore[union-attr]
        assert "JP" in c.simple_album(index)["available_markets"]
