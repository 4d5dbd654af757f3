"""Recording renders in history: each rendered environment's snapshot as a version (if its content
is new), marked rendered, with one audit entry per target.

Render's own use of history (history never imports render): what is recorded is history's data.
"""

from __future__ import annotations

import os

from azconf.config.project import Project
from azconf.history import actor as actors
from azconf.history.api import open_history
from azconf.history.items import split
from azconf.history.records import Version
from azconf.history.store import Store
from azconf.history.writing import Pending, append_audit, content_of, operation, store_value, write_version
from azconf.render.output import OutputReport
from azconf.render.pipeline import Source


def into_configured_folders(
    project: Project, source: Source, reports: list[tuple[str, OutputReport]]
) -> bool:
    """Whether a render wrote each target into its configured folder (``render.<target>.out``).

    Only such a render is what a deploy picks up; one into ``render --out /tmp/x`` is a scratch copy,
    and recording it would make ``ENV@rendered`` (what the next deploy changes) wrong.
    """
    from azconf.render.pipeline import configured_folder

    return all(
        os.path.abspath(report.folder) == os.path.abspath(configured_folder(project, source.env, name))
        for name, report in reports
    )


def record_render(project: Project, source: Source, reports: list[tuple[str, OutputReport]]) -> None:
    """Record a render: its snapshot as a version (if that content is new), marked rendered, and one
    audit entry per target (action ``render``, the output folder and file count).

    A render of a recorded version (``render --from prod@12``) records a rollback to it.
    """
    record_renders(project, [(source, reports)])


def record_renders(project: Project, renders: list[tuple[Source, list[tuple[str, OutputReport]]]]) -> None:
    """Record several renders (see :func:`record_render`) in one transaction: all of them, or none."""
    who = actors.who(project.root)
    with open_history(project, create=True) as store:
        assert store is not None
        with store.transaction():
            for source, reports in renders:
                _record_one(store, project, who, source, reports)


def _record_one(
    store: Store, project: Project, who: actors.Who, source: Source, reports: list[tuple[str, OutputReport]]
) -> None:
    from_history = source.version.startswith(f"{source.env}@")  # a version label, not the working tree
    when = actors.now()
    before = store.rendered(source.env)
    # A version's hash is its snapshot's content hash (when nothing in it was redacted): a render of
    # recorded content finds its version without splitting and hashing each item.
    version = _version_with(store, source.env, source.content_hash)
    if version is None:
        content = content_of(store, source.env, split(source.data))
        version = _version_with(store, source.env, content.prepared.content_hash) or write_version(
            store, content, message="render", who=who, action="render", when=when
        )
    note = _render_note(from_history, version, store.latest(source.env))
    pending = [_target_entry(store, project, target, version, before) for target in reports]
    operation_id = append_audit(
        store, operation(who, "render", source.env, when=when, version=version, note=note), pending
    )
    store.add_render(version, operation_id)


def _render_note(from_history: bool, version: Version, latest: Version | None) -> str:
    if not from_history:
        return "from the working tree"
    rollback = latest is not None and version.number < latest.number
    return f"from history: {version.ref}" + (", a rollback" if rollback else "")


def _version_with(store: Store, env: str, content_hash: str) -> Version | None:
    matches = store.versions_with_hash(content_hash.removeprefix("sha256:"), env)
    return matches[0] if matches else None


def _target_entry(
    store: Store, project: Project, target: tuple[str, OutputReport], version: Version, before: Version | None
) -> Pending:
    name, report = target
    files = len(report.written) + len(report.unchanged)
    new = {"version": version.ref, "folder": project.display(report.folder), "files": files}
    new |= {"written": len(report.written), "removed": len(report.removed)}
    old = {"version": before.ref} if before else None
    return Pending("target", f"render.{name}", store_value(store, old), store_value(store, new))
