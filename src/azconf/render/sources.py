"""Where a render's input comes from (the working tree or a recorded version), and its record."""

from __future__ import annotations

from azconf.config.project import Project
from azconf.render.output import OutputReport
from azconf.render.pipeline import Source
from azconf.snapshot import content_hash, snapshot


def source_for(project: Project, env: str | None, from_ref: str | None) -> Source:
    """The working tree of ``env``, or the recorded version ``from_ref`` (e.g. ``prod@12``)."""
    if from_ref is not None:
        from azconf.history.api import load_version_source

        return load_version_source(project, from_ref, env)
    assert env is not None
    from azconf.environment import load_environment

    loaded = load_environment(project, env)
    data = snapshot(loaded.resolution)
    digest = content_hash(data)
    return Source(env, loaded.model, data, f"{env} (working tree) {digest}", digest)


def record_render(project: Project, source: Source, reports: list[tuple[str, OutputReport]]) -> None:
    """Record the render in history and the audit log (a no-op until history exists)."""
    try:
        from azconf.history.api import record_render as record
    except ImportError:
        return
    record(project, source, reports)
