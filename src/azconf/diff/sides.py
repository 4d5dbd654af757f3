"""The two sides of a comparison: an environment's working tree or a recorded version.

``prod`` is the working tree (with provenance, so a change can say which file set each value);
``prod@12``, ``prod@latest``, ``prod@rendered`` or a hash prefix is a version from history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azconf.config.located import KeyPath, chain_at
from azconf.config.project import Project
from azconf.config.resolve import Resolution, Resolver
from azconf.environment import resolve_readable
from azconf.problems import Location
from azconf.snapshot import snapshot


@dataclass
class Side:
    """One side of a diff: a label for people, the environment, its data and (for a working tree)
    the resolution that knows where each value came from."""

    label: str
    env: str
    data: dict[str, Any]
    resolution: Resolution | None = None

    def origin(self, path: KeyPath) -> Location | None:
        """Where the value at ``path`` was set (working trees only)."""
        if self.resolution is None:
            return None
        chain = chain_at(self.resolution.data, path)
        return Location(chain[0].file, chain[0].line, chain[0].column) if chain else None


def is_version_ref(project: Project, text: str) -> bool:
    """Whether ``text`` names a recorded version rather than an environment's working tree."""
    return "@" in text or text not in project.manifest.environments


def load_side(project: Project, resolver: Resolver, text: str, *, db: Any = None) -> Side:
    """The side named by ``text``."""
    from azconf.gitrefs import split_git_ref

    git = split_git_ref(text)
    if git is not None:
        return git_side(project, *git)
    if not is_version_ref(project, text):
        resolution = resolve_readable(resolver, text)
        return Side(f"{text} (working tree)", text, snapshot(resolution), resolution)
    from azconf.history.api import load_snapshot, resolve_ref

    version = resolve_ref(project, text, db=db)
    return Side(f"{version.env}@{version.number}", version.env, load_snapshot(project, version, db=db))


def latest_side(project: Project, env: str, *, db: Any = None) -> Side:
    """The latest recorded version of ``env`` (for ``diff --worktree ENV``)."""
    return load_side(project, Resolver(project), f"{env}@latest", db=db)


def git_side(project: Project, env: str, revision: str) -> Side:
    """``env`` as the project's files were in git revision ``revision`` (``prod@git:origin/main``)."""
    from azconf.gitrefs import project_at

    with project_at(project, revision) as (then, commit):
        resolution = resolve_readable(Resolver(then), env)
        return Side(f"{env}@git:{revision} ({commit})", env, snapshot(resolution), resolution)
