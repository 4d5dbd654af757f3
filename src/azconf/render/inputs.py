"""Where a render's input comes from: the working tree or a recorded version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azconf.config.project import Project
from azconf.errors import AzconfError, DataError, UsageError
from azconf.gitrefs import MARKER
from azconf.render.pipeline import Source
from azconf.snapshot import content_hash

if TYPE_CHECKING:
    from azconf.check.engine import Check
    from azconf.history.store import Store


def source_for(project: Project, env: str | None, from_ref: str | None) -> Source:
    """The working tree of ``env``, or the recorded version ``from_ref`` (e.g. ``prod@12``)."""
    return sources_for(project, [env] if env else [], from_ref)[0]


def sources_for(project: Project, envs: list[str], from_ref: str | None) -> list[Source]:
    """The working trees of ``envs`` (validated together), or the one recorded version ``from_ref``.

    Raises :class:`azconf.environment.InvalidEnvironment` with the errors of every invalid
    environment: nothing is rendered unless all of them are valid.
    """
    sources, checking = checked_sources(project, envs, from_ref)
    if checking is not None:
        checking.verdict()
    return sources


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


def checked_sources(
    project: Project, envs: list[str], from_ref: str | None, *, predict: bool = False
) -> tuple[list[Source], Check | None]:
    """The sources of :func:`sources_for`, and the :class:`Check` of the working trees, still running
    (None for a version, checked when it was loaded): its verdict must pass before the files built
    from these sources are used.

    The content hashes are computed while the data checks run on the second core, and the sources
    carry the typed models before the reference checks have looked at them. A working tree is named
    by the recorded version it equals (with ``predict``, by the one the render will record: see
    :func:`recorded_labels`).
    """
    if from_ref is not None and MARKER in from_ref:
        return [git_source(project, from_ref, envs[0] if envs else None)], None
    if from_ref is not None:
        return [version_source(project, from_ref, envs[0] if envs else None)], None
    from azconf.check.engine import Check

    checking = Check(project, envs)
    # The resolved documents themselves, not plain copies: the targets read the typed model, and
    # history reads the data only to store a new version (through JSON).
    try:
        digests = [content_hash(resolution.data) for resolution in checking.resolutions]
    except ValueError:  # a number JSON cannot hold (.nan, .inf): the verdict reports it (AZC0117)
        checking.verdict()
        raise
    models = checking.models()
    named = recorded_labels(
        project,
        [(r.env, digest, r.data) for r, digest in zip(checking.resolutions, digests, strict=True)],
        predict=predict,
    )
    sources = [
        Source(
            r.env, models[r.env], r.data, named.get(r.env) or f"{r.env} (working tree) {digest}", digest, True
        )
        for r, digest in zip(checking.resolutions, digests, strict=True)
    ]
    return sources, checking


def recorded_labels(
    project: Project, contents: list[tuple[str, str, dict[str, Any]]], *, predict: bool
) -> dict[str, str]:
    """How the working trees ``contents`` (env, content hash, data) are named: the label of the
    recorded version of env with that content (``prod@12 sha256:ab12cd34ef56``); with ``predict``
    (a render that records its input) new content is named by the version the render will record,
    so the files it writes name ``prod@13`` from the start, and the next render rewrites nothing.
    Without ``predict`` new content keeps its hash.
    """
    from azconf.history.api import open_history

    labels: dict[str, str] = {}
    try:
        with open_history(project) as store:
            for env, digest, data in contents:
                label = _label(store, env, digest, data, predict=predict)
                if label is not None:
                    labels[env] = label
    except AzconfError:  # history unusable: named by its hash (recording the render reports it)
        return {}
    return labels


def _label(store: Store | None, env: str, digest: str, data: dict[str, Any], *, predict: bool) -> str | None:
    if store is None:
        return f"{env}@1 sha256:{digest.removeprefix('sha256:')[:12]}" if predict else None
    found = store.versions_with_hash(digest.removeprefix("sha256:"), env)
    if found:
        return found[0].label
    if not predict:
        return None
    from azconf.history.items import split
    from azconf.history.writing import content_of

    # What recording stores (a plaintext secret the manifest allows is stored redacted, with
    # another hash): the same content as a recorded version is that version, else the next one.
    content = content_of(store, env, split(data))
    stored = content.prepared.content_hash
    found = store.versions_with_hash(stored.removeprefix("sha256:"), env)
    if found:
        return found[0].label
    number = content.latest.number + 1 if content.latest else 1
    return f"{env}@{number} sha256:{stored.removeprefix('sha256:')[:12]}"


def version_source(project: Project, ref: str, env: str | None) -> Source:
    """A recorded version as a render source, typed again from its snapshot."""
    from azconf.history.api import load_ref
    from azconf.model.build import build_environment
    from azconf.problems import Severity

    version, data = load_ref(project, ref)
    if env is not None and env != version.env:
        raise UsageError(
            f'--env {env} does not match "{ref}", a version of {version.env}',
            hint=f"leave out --env, or name a version of {env}",
        )
    model, problems = build_environment(data)  # type: ignore[arg-type]  # a plain dict is accepted
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise DataError(f"{version.ref} cannot be rendered: its snapshot no longer builds", problems=errors)
    return Source(version.env, model, data, version.label, version.content_hash)
