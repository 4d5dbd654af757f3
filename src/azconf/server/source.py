"""The config being served: each environment's compiled flags, its ETag, and why a reload was refused.

By default the working tree: every environment is loaded and validated as ``azconf validate`` would,
and an edit that does not validate is not served (the last valid config stays; :attr:`EnvState.problems`
says why, with file:line:col). With ``--from prod@latest`` the recorded versions are served, and a newly
recorded version replaces them. Loading runs in a worker thread; the swap happens on the event loop, and
every change of an environment's ETag is announced to the listeners (the SSE stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azconf.config.project import ParsedFiles
from azconf.errors import AzconfError, DataError, UsageError
from azconf.flags.evaluate import FlagSet
from azconf.problems import Problem, Severity
from azconf.render.base import RenderError
from azconf.server.settings import ServeSettings

if TYPE_CHECKING:
    from azconf.diff import Change
    from azconf.edit.transaction import WriteOutcome

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Served:
    """One environment's flags as served: the flagd document, compiled, and its validators."""

    env: str
    version: str  # "working tree", or a recorded version such as "prod@12"
    document: dict[str, Any]
    flags: FlagSet
    etag: str  # quoted, as HTTP writes it
    loaded_at: float  # Unix time, for SSE's lastModified
    static_bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # OFREP bodies of fixed answers
    files: dict[str, str] = field(default_factory=dict)  # what it was loaded from: path -> sha256
    project: str = ""  # the manifest's project name (in the flagd document's metadata)
    used: frozenset[str] = frozenset()  # the flags some service of the environment uses (Stale view)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as its document (a first load done in a child process sends it back this way): the
        # compiled rules hold closures, and compiling them again is cheap (~50 ms for 3,000 flags).
        kept = ("env", "version", "project", "document", "loaded_at", "files", "used")
        return _served_again, ({name: getattr(self, name) for name in kept},)


@dataclass
class EnvState:
    """What is served for one environment, and why the config on disk was refused (if it was)."""

    served: Served | None = None
    problems: list[Problem] = field(default_factory=list)
    refused: str | None = None  # the one-line reason, when the last load was refused


@dataclass(frozen=True)
class Loaded:
    """One load of one environment: what to serve, or why not."""

    served: Served | None
    problems: list[Problem] = field(default_factory=list)
    refused: str | None = None
    usage: UsageError | None = None  # a reference that names nothing (--from): not the config's fault

    @staticmethod
    def failed(error: AzconfError) -> Loaded:
        """A refused load, from the error that refused it."""
        usage = error if isinstance(error, UsageError) else None
        return Loaded(None, _errors(error.problems), error.message, usage)


def document_etag(document: dict[str, Any]) -> str:
    """The quoted ETag of a flag document: a hash of its canonical JSON."""
    from azconf.snapshot import canonical_json

    return '"' + hashlib.sha256(canonical_json(document)).hexdigest()[:32] + '"'


def served_from_model(env: str, version: str, project_name: str, model: Any) -> Served:
    """Compile an environment model's flags (the flagd target's document, so both serve the same)."""
    from azconf.render.flagd import flag_file

    document = flag_file(model, project_name, env, version)
    return served_from_document(env, version, project_name, document, _used(model))


def served_from_document(
    env: str, version: str, project_name: str, document: dict[str, Any], used: frozenset[str] = frozenset()
) -> Served:
    """Compile a flagd document's flags (``used``: the flags the environment's services use)."""
    from azconf.server.ofrep import static_bodies

    flags = FlagSet(document)
    fixed = [flag.static for flag in flags.flags.values() if flag.static is not None]
    etag = document_etag(document)
    bodies = static_bodies(fixed)
    return Served(env, version, document, flags, etag, time.time(), bodies, project=project_name, used=used)


def served_after_changes(base: Served, model: Any, changed: set[str]) -> Served:
    """``base`` after a write that changed the flags ``changed`` (``model``: the environment as
    written): those flags built and compiled again, the others' kept (what
    :func:`served_from_model` would give, for the share of the work the write touched)."""
    from azconf.render.flagd import updated_flag_file
    from azconf.server.ofrep import static_bodies

    document = updated_flag_file(base.document, model, changed)
    flags = base.flags.updated(document, changed)
    fixed = {key: body for key, body in base.static_bodies.items() if key not in changed}
    new = [flags.flags[key].static for key in changed if key in flags.flags]
    fixed.update(static_bodies([answer for answer in new if answer is not None]))
    return Served(
        base.env,
        base.version,
        document,
        flags,
        document_etag(document),
        time.time(),
        fixed,
        project=base.project,
        used=_used(model),
    )


def _used(model: Any) -> frozenset[str]:
    from azconf.health.checks import used_flags  # the doctor's own reading of "used"

    return frozenset(used_flags(model))


def changed_flags(changes: list[Change]) -> set[str] | None:
    """The names of the flags ``changes`` touch; None when the flags section changed as a whole."""
    names: set[str] = set()
    for change in changes:
        if change.section != "flags":
            continue
        if len(change.path) < 2:
            return None
        names.add(str(change.path[1]))
    return names


