"""The flagd target: the environment's flags as one flagd flag file, ``flags.flagd.json``.

The file follows flagd's flag-definition schema (https://flagd.dev/schema/v0/flags.json, ``json/flags.json``
in open-feature/flagd-schemas): ``$schema``, flag-set ``metadata`` (``flagSetId`` and ``version``) and
``flags``, each with ``state``, ``variants``, ``defaultVariant`` (left out when unset, so the caller's
default applies), ``targeting`` (left out when empty) and ``metadata``.

azconf's ``description``, ``owner`` and ``expires`` go into each flag's ``metadata``: the schema gives a
flag no other place for them, and flagd's in-process providers reject unknown flag keys (the Python
provider builds a dataclass from them). Flag metadata values may only be strings, numbers or booleans,
so ``expires`` is written as an ISO date.

:func:`flag_file` is the pure function the Kubernetes target reuses to put the same document in a
ConfigMap; :func:`dumps` gives the exact bytes this target writes.
"""

from __future__ import annotations

from typing import Any, overload

from azconf.config.located import format_path, plain
from azconf.jsontext import dumps_pretty
from azconf.model.sections import Environment, Flag
from azconf.render.base import RenderContext, RenderError, Reuse, TargetOptions

SCHEMA_URL = "https://flagd.dev/schema/v0/flags.json"
FILE_NAME = "flags.flagd.json"
# azconf fields that travel as flag metadata, in the order they are documented.
_METADATA_FIELDS = ("description", "owner", "expires")


class FlagdOptions(TargetOptions):
    """Options of the flagd target (``render.flagd`` in azconf.yaml); only the output folder so far."""


@overload
def flag_file(source: RenderContext) -> dict[str, Any]: ...


@overload
def flag_file(source: Environment, project: str, env: str, version: str) -> dict[str, Any]: ...


def flag_file(
    source: RenderContext | Environment,
    project: str | None = None,
    env: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """The flagd flag-file document of an environment (plain JSON data, nothing written).

    Pass a :class:`RenderContext`, or an environment model with the project, environment and
    version to name. Raises :class:`RenderError` listing every flag whose metadata cannot be built.
    With a context, the document is built once per environment and shared by its targets.
    """
    if isinstance(source, RenderContext):
        shared: dict[str, Any] = source.shared.get(DOCUMENT_KEY) or _document(
            source.model, source.project, source.env, source.version, source.reuse
        )
        source.shared[DOCUMENT_KEY] = shared  # the Kubernetes target puts the same document in a ConfigMap
        return shared
    if project is None or env is None or version is None:
        raise TypeError("flag_file(model, project, env, version): all four are needed with a model")
    return _document(source, project, env, version, Reuse())


DOCUMENT_KEY = "flagd.document"  # the flag document in RenderContext.shared


def updated_flag_file(document: dict[str, Any], model: Environment, changed: set[str]) -> dict[str, Any]:
    """``document``, a flag file of ``model``'s environment before some flags changed, with the flags
    ``changed`` built again from ``model`` (left out where it has none): what :func:`flag_file`
    gives for ``model``, building only those flags (each flag's entry depends on nothing else)."""
    flags = dict(document["flags"])
    violations: list[str] = []
    for key in sorted(changed):
        flags.pop(key, None)
        if key in model.flags:
            try:
                flags[key] = _flag(model.flags[key])
            except ValueError as error:
                violations.append(f"{format_path(('flags', key))}: {error}")
    if violations:
        raise RenderError("flagd", violations)
    return {**document, "flags": dict(sorted(flags.items()))}


def _document(model: Environment, project: str, env: str, version: str, reuse: Reuse) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    violations: list[str] = []
    for key in sorted(model.flags):
        try:
            flags[key] = reuse.item(_flag, model.flags[key])
        except ValueError as error:
            violations.append(f"{format_path(('flags', key))}: {error}")
    if violations:
        raise RenderError("flagd", violations)
    return {
        "$schema": SCHEMA_URL,
        "metadata": {"flagSetId": f"{project}-{env}", "version": version},
        "flags": flags,
    }


def dumps(document: dict[str, Any]) -> str:
    """The document as flagd file text: sorted keys, 2-space indent, a trailing newline."""
    return dumps_pretty(document)


def _flag(flag: Flag) -> dict[str, Any]:
    # Copies: the document is handed to other targets and must not alias the (frozen) model. The
    # values are JSON data, so copying dicts and lists is enough (deepcopy took 9x as long). The
    # entry is shared by every environment that has this flag unchanged (Reuse): read-only.
    entry: dict[str, Any] = {"state": flag.state, "variants": plain(flag.variants)}
    if flag.default_variant is not None:
        entry["defaultVariant"] = flag.default_variant
    if flag.targeting:  # {} means "no targeting"; leaving it out says the same more plainly
        entry["targeting"] = plain(flag.targeting)
    metadata = _metadata(flag)
    if metadata:
        entry["metadata"] = metadata
    return entry


def _metadata(flag: Flag) -> dict[str, str | bool | int | float]:
    """The flag's own metadata plus azconf's ownership fields; a clash is an error, never a silent pick."""
    metadata: dict[str, str | bool | int | float] = dict(flag.metadata)
    for name in _METADATA_FIELDS:
        value = getattr(flag, name)
        if value is None:
            continue
        text = value.isoformat() if name == "expires" else str(value)
        if name in metadata and metadata[name] != text:
            raise ValueError(
                f'metadata.{name} ("{metadata[name]}") clashes with the flag\'s {name} ("{text}"); '
                f"remove one of them"
            )
        metadata[name] = text
    return metadata


class FlagdTarget:
    """Renders ``flags.flagd.json``."""

    name = "flagd"
    options_model: type[TargetOptions] = FlagdOptions

    def render(self, context: RenderContext) -> dict[str, str]:
        """One file: the environment's flag file."""
        return {FILE_NAME: dumps(flag_file(context))}


TARGET = FlagdTarget()
