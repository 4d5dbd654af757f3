"""The shape of a flagd flag's ``targeting`` rule: JsonLogic plus flagd's custom operations.

flagd evaluates ``targeting`` as JsonLogic and serves the variant the rule returns. This module
checks a rule without evaluating it and returns :class:`TargetingIssue` values; it never raises for
bad input.

The operations and their argument counts follow flagd's targeting schema (v0.2.15 of
https://flagd.dev/schema/v0/targeting.json, ``json/targeting.json`` in open-feature/flagd-schemas):

* data: ``var`` (a name, an array index or ``[name, default]``; ``$flagd.flagKey`` and
  ``$flagd.timestamp`` are the only ``$flagd.`` names), ``missing`` (names), ``missing_some``
  (``[count, names]``)
* logic: ``if`` (1 or more), ``==`` ``===`` ``!=`` ``!==`` (2), ``!`` ``!!`` (1, bare or in a
  list), ``or`` ``and`` (1 or more)
* numbers: ``>`` ``>=`` ``%`` ``/`` (2), ``<`` ``<=`` (2, or 3 for "between"), ``+`` ``-`` ``max``
  ``min`` (1 or more), ``*`` (2 or more)
* arrays and strings: ``map`` ``filter`` ``all`` ``none`` ``some`` ``in`` (2), ``reduce`` (3),
  ``merge`` ``cat`` (1 or more), ``substr`` (2 or 3)
* flagd's own (https://flagd.dev/reference/custom-operations/): ``fractional``
  ``[bucketing expression?, [variant, weight?], ...]`` with whole weights from 0 to 2**31-1 (the
  weight defaults to 1; either part may be an expression), ``sem_ver``
  ``[value, operator, version]``, ``starts_with`` and ``ends_with`` ``[value, string]``
* ``{"$ref": name}`` stands for a shared rule under ``$evaluators``; flagd pastes it in before
  evaluating (https://flagd.dev/reference/flag-definitions/#shared-evaluators).

JsonLogic's ``log`` is not supported: neither flagd's schema nor its Go engine
(diegoholiveira/jsonlogic) knows it. Where flagd's documentation accepts more than its schema, the
documentation wins: ``sem_ver`` versions may have a ``v``/``V`` prefix and leave out the minor or
patch number (flagd's ``core/pkg/evaluator/semver.go`` normalises them for golang.org/x/mod/semver),
``var`` may index an array with a number (https://jsonlogic.com/operations.html#var), and ``$ref``
may stand wherever an expression may.

What a rule returns (https://flagd.dev/reference/flag-definitions/, "Variants Returned From
Targeting Rules"): a string names a variant, ``true``/``false`` select the variants
``"true"``/``"false"``, ``null`` falls back to the default variant, and anything else is an
evaluation error. Only the literal branches of ``if`` and buckets of ``fractional`` are checked;
every other operation computes its result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from azconf.config.located import KeyPath
from azconf.problems import did_you_mean

MAX_DEPTH = 64  # deeper rules get an issue instead of a RecursionError
_MAX_WEIGHT = 2**31 - 1  # flagd adds the weights up in an int32


@dataclass(frozen=True, slots=True)
class TargetingIssue:
    """One thing wrong in a targeting rule: where (keys and indexes into it), what, and a fix."""

    path: KeyPath
    message: str
    hint: str = ""


def check_targeting(
    targeting: object, variants: Collection[str], evaluators: Collection[str] = ()
) -> list[TargetingIssue]:
    """Check a rule against flagd's rules; ``{}`` means "no targeting" and has no issues."""
    return _walk(targeting, variants, evaluators).issues


def returned_variants(targeting: object) -> set[str]:
    """The variant names a rule returns literally from ``if`` branches and ``fractional`` buckets.

    A literal ``true`` or ``false`` counts as ``"true"`` or ``"false"``: flagd looks it up so.
    """
    return _walk(targeting, (), ()).returned


def _walk(targeting: object, variants: Collection[str], evaluators: Collection[str]) -> _Checker:
    checker = _Checker(variants, evaluators)
    if not isinstance(targeting, Mapping):
        checker.add(
            (),
            f"targeting must be an object (a JsonLogic rule), got {_show(targeting)}",
            'write a rule such as {"if": [...]}, or {} for no targeting',
        )
    elif targeting:
        checker.expr(targeting, (), 0, returns=True)
    return checker