def _served_again(fields: dict[str, Any]) -> Served:
    """A :class:`Served` from what its ``__reduce__`` kept."""
    served = served_from_document(
        fields["env"], fields["version"], fields["project"], fields["document"], fields["used"]
    )
    return replace(served, loaded_at=fields["loaded_at"], files=fields["files"])


class Source:
    """Loads, reloads and holds the served config of every environment."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.envs: dict[str, EnvState] = {env: EnvState() for env in settings.envs}
        self.listeners: list[Callable[[Served], None]] = []
        self.reloads = 0
        self.rejected = 0
        self._lock = asyncio.Lock()
        # The parses of the working tree's files, kept between reloads and writes: a save or a write
        # parses again only the files it changed (the first load, in a child, keeps none).
        self.parsed = ParsedFiles()
        self._writes = 0  # writes through the service in flight (see writing())
        self._no_writes = asyncio.Event()
        self._no_writes.set()

    def current(self, env: str) -> Served | None:
        """What ``env`` serves now (None before its first valid load)."""
        state = self.envs.get(env)
        return state.served if state else None

    def load_now(self, load: Callable[[], dict[str, Loaded]] | None = None) -> None:
        """The first load, before serving: every environment (raises when one cannot be served).

        ``load`` returns what :meth:`load_all` does (the runner calls it in a child process)."""
        for env, loaded in (load or self.load_all)().items():
            if loaded.usage is not None:
                raise loaded.usage
            if loaded.served is None:
                raise DataError(
                    f'environment "{env}" cannot be served: {loaded.refused}',
                    hint="fix it (`azconf validate`), then start again",
                    problems=loaded.problems,
                )
            self.envs[env].served = loaded.served

    async def reload(self, envs: list[str] | None = None) -> list[str]:
        """Load the environments again (default: all); serve those that changed and are valid."""
        async with self._lock:
            results = await asyncio.to_thread(self.load_all, envs)
            return [env for env, loaded in results.items() if self._apply(env, loaded)]

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """Around a write through the service and its :meth:`written`: the watcher, which sees the
        written files before they are served, waits for it (then finds them served as they are)."""
        self._writes += 1
        self._no_writes.clear()
        try:
            yield
        finally:
            self._writes -= 1
            if not self._writes:
                self._no_writes.set()

    async def settled(self) -> None:
        """Wait until no write through the service is in flight."""
        await self._no_writes.wait()

    async def written(self, outcome: WriteOutcome, base: Served) -> None:
        """Serve (and announce) what a write through the edit path just recorded, without loading and
        validating it again: the environment the write validated is the one its version holds, and
        its files are ``base``'s (the write's precondition found them on disk, under the edit lock)
        with the written texts. If something else was served since ``base``, load from disk instead."""
        if outcome.written is None:
            return  # nothing was written
        async with self._lock:
            changed = changed_flags(outcome.changes)
            if self.current(outcome.env) is not base:
                loaded = (await asyncio.to_thread(self.load_all, [outcome.env]))[outcome.env]
            else:
                model = outcome.written.model
                if changed is None:
                    served = await asyncio.to_thread(_compiled, outcome.env, base.project, model)
                else:  # only the flags the write changed are built and compiled again
                    served = await asyncio.to_thread(served_after_changes, base, model, changed)
                files = {**base.files, **{name: _sha256(text) for name, text in outcome.texts.items()}}
                loaded = Loaded(replace(served, files=files))
            self._apply(outcome.env, loaded)

    def stale(self, paths: set[str]) -> list[str] | None:
        """The environments served from files among ``paths`` (absolute) whose content is not what was
        served; None when any path is not a file they were served from (a new file, a schema), or an
        environment's last load was refused: then everything is loaded again.

        A write through the service changes files it already serves (:meth:`written`): the watcher
        then sees them unchanged and need not validate the whole environment again."""
        root = self.settings.project_root
        served = {env: state.served for env, state in self.envs.items() if state.refused is None}
        if len(served) < len(self.envs) or any(s is None for s in served.values()):
            return None
        relative = {Path(os.path.relpath(path, root)).as_posix() for path in paths}
        if not all(any(name in s.files for s in served.values() if s) for name in relative):
            return None
        digests = {name: _digest(root / name) for name in relative}
        return [
            env
            for env, s in served.items()
            if s and any(name in s.files and s.files[name] != digests[name] for name in relative)
        ]

    def _apply(self, env: str, loaded: Loaded) -> bool:
        state = self.envs[env]
        self.reloads += 1
        served = loaded.served
        if served is None:
            self.rejected += 1
            state.problems, state.refused = loaded.problems, loaded.refused  # the last valid one stays
            return False
        state.problems, state.refused = [], None
        if state.served is not None and state.served.etag == served.etag:
            # Same flags (a comment or another section changed): nothing to announce, but a write's
            # precondition must compare with the files as they are now, or it would refuse forever,
            # and the services may use other flags now (the Stale view).
            state.served = replace(state.served, files=served.files, used=served.used)
            return False
        state.served = served
        for listener in self.listeners:
            listener(served)
        return True

    def load_all(self, envs: list[str] | None = None) -> dict[str, Loaded]:
        """Load the environments (default: all) from their source, without serving them."""
        if self.settings.from_history:
            return _history(self.settings, envs or list(self.settings.envs))
        return _working_tree(self.settings, envs or list(self.settings.envs), self.parsed)


def _working_tree(settings: ServeSettings, envs: list[str], parsed: ParsedFiles) -> dict[str, Loaded]:
    from azconf.config.project import load_project
    from azconf.config.resolve import Resolver
    from azconf.environment import load_environment

    project, problems = load_project(settings.project_root)
    if project is None:
        return {env: Loaded(None, _errors(problems), "azconf.yaml is not valid") for env in envs}
    project.parsed = parsed
    resolver = Resolver(project)  # files shared by several environments are parsed once
    results: dict[str, Loaded] = {}
    for env in envs:
        # Fingerprinted before they are read: a file changed in between makes the fingerprint older
        # than what is served, so a write's precondition refuses (409) rather than passes wrongly.
        files = fingerprint(project.root, project.manifest.layer_folders(env))
        try:
            loaded = load_environment(project, env, resolver=resolver)
            served = served_from_model(env, WORKING_TREE, project.manifest.project, loaded.model)
            results[env] = Loaded(replace(served, files=files))
        except AzconfError as error:
            results[env] = Loaded.failed(error)
        except RenderError as error:  # the flagd document's own rules (e.g. a metadata clash)
            results[env] = Loaded(None, [], str(error))
    return results


def fingerprint(root: Path, folders: list[str]) -> dict[str, str]:
    """The SHA-256 of the manifest and of every YAML file of ``folders``, by relative path."""
    from azconf.config.manifest import MANIFEST_NAME

    paths = [root / MANIFEST_NAME]
    for folder in folders:
        with contextlib.suppress(OSError):
            paths += sorted(p for p in (root / folder).iterdir() if p.suffix in (".yaml", ".yml"))
    digests = {}
    for path in paths:
        with contextlib.suppress(OSError):
            digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _history(settings: ServeSettings, envs: list[str]) -> dict[str, Loaded]:
    from azconf.config.project import load_project
    from azconf.render.inputs import version_source

    project, problems = load_project(settings.project_root)
    if project is None:
        return {env: Loaded(None, _errors(problems), "azconf.yaml is not valid") for env in envs}
    results: dict[str, Loaded] = {}
    for ref in settings.refs:
        env = ref.partition("@")[0]
        if env not in envs:
            continue
        try:
            source = version_source(project, ref, None)  # --db is AZCONF_DB here (serve_cmd)
            version = source.version.split(" ")[0]  # "prod@12 sha256:..." -> "prod@12"
            results[env] = Loaded(served_from_model(env, version, project.manifest.project, source.model))
        except AzconfError as error:
            results[env] = Loaded.failed(error)
        except RenderError as error:
            results[env] = Loaded(None, [], str(error))
    return results


def _compiled(env: str, project: str, model: Any) -> Served:
    from azconf.process.gcpause import gc_paused

    with gc_paused():  # thousands of small acyclic objects
        return served_from_model(env, WORKING_TREE, project, model)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # removed: not what was served


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR] or problems


async def watch(source: Source, stop: asyncio.Event) -> None:
    """Reload whenever what is served may have changed, until ``stop`` is set.

    The working tree: any YAML or JSON file of the project (not .azconf/ or .git/). Recorded
    versions: the history database and its write-ahead log.
    """
    from watchfiles import awatch

    settings = source.settings
    if settings.from_history:
        folder, accept = _history_files(settings)
    else:
        folder, accept = settings.project_root, _config_file
    # A short debounce: a save is served within tens of milliseconds (watchfiles waits 1.6 s by default).
    async for changes in awatch(
        folder, watch_filter=lambda _kind, path: accept(path), debounce=50, step=10, stop_event=stop
    ):
        await source.settled()
        paths = {path for _, path in changes}
        envs = None if settings.from_history else await asyncio.to_thread(source.stale, paths)
        if envs != []:
            await source.reload(envs)


def _config_file(path: str) -> bool:
    parts = Path(path).parts
    return path.endswith((".yaml", ".yml", ".json")) and not (
        {".azconf", ".git", "node_modules"} & set(parts)
    )


def _history_files(settings: ServeSettings) -> tuple[Path, Callable[[str], bool]]:
    from azconf.config.project import load_project
    from azconf.history.api import database_path

    project, _ = load_project(settings.project_root)
    assert project is not None  # the first load succeeded
    db = database_path(project, settings.db)
    return db.parent, lambda path: Path(path).name.startswith(db.name)
