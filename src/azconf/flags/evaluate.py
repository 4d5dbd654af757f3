"""Evaluate flags of a flagd flag document, exactly as flagd's reference evaluator does.

:class:`FlagSet` takes the document azconf renders for flagd (``azconf.render.flagd.flag_file``) or any
flagd flag file, pastes in ``$evaluators``, and compiles every targeting rule once. :meth:`FlagSet.evaluate`
then answers one flag for one evaluation context with an :class:`Evaluation`: the value (absent when
the caller's own default applies), the variant, the OpenFeature reason, the merged metadata, or an
error code. The rules, case by case (flagd's ``FlagdCore._resolve``):

* unknown key: ``FLAG_NOT_FOUND``; ``DISABLED``: reason ``DISABLED``, the caller's default;
* no targeting: the default variant, reason ``STATIC`` (no default variant: ``DEFAULT``, caller's value);
* targeting returns null: the default variant, reason ``DEFAULT``; a variant name (``true``/``false``
  name ``"true"``/``"false"``, other values their text): that variant, ``TARGETING_MATCH``; a name that
  is not a variant, or whose value is null: ``GENERAL`` error; an unknown operation: ``PARSE_ERROR``.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from azconf.flags.builtin_ops import BUILTINS
from azconf.flags.jsonlogic import Compiled, RuleError, compile_rule
from azconf.flags.operations import FLAGD_OPERATIONS

OPERATIONS: Final = {**BUILTINS, **FLAGD_OPERATIONS}


class _Missing:
    def __repr__(self) -> str:
        return "CODE_DEFAULT"


CODE_DEFAULT: Final = _Missing()
"""The value of an evaluation that defers to the caller's default (OFREP leaves ``value`` out)."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One flag evaluated for one context: a value and why, or an error code."""

    key: str
    value: Any = CODE_DEFAULT
    variant: str | None = None
    reason: str = "ERROR"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    error_code: str | None = None  # FLAG_NOT_FOUND, PARSE_ERROR, GENERAL
    error_details: str | None = None

    @property
    def failed(self) -> bool:
        """Whether this is an error rather than a value."""
        return self.error_code is not None


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    """One flag, its targeting compiled (None: no targeting)."""

    key: str
    enabled: bool
    variants: Mapping[str, Any]
    default_variant: str | None
    rule: Compiled | None
    metadata: Mapping[str, Any]
    static: Evaluation | None = None  # the answer for every context (disabled, or no targeting)


