"""Build a long history of one environment of the corpus and measure what it costs.

    python benchmarks/history_bench.py CORPUS [--env prod] [--commits 1000] [--seed 7] [--json OUT]

The environment is resolved once. Each later commit changes about 1% of its items *in memory* (one
leaf of each: a number goes up, a boolean flips, a string gets a suffix) and is recorded with
``azconf.history.api.commit_snapshots``, the function ``azconf commit`` itself calls after resolving.
Rewriting YAML files 1,000 times would measure the YAML writer, not history.

Printed (and written to OUT as JSON):

- the database size (after a WAL checkpoint) against the unique content it holds: the canonical JSON
  of every distinct item value ever committed, each counted once (target: at most 2x);
- what naive full copies would take (every version's canonical JSON);
- the time of a commit's store step, and of resolving and validating the same environment (what
  ``azconf commit`` does before it stores), and their ratio.

``run.py``'s ``history`` case runs this, then times ``azconf show --env prod@1000`` against
``prod@10`` in fresh processes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

Leaf = Any


def mutate(rng: random.Random, value: Any, stamp: int) -> Any:
    """``value`` with one leaf changed (containers are copied along the way, never edited)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return f"{value.split('~rev')[0]}~rev{stamp}"
    if isinstance(value, list):
        if not value:
            return [stamp]
        index = rng.randrange(len(value))
        return [*value[:index], mutate(rng, value[index], stamp), *value[index + 1 :]]
    if isinstance(value, dict):
        if not value:
            return {"rev": stamp}
        key = rng.choice(list(value))
        return {**value, key: mutate(rng, value[key], stamp)}
    return stamp


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Ledger:
    """The unique content committed: each distinct item value's canonical JSON, counted once."""

    def __init__(self) -> None:
        self.sizes: dict[bytes, int] = {}

    def add(self, value: Any) -> None:
        data = canonical(value)
        self.sizes.setdefault(hashlib.sha256(data).digest(), len(data))

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def median_seconds(action: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build(corpus: Path, env: str, commits: int, seed: int) -> dict[str, Any]:
    """Commit ``commits`` versions of ``env`` into ``corpus``'s history; the figures as data."""
    from azconf.config.project import Project, load_project
    from azconf.config.resolve import Resolver
    from azconf.environment import load_environment
    from azconf.history.actor import Who, user_agent
    from azconf.history.api import commit_snapshots, database_path
    from azconf.history.store import connect
    from azconf.snapshot import snapshot

    def fresh() -> Project:  # a project reads each file once; every timed run reads them again
        project, _ = load_project(corpus)
        assert project is not None, "the corpus manifest is not valid"
        return project

    resolve_seconds = median_seconds(lambda: Resolver(fresh()).resolve(env), 3)
    load_seconds = median_seconds(lambda: load_environment(fresh(), env), 3)
    project = fresh()
    data = snapshot(load_environment(project, env).resolution)

    rng = random.Random(seed)
    names = [(section, name) for section, items in data.items() if isinstance(items, dict) for name in items]
    per_commit = max(1, round(len(names) / 100))
    ledger = Ledger()
    for items in data.values():
        for value in items.values() if isinstance(items, dict) else [items]:
            ledger.add(value)
    who = Who("bench@example.com", "bench", user_agent(), None)
    db = database_path(project)
    store_times: list[float] = []
    full_copies = 0
    with connect(db, create=True) as store:
        assert store is not None
        for number in range(1, commits + 1):
            if number > 1:
                data = dict(data)
                for section, name in rng.sample(names, per_commit):
                    data[section] = dict(data[section])
                    data[section][name] = mutate(rng, data[section][name], number)
                    ledger.add(data[section][name])
            full_copies += len(canonical(data))
            started = time.perf_counter()
            (outcome,) = commit_snapshots(store, {env: data}, message=f"bench {number}", who=who)
            store_times.append(time.perf_counter() - started)
            assert outcome.recorded, f"commit {number} recorded nothing"
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = dict(store.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    wal = db.with_name(db.name + "-wal")
    size = db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    store_median = statistics.median(store_times)
    return {
        "env": env,
        "commits": commits,
        "items": len(names),
        "items_changed_per_commit": per_commit,
        "database_bytes": size,
        "unique_content_bytes": ledger.total,
        "database_to_unique_content": round(size / ledger.total, 3),
        "naive_full_copies_bytes": full_copies,
        "tables_bytes": dict(sorted(tables.items(), key=lambda kv: -kv[1])),
        "resolve_s": round(resolve_seconds, 4),
        "resolve_and_validate_s": round(load_seconds, 4),
        "commit_store_median_s": round(store_median, 4),
        "commit_store_p95_s": round(sorted(store_times)[int(len(store_times) * 0.95)], 4),
        "commit_to_resolve": round((load_seconds + store_median) / load_seconds, 3),
        "store_to_resolve": round(store_median / load_seconds, 3),
    }


def describe(figures: dict[str, Any]) -> str:
    """The figures for people."""
    mib = 1024 * 1024
    lines = [
        f"  {figures['commits']:,} commits of {figures['env']} ({figures['items']:,} items, "
        f"{figures['items_changed_per_commit']} changed per commit, in memory)",
        f"  database {figures['database_bytes'] / mib:,.1f} MiB; unique content "
        f"{figures['unique_content_bytes'] / mib:,.1f} MiB; naive full copies "
        f"{figures['naive_full_copies_bytes'] / mib:,.0f} MiB",
        f"  ratio database / unique content: {figures['database_to_unique_content']:.2f}x   "
        f"target <= 2.00x: {'met' if figures['database_to_unique_content'] <= 2 else 'MISSED'}",
        "  by table: "
        + ", ".join(f"{name} {size / mib:.1f}" for name, size in list(figures["tables_bytes"].items())[:6])
        + " MiB",
        f"  commit (store step) median {figures['commit_store_median_s'] * 1000:,.0f} ms, "
        f"p95 {figures['commit_store_p95_s'] * 1000:,.0f} ms; resolve + validate "
        f"{figures['resolve_and_validate_s'] * 1000:,.0f} ms "
        f"(resolve alone {figures['resolve_s'] * 1000:,.0f} ms)",
        "  ratio commit (resolve + validate + store) / (resolve + validate): "
        f"{figures['commit_to_resolve']:.2f}x; store step alone: {figures['store_to_resolve']:.2f}x",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a long history of a corpus environment.")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--env", default="prod")
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args(argv)
    figures = build(args.corpus, args.env, args.commits, args.seed)
    print(describe(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
