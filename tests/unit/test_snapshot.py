"""Snapshots and content hashes, alone and shared between environments."""

from __future__ import annotations

import copy
from pathlib import Path

from azconf.config.project import load_project
from azconf.config.resolve import Resolver
from azconf.snapshot import SharedSnapshots, content_hash, snapshot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "azora"


def test_shared_snapshots_equal_the_plain_ones_for_every_environment() -> None:
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    resolver = Resolver(project)
    shared = SharedSnapshots()
    for env in project.manifest.environments:
        resolution = resolver.resolve(env)
        alone = snapshot(resolution)
        together = shared.snapshot(resolution)
        assert together == alone
        assert list(together["services"]) == list(alone["services"])  # authored order kept
        assert shared.content_hash(together) == content_hash(alone)


def test_environments_share_the_copies_of_what_they_share() -> None:
    project, _ = load_project(EXAMPLE)
    assert project is not None
    resolver = Resolver(project)
    shared = SharedSnapshots()
    staging, prod = (shared.snapshot(resolver.resolve(env)) for env in ("staging", "prod"))
    # Neither overlay touches the notifications route; both change payments (CORS, rate limit).
    assert staging["routes"]["notifications"] is prod["routes"]["notifications"]
    assert staging["routes"]["payments"] is not prod["routes"]["payments"]
    assert staging["routes"]["payments"] != prod["routes"]["payments"]


def test_the_hash_covers_whole_section_values_and_empty_sections() -> None:
    data = {"settings": {"a": [1, {"b": None}]}, "flags": {}, "routes": {"r": {"path": "/"}}, "z": 3}
    shared = SharedSnapshots()
    assert shared.content_hash(data) == content_hash(data)
    changed = copy.deepcopy(data)
    changed["routes"]["r"]["path"] = "/x"
    assert SharedSnapshots().content_hash(changed) == content_hash(changed) != content_hash(data)
