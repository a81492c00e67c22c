"""The emulator takes the requests Spotify takes, and honours their parameters as Spotify
does (issue 10, "the requests" half). Each test names its source: the corrected definition
(tests/data/fixed-spotify-open-api.yml), shared/spotify/protocol.md, an RFC, or what a
widely used client sends (and Spotify accepts).

Raw httpx clients talk to the emulator in-process, so that nothing of trio_spotify's own
behaviour (redirects, retries, ID checks) stands between the test and the answer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import trio
import yaml
from helpers.emulator import REDIRECT, authorize, basic, bearer, query_of, raw_client

from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import SpotifyEmulator, open_emulator_client
from trio_spotify.testing._call import FIXED_LIMITS

FIXED = Path(__file__).parent.parent / "data" / "fixed-spotify-open-api.yml"


def make(**kwargs: Any) -> SpotifyEmulator:
    return SpotifyEmulator(clock=trio.current_time, seed=7, **kwargs)


def catalog_playlist(emulator: SpotifyEmulator, index: int = 2) -> str:
    # Catalog playlist lengths cycle through (2500, 480, 120, 50, ...): index 2 has 120.
    return emulator.catalog.id_of(8, index)


# -- fields ---------------------------------------------------------------------------------------


async def test_fields_filters_a_playlist() -> None:
    # Definition, get-playlist `fields`: "to get just the playlist's description and URI:
    # fields=description,uri"; "fields=tracks.items(added_at,added_by.id)".
    emulator = make()
    playlist = catalog_playlist(emulator)
    async with raw_client(emulator) as client:
        headers = bearer(emulator.issue_access_token())
        url = f"/v1/playlists/{playlist}"
        plain = (await client.get(url, headers=headers)).json()
        small = await client.get(url, params={"fields": "description,uri"}, headers=headers)
        assert small.status_code == 200
        assert small.json() == {"description": plain["description"], "uri": plain["uri"]}
        nested = await client.get(
            url, params={"fields": "tracks.items(added_at,added_by.id)"}, headers=headers
        )
        entries = nested.json()["tracks"]["items"]
        assert set(nested.json()) == {"tracks"}
        assert set(nested.json()["tracks"]) == {"items"}
        assert len(entries) == 100
        assert all(
            set(e) == {"added_at", "added_by"} and set(e["added_by"]) == {"id"} for e in entries
        )
        without = await client.get(url, params={"fields": "!tracks,items"}, headers=headers)
        assert set(without.json()) == set(plain) - {"tracks", "items"}


@pytest.mark.parametrize("endpoint", ["items", "tracks"])
async def test_fields_filters_the_items_of_a_playlist(endpoint: str) -> None:
    # Definition, get-playlists-items `fields`: "fields=total,limit";
    # "fields=items(track(name,href,album(name,href)))";
    # "fields=items.track.album(!external_urls,images)".
    emulator = make()
    playlist = catalog_playlist(emulator)
    async with raw_client(emulator) as client:
        headers = bearer(emulator.issue_access_token())
        url = f"/v1/playlists/{playlist}/{endpoint}"

        async def get(fields: str, **params: Any) -> Any:
            response = await client.get(url, params={"fields": fields, **params}, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        assert await get("total,limit") == {"total": 120, "limit": 20}
        drilled = await get("items(track(name,href,album(name,href)))")
        assert len(drilled["items"]) == 20
        for entry in drilled["items"]:
            assert set(entry) == {"track"}
            assert set(entry["track"]) == {"name", "href", "album"}
            assert set(entry["track"]["album"]) == {"name", "href"}
        excluded = await get("items.track.album(!external_urls,images)")
        album = excluded["items"][0]["track"]["album"]
        assert "external_urls" not in album
        assert "images" not in album
        assert {"name", "id", "release_date"} <= set(album)
        # The next link keeps the filter, as Spotify's links keep the query.
        paged = await get("items(added_at),next", limit=7)
        assert set(paged) == {"items", "next"}
        assert "fields=" in paged["next"]
        assert "offset=7" in paged["next"]


@pytest.mark.parametrize("fields", ["items(", "items)", "total,", "items(track(name)", "to tal"])
@pytest.mark.parametrize("endpoint", ["", "/items", "/tracks"])
async def test_a_malformed_fields_filter_is_a_400(fields: str, endpoint: str) -> None:
    # Spotify answers a malformed request with its error object (protocol.md §3/§4); the
    # message for a bad `fields` is undocumented.
    emulator = make()
    async with raw_client(emulator) as client:
        response = await client.get(
            f"/v1/playlists/{catalog_playlist(emulator)}{endpoint}",
            params={"fields": fields},
            headers=bearer(emulator.issue_access_token()),
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert "fields" in error["message"]


# -- limit ----------------------------------------------------------------------------------------


def _fixed_limit_ranges() -> dict[str, tuple[int, int]]:
    """operationId -> the `limit` range of the corrected definition: its "Minimum: x.
    Maximum: y." text, else the schema's bounds (the same rule as the table's spec test)."""
    spec = yaml.safe_load(FIXED.read_text())

    def deref(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    ranges = {}
    for item in spec["paths"].values():
        for op in item.values():
            for param in map(deref, op.get("parameters", [])):
                if param["name"] != "limit":
                    continue
                schema = deref(param["schema"])
                text = f"{param.get('description', '')} {schema.get('description', '')}"
                low = re.findall(r"Minimum: (\d+)", text) or [schema["minimum"]]
                high = re.findall(r"Maximum: (\d+)", text) or [schema["maximum"]]
                ranges[op["operationId"]] = (int(low[0]), int(high[0]))
    return ranges


def test_the_emulators_limit_ranges_are_the_corrected_definitions() -> None:
    # Where the official and the corrected definitions disagree, the emulator follows the
    # corrected one (docs/testing.md says so): search 1..10 (official 0..10), the
    # deprecated /playlists/{id}/tracks 1..100 (official 1..50); /items is 1..50 in both.
    fixed = _fixed_limit_ranges()
    ours = {
        op.operation_id: FIXED_LIMITS.get(op.operation_id, op.limit_range)
        for op in OPERATIONS.values()
        if op.limit_range is not None
    }
    # The corrected definition splits /me/top/{type} in two; the table has one operation.
    top = fixed.pop("get-users-top-artists")
    assert fixed.pop("get-users-top-tracks") == top
    fixed["get-users-top-artists-and-tracks"] = top
    assert ours == fixed
    assert {k: v for k, v in ours.items() if v != OPERATIONS[k].limit_range} == FIXED_LIMITS
    assert fixed["get-playlists-items"] == (1, 50)


async def test_search_limit_0_is_a_400_not_a_page_linking_to_itself() -> None:
    # Corrected definition, search `limit`: minimum 1. With limit=0 a page's `next` was its
    # own `href`, and a client following `next` never stopped.
    emulator = make()
    async with raw_client(emulator) as client:
        headers = bearer(emulator.issue_access_token())
        params = {"q": "a", "type": "track"}
        zero = await client.get("/v1/search", params={**params, "limit": 0}, headers=headers)
        assert zero.status_code == 400
        assert zero.json()["error"]["status"] == 400
        one = await client.get("/v1/search", params={**params, "limit": 1}, headers=headers)
        page = one.json()["tracks"]
        assert one.status_code == 200
        assert page["next"] != page["href"]


async def test_playlist_item_limits_follow_the_corrected_definition() -> None:
    emulator = make()
    playlist = catalog_playlist(emulator, 0)  # 2500 items
    async with raw_client(emulator) as client:
        headers = bearer(emulator.issue_access_token())

        async def status(endpoint: str, limit: int) -> int:
            url = f"/v1/playlists/{playlist}/{endpoint}"
            response = await client.get(url, params={"limit": limit}, headers=headers)
            return response.status_code

        assert (await status("items", 50), await status("items", 51)) == (200, 400)
        assert (await status("tracks", 100), await status("tracks", 101)) == (200, 400)
        # The page a playlist embeds links to limits its endpoints accept.
        full = (await client.get(f"/v1/playlists/{playlist}", headers=headers)).json()
        for key in ("items", "tracks"):
            following = await client.get(full[key]["next"], headers=headers)
            assert following.status_code == 200, (key, following.text)
            assert following.json()["offset"] == 100, key


# -- requests Spotify accepts ---------------------------------------------------------------------


async def test_a_trailing_slash_is_answered_as_without_it() -> None:
    # Spotify answers `GET /v1/me/` like `GET /v1/me`; a 307 redirect (Starlette's default)
    # is an empty answer to a client that does not follow redirects (httpx's default).
    emulator = make()
    track = emulator.catalog.id_of(3, emulator.catalog.track_at(5))
    async with raw_client(emulator) as client:
        assert client.follow_redirects is False
        headers = bearer(emulator.issue_access_token())
        me = await client.get("/v1/me/", headers=headers)
        assert me.status_code == 200
        assert me.json() == (await client.get("/v1/me", headers=headers)).json()
        tracks = await client.get("/v1/tracks/", params={"ids": track}, headers=headers)
        assert tracks.status_code == 200
        assert [t["id"] for t in tracks.json()["tracks"]] == [track]
        unknown = await client.get("/v1/nowhere/", headers=headers)
        assert unknown.status_code == 404


@pytest.mark.parametrize("endpoint", ["tracks", "items"])
async def test_a_bare_array_of_uris_adds_items_like_uris(endpoint: str) -> None:
    # spotipy's playlist_add_items posts the list of URIs itself as the JSON body (and the
    # position in the query); Spotify adds them: 201 with a snapshot_id.
    emulator = make()
    c = emulator.catalog
    uris = [f"spotify:track:{c.id_of(3, c.track_at(n))}" for n in (1, 2, 3)]
    mine = emulator.owned_playlists(emulator.user(emulator.user_id).user_id)[0]
    async with raw_client(emulator) as client:
        headers = bearer(emulator.issue_access_token())
        url = f"/v1/playlists/{mine}/{endpoint}"
        before = len(emulator.playlist(mine).entries)  # type: ignore[union-attr]
        added = await client.post(url, json=uris[:2], headers=headers)
        assert added.status_code == 201, added.text
        assert set(added.json()) == {"snapshot_id"}
        first = await client.post(url, params={"position": 0}, json=uris[2:], headers=headers)
        assert first.status_code == 201
        entries = emulator.playlist(mine).entries  # type: ignore[union-attr]
        assert len(entries) == before + 3
        assert entries[0].uri == uris[2]
        assert [e.uri for e in entries[-2:]] == uris[:2]
        wrong = await client.post(url, json=[1, 2], headers=headers)
        assert wrong.status_code == 400


def test_catalog_user_ids_look_like_spotifys() -> None:
    # protocol.md (IDs): user IDs are account names — usernames and generated IDs of
    # lowercase letters and digits, numeric ones for Facebook-era accounts.
    emulator = make()
    c = emulator.catalog
    user_ids = [c.user_id(i) for i in range(c.size.users)]
    assert len(set(user_ids)) == len(user_ids)
    assert all(re.fullmatch(r"[a-z0-9]+", u) for u in user_ids), user_ids
    numeric = [u for u in user_ids if u.isdigit()]
    assert 0 < len(numeric) < len(user_ids) / 2
    assert [c.user_index(u) for u in user_ids] == list(range(c.size.users))
    assert c.user_index("nobody") is None
    assert SpotifyEmulator(seed=7).catalog.user_id(5) == user_ids[5]  # deterministic


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # following users is deprecated
async def test_a_client_checking_ids_locally_follows_and_unfollows_catalog_users() -> None:
    # trio_spotify's own check (`_ids.py`: user IDs are free-form) accepts them, and the
    # emulator follows them: every shape, through the public API.
    emulator = make()
    users = [emulator.catalog.user_id(i) for i in range(4)]
    async with open_emulator_client(emulator) as spotify:
        assert all(re.fullmatch(r"[a-z0-9]+", u) for u in users)  # a stricter local check
        await spotify.users.follow(users)
        assert await spotify.users.is_following(users) == [True] * 4
        await spotify.users.unfollow(users[:2])
        assert await spotify.users.is_following(users) == [False, False, True, True]
        profile = await spotify.users.get(users[3])
        assert profile["id"] == users[3]


# -- authentication -------------------------------------------------------------------------------


async def test_401_answers_carry_a_bearer_challenge() -> None:
    # RFC 6750 §3: a 401 of a bearer-token resource carries `WWW-Authenticate: Bearer`,
    # with `error="invalid_token"` when the token was given but is not valid (§3.1), and
    # no error code when the request had no token.
    emulator = make()
    async with raw_client(emulator) as client:
        missing = await client.get("/v1/me")
        unknown = await client.get("/v1/me", headers=bearer("not-a-token"))
        app = await client.get("/v1/me", headers=bearer(emulator.issue_access_token(user_id="")))
        token = emulator.issue_access_token()
        emulator.faults.fail_next(401)
        injected = await client.get("/v1/me", headers=bearer(token))
        emulator.expire_access_tokens()
        expired = await client.get("/v1/me", headers=bearer(token))
    for response in (missing, unknown, app, injected, expired):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith('Bearer realm="spotify"')
    assert "error=" not in missing.headers["www-authenticate"]
    assert 'error="invalid_token"' in unknown.headers["www-authenticate"]
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}


async def test_token_type_is_bearer_in_every_token_answer() -> None:
    # protocol.md §2: `token_type` is "Bearer" for every grant (the client-credentials
    # doc example's lowercase "bearer" is not what Spotify sends).
    emulator = make()
    secret = basic(emulator.client_id, emulator.client_secret)
    async with raw_client(emulator) as client:
        app = await client.post(
            "/api/token", data={"grant_type": "client_credentials"}, headers=secret
        )
        code = query_of((await authorize(client, emulator)).headers["location"])["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        user = await client.post("/api/token", data=form, headers=secret)
        refresh = {"grant_type": "refresh_token", "refresh_token": user.json()["refresh_token"]}
        renewed = await client.post("/api/token", data=refresh, headers=secret)
    for response in (app, user, renewed):
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "Bearer"