# How many arguments each operation takes: (at least, at most); None means no upper limit.
_ARITY: dict[str, tuple[int, int | None]] = {
    **dict.fromkeys(("==", "===", "!=", "!==", ">", ">=", "%", "/"), (2, 2)),
    **dict.fromkeys(("in", "map", "filter", "all", "none", "some"), (2, 2)),
    **dict.fromkeys(("<", "<=", "substr"), (2, 3)),
    **dict.fromkeys(("if", "or", "and", "+", "-", "max", "min", "merge", "cat"), (1, None)),
    **dict.fromkeys(("!", "!!"), (1, 1)),
    "*": (2, None),
    "reduce": (3, 3),
    "missing_some": (2, 2),
    "sem_ver": (3, 3),
    "starts_with": (2, 2),
    "ends_with": (2, 2),
}
_NOT_IN_FLAGD = {
    "log": "flagd does not support JsonLogic's log operation; remove it",
    "fractionalEvaluation": 'it was renamed fractional, which takes {"var": "email"}, not "email"',
}
_FLAGD_PROPERTIES = ("$flagd.flagKey", "$flagd.timestamp")
_SEMVER_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "^", "~")
# golang.org/x/mod/semver after flagd's normalisation: vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]
_NUM = r"(?:0|[1-9][0-9]*)"
_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    rf"[vV]?{_NUM}(?:\.{_NUM}(?:\.{_NUM}(?:-{_PRE}(?:\.{_PRE})*)?(?:\+{_BUILD}(?:\.{_BUILD})*)?)?)?"
)