class FlagSet:
    """A flagd flag document, compiled: evaluate any of its flags for any context."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        set_metadata = dict(document.get("metadata") or {})
        flags = _with_evaluators(document.get("flags") or {}, document.get("$evaluators"))
        self._hold(
            set_metadata, {key: _compile_flag(key, entry, set_metadata) for key, entry in flags.items()}
        )

    def _hold(self, metadata: Mapping[str, Any], flags: dict[str, CompiledFlag]) -> None:
        self.metadata: Mapping[str, Any] = metadata
        self.flags: dict[str, CompiledFlag] = flags
        self.names: list[str] = sorted(flags)  # bulk evaluation's order
        self._ordered = [flags[name] for name in self.names]

    def updated(self, document: Mapping[str, Any], changed: set[str]) -> FlagSet:
        """The flag set of ``document``, which differs from this set's only in the flags ``changed``
        (and has no ``$evaluators``, as azconf's documents): only those are compiled again."""
        if document.get("$evaluators") or dict(document.get("metadata") or {}) != self.metadata:
            return FlagSet(document)
        entries = document.get("flags") or {}
        new = copy.copy(self)
        new._hold(
            self.metadata,
            {
                key: _compile_flag(key, entry, self.metadata) if key in changed else self.flags[key]
                for key, entry in entries.items()
            },
        )
        return new

    def evaluate(
        self, key: str, context: Mapping[str, Any] | None = None, now: float | None = None
    ) -> Evaluation:
        """Evaluate flag ``key``; ``context`` is the OFREP context (``targetingKey`` plus attributes)."""
        flag = self.flags.get(key)
        if flag is None:
            return Evaluation(key, error_code="FLAG_NOT_FOUND", error_details=f'flag "{key}" not found')
        return flag.static or _targeted(flag, _data(context), _timestamp(now))

    def evaluate_all(
        self, context: Mapping[str, Any] | None = None, now: float | None = None
    ) -> list[Evaluation]:
        """Every flag for one context, in :attr:`names` order (the context is copied once, not per flag)."""
        data, timestamp = _data(context), _timestamp(now)
        return [flag.static or _targeted(flag, data, timestamp) for flag in self._ordered]


def _targeted(flag: CompiledFlag, data: dict[str, Any], timestamp: int) -> Evaluation:
    """Run a flag's rule on ``data`` (rules never change it; only ``$flagd`` is set per flag)."""
    assert flag.rule is not None
    data["$flagd"] = {"flagKey": flag.key, "timestamp": timestamp}
    try:
        chosen = flag.rule(data)
    except RuleError as error:
        return _error(flag, "PARSE_ERROR", f"invalid targeting: {error}")
    except Exception as error:  # the reference fails the evaluation on any error in a rule
        return _error(flag, "GENERAL", f"targeting failed: {type(error).__name__}")
    if chosen is None:
        return _default(flag, "DEFAULT")
    return _chosen(flag, chosen)


def _data(context: Mapping[str, Any] | None) -> dict[str, Any]:
    """The JsonLogic data of an evaluation: the attributes and ``targetingKey`` (``$flagd`` per flag)."""
    data = dict(context) if context else {}
    data["targetingKey"] = data.get("targetingKey")
    return data


def _timestamp(now: float | None) -> int:
    return int(time.time() if now is None else now)


def _default(flag: CompiledFlag, reason: str) -> Evaluation:
    variant = flag.default_variant
    if variant is None:
        return Evaluation(flag.key, reason="DEFAULT", metadata=flag.metadata)
    if variant not in flag.variants:
        return _error(flag, "GENERAL", f'default variant "{variant}" is not a variant')
    return Evaluation(flag.key, flag.variants[variant], variant, reason, flag.metadata)


def _chosen(flag: CompiledFlag, chosen: Any) -> Evaluation:
    if isinstance(chosen, bool):
        name = "true" if chosen else "false"
    elif isinstance(chosen, str):
        name = chosen
    else:
        name = str(chosen)  # as the reference names a number (and, oddly, a list)
    value = flag.variants.get(name) if name else None
    if value is None:
        return _error(flag, "GENERAL", f'targeting returned "{name}", which is not a variant')
    return Evaluation(flag.key, value, name, "TARGETING_MATCH", flag.metadata)


def _error(flag: CompiledFlag, code: str, details: str) -> Evaluation:
    return Evaluation(flag.key, metadata=flag.metadata, error_code=code, error_details=details)


def _compile_flag(key: str, entry: Mapping[str, Any], set_metadata: Mapping[str, Any]) -> CompiledFlag:
    default = entry.get("defaultVariant")
    if isinstance(default, bool):
        default = "true" if default else "false"
    targeting = entry.get("targeting")
    rule: Compiled | None = None
    if targeting:
        rule = compile_rule(targeting, OPERATIONS) if isinstance(targeting, dict) else _not_a_rule(targeting)
    flag = CompiledFlag(
        key=key,
        enabled=entry.get("state") == "ENABLED",
        variants=dict(entry.get("variants") or {}),
        default_variant=default or None,  # "" means no default variant, as in flagd
        rule=rule,
        metadata={**set_metadata, **(entry.get("metadata") or {})},
    )
    if not flag.enabled:
        return replace(flag, static=Evaluation(key, reason="DISABLED", metadata=flag.metadata))
    if rule is None:
        return replace(flag, static=_default(flag, "STATIC"))
    return flag


def _not_a_rule(targeting: Any) -> Compiled:
    def fail(data: Any) -> Any:
        raise RuleError(f"targeting must be an object, not {type(targeting).__name__}")

    return fail


def _with_evaluators(flags: Mapping[str, Any], evaluators: Mapping[str, Any] | None) -> dict[str, Any]:
    """The flags with every ``{"$ref": name}`` replaced by the shared rule, as flagd pastes it in.

    flagd replaces the text of the JSON document, one evaluator after another (so an evaluator may use
    one defined after it); doing the same keeps its answers for every document.
    """
    if not evaluators:
        return dict(flags)
    text = json.dumps(flags)
    for name, rule in evaluators.items():
        pattern = rf'{{\s*"\$ref":\s*"{re.escape(name)}"\s*}}'
        text = re.compile(pattern).sub(_literal(json.dumps(rule)), text)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts ``replacement`` as is (no backslash escapes)."""
    return lambda _match: replacement
