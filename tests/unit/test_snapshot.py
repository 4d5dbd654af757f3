"""Content hashes, alone and shared between environments."""

from __future__ import annotations

import copy
from pathlib import Path

from azconf.config.project import load_project
from azconf.config.resolve import Resolver
from azconf.snapshot import SharedHashes, content_hash, snapshot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "azora"


def test_shared_hashes_equal_the_plain_ones_for_every_environment() -> None:
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    resolver = Resolver(project)
    hashes = SharedHashes()
    seen = set()
    for env in project.manifest.environments:
        resolution = resolver.resolve(env)
        expected = content_hash(snapshot(resolution))
        assert hashes.content_hash(resolution.data) == expected  # the resolved document, uncopied
        seen.add(expected)
    assert len(seen) == len(project.manifest.environments)  # the environments differ, and so do hashes


def test_the_hash_covers_whole_section_values_and_empty_sections() -> None:
    data = {"settings": {"a": [1, {"b": None}]}, "flags": {}, "routes": {"r": {"path": "/"}}, "z": 3}
    assert SharedHashes().content_hash(data) == content_hash(data)
    changed = copy.deepcopy(data)
    changed["routes"]["r"]["path"] = "/x"
    assert SharedHashes().content_hash(changed) == content_hash(changed) != content_hash(data)
