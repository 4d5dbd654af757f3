"""Where a resolved value came from: the layer that set it, and every value it overrode, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from azconf.config.layering import is_deleted
from azconf.config.located import KeyPath, Loc, LocatedList, LocatedMap, chain_at, format_path
from azconf.config.resolve import Resolution
from azconf.errors import UsageError
from azconf.problems import did_you_mean

if TYPE_CHECKING:
    from azconf.config.project import Project
    from azconf.history.records import AuditEntry

_MISSING = object()


@dataclass(frozen=True)
class Setting:
    """One layer's word on a path: the value it wrote (None for a deleting null) and where."""

    value: Any
    loc: Loc
    layer: str
    line_text: str = ""

    @property
    def position(self) -> tuple[int, int]:
        """Where to point a reader: a mapping's or list's key (its value starts on a later line),
        else the value itself."""
        if isinstance(self.value, dict | list):
            return self.loc.key_line, self.loc.key_column
        return self.loc.line, self.loc.column


@dataclass
class Explanation:
    """The resolved value at a path and the settings that produced it, winner first."""

    env: str
    path: KeyPath
    value: Any
    exists: bool
    settings: list[Setting] = field(default_factory=list)
    leaves: list[tuple[KeyPath, Loc | None]] = field(default_factory=list)  # for mappings: each leaf's winner
    default: bool = False  # no layer sets it: the value is the model's default


def typed_data(model: Any) -> dict[str, Any]:
    """An environment's typed model as data: the resolved config with every default filled in."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def explain_default(env: str, model: Any, path: KeyPath) -> Explanation:
    """The model's default at ``path`` when no layer sets it; UsageError (with a did-you-mean over
    the defaulted keys too) when the model has nothing there either."""
    return Explanation(env, path, lookup(typed_data(model), path), True, default=True)


def lookup(root: Any, path: KeyPath) -> Any:
    """The value at ``path`` in ``root``; raises :class:`UsageError` with a suggestion if absent."""
    value = root
    for depth, part in enumerate(path):
        child = _child(value, part)
        if child is not _MISSING:
            value = child
        else:
            where = format_path(path[:depth]) or "the top level"
            choices = list(value) if isinstance(value, dict) else []
            raise UsageError(
                f'no "{part}" under {where}{did_you_mean(str(part), choices)}',
                hint=f"keys there: {', '.join(map(str, choices[:12]))}" if choices else None,
            )
    return value


def _child(value: Any, part: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(part, _MISSING)
    if isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
        return value[part]
    return _MISSING


def explain(resolution: Resolution, path: KeyPath, read_line: Any = None) -> Explanation:
    """Explain ``path`` in a resolved environment; ``read_line(file, line)`` adds source text."""
    deleted = is_deleted(resolution.data, tuple(str(p) for p in path)) if path else ()
    if deleted and not _exists(resolution.data, path):
        settings = _settings(resolution, path, deleted, read_line)
        return Explanation(resolution.env, path, None, False, settings)
    value = lookup(resolution.data, path)
    chain = chain_at(resolution.data, path)
    explanation = Explanation(
        resolution.env, path, value, True, _settings(resolution, path, chain, read_line)
    )
    if isinstance(value, LocatedMap | LocatedList) and value:
        explanation.leaves = list(_leaves(value, path))
    return explanation


def _exists(root: Any, path: KeyPath) -> bool:
    try:
        lookup(root, path)
    except UsageError:
        return False
    return True


def _settings(resolution: Resolution, path: KeyPath, chain: tuple[Loc, ...], read_line: Any) -> list[Setting]:
    layer_of = {file: layer.folder for layer in resolution.layers for file in layer.files}
    settings = []
    for loc in chain:
        layer = next((layer for layer in resolution.layers if loc.file in layer.files), None)
        value = _value_in_layer(layer.data, path) if layer else _MISSING
        text = read_line(loc.file, loc.key_line) if read_line else ""
        settings.append(Setting(None if value is _MISSING else value, loc, layer_of.get(loc.file, "?"), text))
    return settings


def _value_in_layer(data: LocatedMap, path: KeyPath) -> Any:
    try:
        return lookup(data, path)
    except UsageError:
        return _MISSING


def _leaves(value: Any, path: KeyPath) -> Any:
    if isinstance(value, LocatedMap):
        for key, item in value.items():
            if isinstance(item, LocatedMap | LocatedList) and item:
                yield from _leaves(item, (*path, key))
            else:
                yield (*path, key), value.origins[key][0]
    elif isinstance(value, LocatedList):
        for index, item in enumerate(value):
            if isinstance(item, LocatedMap | LocatedList) and item:
                yield from _leaves(item, (*path, index))
            else:
                yield (*path, index), value.origins[index]


@dataclass(frozen=True)
class VersionExplanation:
    """A value in a recorded version, and the audit entry of its last change up to that version.

    History keeps values, not the file and line that set them: what it can tell is who changed the
    value last, when, in which version and with which command.
    """

    ref: str
    path: KeyPath
    value: Any
    changed_by: AuditEntry | None


def explain_version(project: Project, ref: str, path: KeyPath, db: Any = None) -> VersionExplanation:
    """Explain the value at ``path`` in the version ``ref`` names (``prod@12``, ``prod@latest``)."""
    from azconf.history.api import audit_entries, load_ref

    version, data = load_ref(project, ref, db=db)
    value = lookup(data, path)
    depth = 2 if isinstance(data.get(str(path[0])), dict) and len(path) >= 2 else 1
    item, inside = format_path(path[:depth]), path[depth:]
    for entry in reversed(audit_entries(project, env=version.env, resource=item, db=db)):
        number = int(entry.version.rpartition("@")[2]) if entry.version else 0
        if entry.resource_id != item or number > version.number or entry.action == "render":
            continue
        if _at(entry.old_value, inside) != _at(entry.new_value, inside):
            return VersionExplanation(version.ref, path, value, entry)
    return VersionExplanation(version.ref, path, value, None)


def _at(value: Any, path: KeyPath) -> Any:
    for part in path:
        child = _child(value, part)
        if child is _MISSING:
            return _MISSING
        value = child
    return value
