"""A bounded loopback load test: 32 readers and 4 writers for 12 s against one live server.

Readers mix OFREP single and bulk evaluations; writers toggle flags through the REST API with
If-Match, retrying on 409 (a lost race is the protocol working, not an error). Afterwards: no
request failed, every acknowledged write is exactly one version in ``azconf log`` and has its audit
entries, and an SSE client's last event carries the ETag finally served.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from serve_helpers import Server, azconf_executable, commit_all
from sse_reader import EventReader

READERS = 32
WRITERS = 4
SECONDS = 12.0
TOGGLED = ("beta-banner", "debug-toolbar", "sms-notifications", "dark-mode")


async def reader(client: httpx.AsyncClient, index: int, until: float, statuses: Counter[str]) -> None:
    while time.monotonic() < until:
        if index % 4 == 0:
            response = await client.post(
                "/ofrep/v1/evaluate/flags", json={"context": {"targetingKey": f"u{index}"}}
            )
        else:
            context = {"targetingKey": f"user-{index}", "email": f"user{index}@azora.dev"}
            response = await client.post("/ofrep/v1/evaluate/flags/staff-tools", json={"context": context})
        statuses[f"read {response.status_code}"] += 1


async def writer(
    client: httpx.AsyncClient, flag: str, until: float, acknowledged: list[str], statuses: Counter[str]
) -> None:
    state = "DISABLED"
    while time.monotonic() < until:
        listing = await client.get("/flags")
        statuses[f"list {listing.status_code}"] += 1
        response = await client.post(
            f"/flags/{flag}", json={"state": state}, headers={"If-Match": listing.headers["etag"]}
        )
        statuses[f"write {response.status_code}"] += 1
        if response.status_code == 200:
            acknowledged.append(response.json()["version"])
            state = "ENABLED" if state == "DISABLED" else "DISABLED"


async def drive(base: str) -> tuple[Counter[str], list[str]]:
    statuses: Counter[str] = Counter()
    acknowledged: list[str] = []
    until = time.monotonic() + SECONDS
    limits = httpx.Limits(max_connections=READERS + WRITERS)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(
            *(reader(client, i, until, statuses) for i in range(READERS)),
            *(writer(client, TOGGLED[i], until, acknowledged, statuses) for i in range(WRITERS)),
        )
    return statuses, acknowledged


def history(project: Path, what: str) -> dict[str, list[dict[str, object]]]:
    done = subprocess.run(
        [azconf_executable(), what, "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_load_with_concurrent_toggles(serve: Callable[..., Server], project: Path) -> None:
    commit_all(project)
    server = serve("--env", "staging", "--rate", "1000000", "--burst", "1000000")
    events = EventReader(f"{server.base}/ofrep/v1/events")
    statuses, acknowledged = asyncio.run(drive(server.base))

    unexpected = {k: v for k, v in statuses.items() if not k.endswith((" 200", " 409"))}
    assert not unexpected, statuses
    # Counts, not speed (benchmarks/serve_bench.py measures that): the readers and writers did run.
    assert statuses["read 200"] >= 32 and len(acknowledged) >= 4, statuses
    assert len(set(acknowledged)) == len(acknowledged)  # no version acknowledged twice

    versions = [v for v in history(server.project, "log")["versions"] if v["message"] != "baseline"]
    assert sorted(v["ref"] for v in versions) == sorted(acknowledged)  # each write exactly once
    audited = {entry["version"] for entry in history(server.project, "audit")["entries"]}
    assert set(acknowledged) <= audited

    with server.client() as client:
        final = client.get("/flags").headers["etag"]
    deadline = time.monotonic() + 5
    while (not events.events or events.events[-1]["etag"] != final) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert events.events[-1]["etag"] == final
