"""A small project written to disk and resolved, for tests that need an environment with provenance."""

from __future__ import annotations

from pathlib import Path

from azconf.config.located import LocatedMap
from azconf.config.project import load_project
from azconf.config.resolve import Resolver
from azconf.model.build import build_environment
from azconf.model.sections import Environment

MANIFEST = "version: 1\nproject: shop\nenvironments: [dev]\nlayers: [config/base]\n"


def environment(root: Path, files: dict[str, str]) -> tuple[Environment, LocatedMap]:
    """The typed dev environment of a project made of ``files`` (under config/base/), and its data."""
    (root / "config/base").mkdir(parents=True)
    (root / "azconf.yaml").write_text(MANIFEST, encoding="utf-8")
    for name, text in files.items():
        (root / "config/base" / name).write_text(text, encoding="utf-8")
    project, problems = load_project(root)
    assert project is not None, problems
    resolution = Resolver(project).resolve("dev")
    assert resolution.problems == [], resolution.problems
    model, problems = build_environment(resolution.data)
    assert problems == []
    return model, resolution.data