class _Checker:
    """Walks a rule once, collecting issues and the variant names it returns literally."""

    def __init__(self, variants: Collection[str], evaluators: Collection[str]) -> None:
        self.variants = variants
        self.evaluators = evaluators
        self.issues: list[TargetingIssue] = []
        self.returned: set[str] = set()

    def add(self, path: KeyPath, message: str, hint: str = "") -> None:
        self.issues.append(TargetingIssue(path, message, hint))

    def expr(self, value: object, path: KeyPath, depth: int, returns: bool = False) -> None:
        """Check a value JsonLogic evaluates; ``returns`` marks a place that names the variant."""
        if depth > MAX_DEPTH:
            self.add(
                path,
                f"the rule is nested more than {MAX_DEPTH} levels deep",
                "flatten it, or move parts into $evaluators",
            )
        elif isinstance(value, Mapping):
            self.operation(value, path, depth, returns)
        else:
            if returns:
                self.returned_value(value, path)
            if isinstance(value, list | tuple):
                self.each(value, path, depth)

    def each(self, args: object, where: KeyPath, depth: int) -> None:
        """Check arguments that are plain expressions: a list of them, or one bare value."""
        if isinstance(args, list | tuple):
            for i, item in enumerate(args):
                self.expr(item, (*where, i), depth + 1)
        else:
            self.expr(args, where, depth + 1)

    def operation(self, node: Mapping[object, object], path: KeyPath, depth: int, returns: bool) -> None:
        if len(node) != 1:
            self.not_one_key(node, path)
            return
        ((op, args),) = node.items()
        if not isinstance(op, str):  # YAML allows numbers and booleans as keys
            self.add(path, f"an operation name must be a string, got {_show(op)}")
            return
        where = (*path, op)
        if op == "$ref":
            self.ref(args, where)
        elif op in _CHECKS:
            _CHECKS[op](self, args, where, depth, returns)
        else:
            hint = _NOT_IN_FLAGD.get(
                op,
                "flagd supports JsonLogic's operations and fractional, sem_ver, starts_with and ends_with",
            )
            self.add(where, f'unknown operation "{op}"{did_you_mean(op, _CHECKS)}', hint)
            self.each(args, where, depth)

    def not_one_key(self, node: Mapping[object, object], path: KeyPath) -> None:
        if not node:
            self.add(path, "an empty object is not an operation", "remove it, or use null")
            return
        keys = ", ".join(str(key) for key in node)
        self.add(
            path,
            f"an operation must have exactly one key, got {len(node)}: {keys}",
            "give each operation its own object and combine them with and/or",
        )

    def arguments(self, args: object, where: KeyPath) -> Sequence[object] | None:
        """The argument list when it has as many items as the operation takes, else None."""
        op = str(where[-1])
        if not isinstance(args, list | tuple):
            self.add(
                where,
                f"{op}: expected a list of arguments, got {_show(args)}",
                f'write {{"{op}": [...]}}',
            )
            return None
        low, high = _ARITY[op]
        if len(args) < low or (high is not None and len(args) > high):
            self.add(where, f"{op}: takes {_count(low, high)}, got {len(args)}")
            return None
        return args

    def returned_value(self, value: object, path: KeyPath) -> None:
        if value is None:  # null: flagd serves the default variant
            return
        if isinstance(value, bool | str):
            name = value if isinstance(value, str) else str(value).lower()
            self.returned.add(name)
            if name not in self.variants:
                self.unknown_variant(value, name, path)
        else:
            self.add(
                path,
                f"returns {_show(value)}, but a rule must return a variant name, true, false or null",
                "quote it if it is a variant name",
            )

    def unknown_variant(self, value: bool | str, name: str, path: KeyPath) -> None:
        if isinstance(value, bool):
            self.add(
                path,
                f'returns unknown variant "{name}" (the boolean {name})',
                "quote the variant name: YAML reads bare on/off/yes/no/true/false as booleans",
            )
            return
        known = ", ".join(sorted(map(str, self.variants))) or "none"
        self.add(
            path,
            f'returns unknown variant "{name}"{did_you_mean(name, self.variants)}',
            f"the flag's variants are: {known}",
        )

    def ref(self, name: object, where: KeyPath) -> None:
        if not isinstance(name, str):
            self.add(where, f"$ref: expected the name of a shared evaluator, got {_show(name)}")
        elif name not in self.evaluators:
            hint = "define it under $evaluators" if self.evaluators else "no $evaluators are defined"
            self.add(
                where,
                f'$ref: unknown evaluator "{name}"{did_you_mean(name, self.evaluators)}',
                hint,
            )

    # One method per kind of operation, all called as (args, where, depth, returns); see _CHECKS.

    def plain(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        self.arguments(args, where)
        self.each(args, where, depth)

    def unary(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        if isinstance(args, list | tuple):  # a bare argument is also fine: {"!": {"var": "x"}}
            self.arguments(args, where)
        self.each(args, where, depth)

    def if_(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        items = self.arguments(args, where)
        if items is None:
            self.each(args, where, depth)
            return
        last = len(items) - 1
        for i, item in enumerate(items):
            # [if, then, elif, then, ..., else]: the odd places and the last one are results
            branch = i % 2 == 1 or i == last
            self.expr(item, (*where, i), depth + 1, returns and branch)

    def var(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        name, name_path = args, where
        if isinstance(args, list | tuple):
            if not 1 <= len(args) <= 2:
                self.add(where, f'var: expected "name" or ["name", default], got {_show(args)}')
                return
            name, name_path = args[0], (*where, 0)
            if len(args) == 2 and not _is_scalar(args[1]):
                self.add(
                    (*where, 1),
                    f"var: the default must be a string, number, boolean or null, got {_show(args[1])}",
                )
        if isinstance(name, str):
            self.flagd_property(name, name_path)
        elif not _is_int(name):
            self.add(
                name_path,
                f'var: expected a name such as "email", got {_show(name)}',
                "var takes a dotted name, an array index or [name, default]",
            )

    def flagd_property(self, name: str, path: KeyPath) -> None:
        if name.startswith("$flagd.") and name not in _FLAGD_PROPERTIES:
            self.add(
                path,
                f'var: unknown flagd property "{name}"{did_you_mean(name, _FLAGD_PROPERTIES)}',
                "flagd only sets $flagd.flagKey and $flagd.timestamp",
            )

    def missing(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        self.names("missing", args, where)

    def missing_some(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        items = self.arguments(args, where)
        if items is None:
            return
        if not _is_number(items[0]):
            self.add(
                (*where, 0),
                f"missing_some: the first argument is how many names must be present, got {_show(items[0])}",
            )
        self.names("missing_some", items[1], (*where, 1))

    def names(self, op: str, value: object, path: KeyPath) -> None:
        if not isinstance(value, list | tuple):
            self.add(path, f'{op}: expected a list of names such as ["email"], got {_show(value)}')
            return
        for i, name in enumerate(value):
            if not isinstance(name, str):
                self.add((*path, i), f"{op}: a name must be a string, got {_show(name)}")

    def fractional(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        if not isinstance(args, list | tuple) or not args:
            self.add(
                where,
                f"fractional: expected [bucketing expression, [variant, weight], ...], got {_show(args)}",
                'e.g. [{"var": "email"}, ["on", 10], ["off", 90]]',
            )
            self.each(args, where, depth)
            return
        first = 0
        if not isinstance(args[0], list | tuple):  # else the shorthand: buckets only
            first = 1
            self.bucketing(args[0], (*where, 0), depth)
        if len(args) == first:
            self.add(where, "fractional: needs at least one [variant, weight] bucket")
        weights = [self.bucket(args[i], (*where, i), depth, returns) for i in range(first, len(args))]
        self.total_weight(weights, where)

    def bucketing(self, value: object, path: KeyPath, depth: int) -> None:
        if isinstance(value, Mapping):
            self.expr(value, path, depth + 1)
            return
        self.add(
            path,
            f"fractional: the bucketing value must be an expression, got {_show(value)}",
            'a literal puts everyone in one bucket: use {"var": "email"}, or leave it out '
            "to bucket by targetingKey",
        )

    def bucket(self, value: object, path: KeyPath, depth: int, returns: bool) -> int | None:
        """Check one bucket; its weight when that is a literal, else None."""
        if not isinstance(value, list | tuple) or not 1 <= len(value) <= 2:
            self.add(
                path,
                f"fractional: a bucket must be [variant] or [variant, weight], got {_show(value)}",
                'e.g. ["on", 10]; the weight defaults to 1',
            )
            return None
        self.expr(value[0], (*path, 0), depth + 1, returns)
        if len(value) == 1:
            return 1
        return self.weight(value[1], (*path, 1), depth)

    def weight(self, value: object, path: KeyPath, depth: int) -> int | None:
        if isinstance(value, Mapping):  # computed at evaluation, e.g. from $flagd.timestamp
            self.expr(value, path, depth + 1)
            return None
        # the range test comes first: it keeps NaN, infinities and huge ints away from int()
        if _is_number(value) and 0 <= value <= _MAX_WEIGHT and value == int(value):
            return int(value)
        self.add(
            path,
            f"fractional: a weight must be a whole number from 0 to {_MAX_WEIGHT}, got {_show(value)}",
            'weights are relative: ["on", 1], ["off", 9] gives on 10%',
        )
        return None

    def total_weight(self, weights: list[int | None], where: KeyPath) -> None:
        if not weights or None in weights:
            return
        total = sum(w for w in weights if w is not None)
        if total > _MAX_WEIGHT:
            self.add(
                where,
                f"fractional: the weights add up to {total}, more than {_MAX_WEIGHT}",
                "scale the weights down; only their ratios matter",
            )
        elif total == 0:
            self.add(
                where,
                "fractional: every weight is 0, so it always returns null",
                "give at least one bucket a weight above 0",
            )

    def sem_ver(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        items = self.arguments(args, where)
        if items is None:
            self.each(args, where, depth)
            return
        value, operator, version = items
        self.version(value, (*where, 0), depth)
        if not (isinstance(operator, str) and operator in _SEMVER_OPERATORS):
            suggestion = did_you_mean(operator, _SEMVER_OPERATORS) if isinstance(operator, str) else ""
            self.add(
                (*where, 1),
                f"sem_ver: unknown operator {_show(operator)}{suggestion}",
                "use = != < <= > >=, ^ (same major version) or ~ (same minor version)",
            )
        self.version(version, (*where, 2), depth)

    def version(self, value: object, path: KeyPath, depth: int) -> None:
        if isinstance(value, Mapping):
            self.expr(value, path, depth + 1)
        elif not isinstance(value, str):
            # flagd would format a number as text, but 1.10 reaches it as 1.1: ask for quotes
            self.add(
                path,
                f"sem_ver: expected a version string or an expression, got {_show(value)}",
                'quote the version, e.g. "1.2.0"',
            )
        elif not _SEMVER.fullmatch(value):
            self.add(
                path,
                f'sem_ver: "{value}" is not a semantic version',
                'write MAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]], e.g. "1.2.0" or "v2"',
            )

    def string_compare(self, args: object, where: KeyPath, depth: int, returns: bool) -> None:
        items = self.arguments(args, where)
        if items is None:
            self.each(args, where, depth)
            return
        for i, item in enumerate(items):
            if isinstance(item, Mapping):
                self.expr(item, (*where, i), depth + 1)
            elif not isinstance(item, str):
                self.add(
                    (*where, i),
                    f"{where[-1]}: expected a string or an expression, got {_show(item)}",
                    'use a string, or an expression such as {"var": "email"}',
                )


_Check = Callable[[_Checker, object, KeyPath, int, bool], None]
# Every operation flagd knows, and the method that checks its arguments.
_CHECKS: dict[str, _Check] = {
    **dict.fromkeys(_ARITY, _Checker.plain),
    "!": _Checker.unary,
    "!!": _Checker.unary,
    "if": _Checker.if_,
    "var": _Checker.var,
    "missing": _Checker.missing,
    "missing_some": _Checker.missing_some,
    "fractional": _Checker.fractional,
    "sem_ver": _Checker.sem_ver,
    "starts_with": _Checker.string_compare,
    "ends_with": _Checker.string_compare,
}


def _count(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' if low > 1 else ''}"
    if low == high:
        return f"exactly {low} argument{'s' if low > 1 else ''}"
    return f"{low} or {high} arguments"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float)


def _show(value: object, limit: int = 60) -> str:
    """A value as short JSON, for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):  # a cycle, odd keys or very deep nesting
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
