"""One worker process of the multi-process Redis tests: `python worker.py '<json config>'`.

The config says which emulator (`base_url`, `client_id`, `client_secret`), which Redis
(`redis_url`, `namespace`, `lock_timeout`) and what to do (`mode`). Test control goes
through Redis keys under `<namespace>:test:`:

- `burst`: one request (the token comes from Redis), then `INCR ready`; wait for `go`; then
  `requests` concurrent requests. Prints `{"ok": n, "renewals": r}`.
- `rounds`: as a signed-in user (`refresh_token` given); after `ready`, for each new value
  of `round`, `requests` concurrent requests, then `INCR done:<round>`; until `round` is
  `stop`. Prints `{"ok": n, "renewals": r}`.
- `hang`: a renewer sharing the app token's identity that, once it holds the renewal lock,
  sets `in_renewal` and sleeps forever (the test kills it with SIGKILL).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import coredis
import trio

import trio_spotify
from trio_spotify.redis import open_redis_coordinator
from trio_spotify.testing import EmulatorUserAuth


class Hanging:
    """Renews the app's token (same identity as `ClientCredentials`) by hanging forever."""

    def __init__(self, client_id: str, control: coredis.Redis[str], key: str) -> None:
        self.coordination_key = f"app:{client_id}"
        self._control = control
        self._key = key

    async def renew(self, accounts: Any, stale: Any) -> trio_spotify.Token:
        await self._control.set(self._key, "1")
        await trio.sleep_forever()
        raise AssertionError("unreachable")


async def _wait_for(control: coredis.Redis[str], key: str, differs_from: str | None) -> str:
    while True:
        value = await control.get(key)
        if value is not None and value != differs_from:
            return value
        await trio.sleep(0.005)


async def main(config: dict[str, Any]) -> dict[str, Any]:
    ns = config["namespace"]
    base = config["base_url"]
    control: coredis.Redis[str] = coredis.Redis.from_url(config["redis_url"], decode_responses=True)
    async with control:
        mode = config["mode"]
        auth: Any
        if mode == "hang":
            auth = Hanging(config["client_id"], control, f"{ns}:test:in_renewal")
        elif mode == "rounds":
            auth = EmulatorUserAuth(
                config["client_id"], config["client_secret"], config["refresh_token"]
            )
        else:
            auth = trio_spotify.ClientCredentials(config["client_id"], config["client_secret"])
        async with (
            open_redis_coordinator(
                config["redis_url"], namespace=ns, lock_timeout=config.get("lock_timeout", 30.0)
            ) as coordinator,
            trio_spotify.open_spotify(
                auth,
                coordinator=coordinator,
                api_url=base + "/v1",
                accounts_url=base,
                max_concurrency=config.get("max_concurrency", 100),
            ) as spotify,
        ):
            ok = 0

            async def one() -> None:
                nonlocal ok
                if mode == "rounds":
                    await spotify.users.me()
                else:
                    await spotify.request("GET", "/markets")
                ok += 1

            async def burst(n: int) -> None:
                async with trio.open_nursery() as nursery:
                    for _ in range(n):
                        nursery.start_soon(one)

            if mode == "hang":
                await one()
                return {}
            await one()
            await control.incr(f"{ns}:test:ready")
            if mode == "burst":
                await _wait_for(control, f"{ns}:test:go", None)
                await burst(config["requests"])
            else:
                last = "0"
                while (last := await _wait_for(control, f"{ns}:test:round", last)) != "stop":
                    await burst(config["requests"])
                    await control.incr(f"{ns}:test:done:{last}")
            return {"ok": ok, "renewals": spotify.statistics().token_renewals}


if __name__ == "__main__":
    result = trio.run(main, json.loads(sys.argv[1]))
    print(json.dumps(result))
