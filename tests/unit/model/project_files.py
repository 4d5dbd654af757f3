"""A one-environment project written to disk and resolved, for the model's in-process tests."""

from __future__ import annotations

from pathlib import Path

from azconf.config.located import LocatedMap
from azconf.config.project import Project, load_project
from azconf.config.resolve import Resolver

MANIFEST = "version: 1\nproject: shop\nenvironments: [dev]\nlayers: [config/base]\n"


def resolved(root: Path, files: dict[str, str], manifest: str = MANIFEST) -> tuple[Project, LocatedMap]:
    """The project made of ``files`` (paths relative to ``root``) and its dev environment's data."""
    (root / "config/base").mkdir(parents=True)
    (root / "azconf.yaml").write_text(manifest, encoding="utf-8")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    project, problems = load_project(root)
    assert project is not None, problems
    resolution = Resolver(project).resolve("dev")
    assert resolution.problems == [], resolution.problems
    return project, resolution.data
