"""Where a render's input comes from: the working tree or a recorded version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from azconf.config.project import Project
from azconf.errors import UsageError
from azconf.gitrefs import MARKER
from azconf.render.pipeline import Source
from azconf.snapshot import content_hash


@dataclass(frozen=True)
class PendingSources:
    """Sources to build from at once, and the check that must pass before anything built is used.

    ``verdict`` raises :class:`azconf.environment.InvalidEnvironment` with the errors of every
    invalid environment (a recorded version was checked when it was loaded: its verdict passes).
    """

    sources: list[Source]
    verdict: Callable[[], object]


def source_for(project: Project, env: str | None, from_ref: str | None) -> Source:
    """The working tree of ``env``, or the recorded version ``from_ref`` (e.g. ``prod@12``)."""
    return sources_for(project, [env] if env else [], from_ref)[0]


def sources_for(project: Project, envs: list[str], from_ref: str | None) -> list[Source]:
    """The working trees of ``envs`` (validated together), or the one recorded version ``from_ref``.

    Raises :class:`azconf.environment.InvalidEnvironment` with the errors of every invalid
    environment: nothing is rendered unless all of them are valid.
    """
    pending = pending_sources(project, envs, from_ref)
    pending.verdict()
    return pending.sources


def git_source(project: Project, ref: str, env: str | None) -> Source:
    """A render source from a git revision (``prod@git:v2.8``): loaded and checked like a working tree."""
    from azconf.environment import load_environment
    from azconf.gitrefs import project_at, split_git_ref

    name, revision = split_git_ref(ref) or ("", "")
    if env is not None and env != name:
        raise UsageError(
            f'--env {env} does not match "{ref}"', hint=f"leave out --env, or name a revision of {env}"
        )
    with project_at(project, revision) as (then, commit):
        loaded = load_environment(then, name)
        digest = content_hash(loaded.resolution.data)
        return Source(
            name, loaded.model, loaded.resolution.data, f"{name}@git:{revision} ({commit}) {digest}", digest
        )


def pending_sources(project: Project, envs: list[str], from_ref: str | None) -> PendingSources:
    """Like :func:`sources_for`, with the environments' checks still running (see PendingSources).

    The content hashes are computed while the value checks run on the second core, and the
    sources carry the typed models before the reference checks have looked at them.
    """
    if from_ref is not None and MARKER in from_ref:
        return PendingSources([git_source(project, from_ref, envs[0] if envs else None)], lambda: None)
    if from_ref is not None:
        from azconf.history.api import load_version_source

        source = load_version_source(project, from_ref, envs[0] if envs else None)
        return PendingSources([source], lambda: None)  # checked when it was loaded
    from azconf.environment import PendingEnvironments

    pending = PendingEnvironments(project, envs)
    # The resolved documents themselves, not plain copies: the targets read the typed model, and
    # history reads the data only to store a new version (through JSON).
    try:
        digests = [content_hash(resolution.data) for resolution in pending.resolutions]
    except ValueError:  # a number JSON cannot hold (.nan, .inf): the verdict reports it (AZC0117)
        pending.verdict()
        raise
    models = pending.models()
    sources = [
        Source(r.env, models[r.env], r.data, f"{r.env} (working tree) {digest}", digest)
        for r, digest in zip(pending.resolutions, digests, strict=True)
    ]
    return PendingSources(sources, pending.verdict)
