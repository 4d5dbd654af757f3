"""Where a render's input comes from (the working tree or a recorded version), and its record."""

from __future__ import annotations

from azconf.config.project import Project
from azconf.render.pipeline import Source
from azconf.snapshot import content_hash


def source_for(project: Project, env: str | None, from_ref: str | None) -> Source:
    """The working tree of ``env``, or the recorded version ``from_ref`` (e.g. ``prod@12``)."""
    return sources_for(project, [env] if env else [], from_ref)[0]


def sources_for(project: Project, envs: list[str], from_ref: str | None) -> list[Source]:
    """The working trees of ``envs`` (validated together), or the one recorded version ``from_ref``.

    Raises :class:`azconf.environment.InvalidEnvironment` with the errors of every invalid
    environment: nothing is rendered unless all of them are valid.
    """
    if from_ref is not None:
        from azconf.history.api import load_version_source

        return [load_version_source(project, from_ref, envs[0] if envs else None)]
    from azconf.environment import load_environments

    sources = []
    for loaded in load_environments(project, envs):
        # The resolved document itself, not a plain copy: the targets read the typed model, and
        # history reads the data only to store a new version (through JSON).
        data = loaded.resolution.data
        digest = content_hash(data)
        sources.append(
            Source(loaded.name, loaded.model, data, f"{loaded.name} (working tree) {digest}", digest)
        )
    return sources
