"""JsonLogic rules compiled once into Python closures, with flagd's semantics.

flagd's reference evaluator walks the rule for every evaluation, literals included; a compiled rule
looks at each node once, at load, and keeps only the work that depends on the evaluation context
(an ``in`` over twenty literal e-mails becomes a set lookup). The answers are the reference's for every
input: ``tests/unit/flags`` compares them on every flag of the example and of the benchmark corpus.

A rule that cannot be evaluated raises :class:`RuleError` (an unknown operation, as the reference raises
ReferenceError) or the TypeError/ZeroDivisionError the reference raises, only when that node is reached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azconf.flags import builtin_ops
from azconf.flags.values import truthy

Compiled = Callable[[Any], Any]
"""A compiled rule: data (the evaluation context) in, the rule's value out."""

Operation = Callable[..., Any]


class RuleError(Exception):
    """A rule names an operation that does not exist (flagd: a parse error of the targeting)."""


def compile_rule(rule: Any, operations: dict[str, Operation]) -> Compiled:
    """Compile a JsonLogic rule; ``operations`` maps names to ``f(data, *args)``."""
    if isinstance(rule, list):
        items = [compile_rule(item, operations) for item in rule]
        return lambda data: [item(data) for item in items]
    if not isinstance(rule, dict) or len(rule) != 1:
        return lambda data: rule
    ((name, args),) = rule.items()
    if not isinstance(args, list):
        args = [args]
    if name == "reduce":  # its initial value is taken as written, unevaluated (as the reference does)
        start = args[2] if len(args) > 2 else None
        return _reduce([compile_rule(arg, operations) for arg in args[:2]], start)
    special = _SPECIAL.get(name)
    if special is not None:
        return special([compile_rule(arg, operations) for arg in args])
    if name == "var" and len(args) == 1 and isinstance(args[0], str) and args[0]:
        return _var(args[0])
    if name == "in" and len(args) == 2 and _literal_strings(args[1]):
        return compile_in(compile_rule(args[0], operations), args[1])
    return _call(name, [compile_rule(arg, operations) for arg in args], operations)


def _call(name: str, args: list[Compiled], operations: dict[str, Operation]) -> Compiled:
    operation = operations.get(name)
    if operation is None:
        message = f"unknown operation {name!r}"

        def unknown(data: Any) -> Any:
            for arg in args:  # the reference evaluates the arguments first; they may fail first
                arg(data)
            raise RuleError(message)

        return unknown
    if len(args) == 1:
        (only,) = args
        return lambda data: operation(data, only(data))
    if len(args) == 2:
        first, second = args
        return lambda data: operation(data, first(data), second(data))
    return lambda data: operation(data, *[arg(data) for arg in args])


# -- fast paths: the same answers, less work per evaluation -----------------------------------------


def _var(key: str) -> Compiled:
    """``{"var": "a.b"}``: the common case of a dotted name, split once."""
    props = key.split(".")
    if len(props) == 1:

        def simple(data: Any) -> Any:
            if isinstance(data, dict):
                return data.get(key)
            return builtin_ops.op_var(data, key)

        return simple
    return lambda data: builtin_ops.op_var(data, key)


def _literal_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def compile_in(needle: Compiled, haystack: list[str]) -> Compiled:
    """``in`` over a literal list of strings: a set lookup for a string needle, else the list's."""
    members = frozenset(haystack)

    def lookup(data: Any) -> bool:
        value = needle(data)
        if isinstance(value, str):
            return value in members
        return value in haystack  # equality as the reference's list search (1 == 1.0, True == 1)

    return lookup


# -- the operations that decide which arguments to evaluate ------------------------------------------


def _if(args: list[Compiled]) -> Compiled:
    last = len(args) - 1

    def run(data: Any) -> Any:
        index = 0
        while index < last:
            if truthy(args[index](data)):
                return args[index + 1](data)
            index += 2
        return args[index](data) if index <= last else None

    return run


def _and(args: list[Compiled]) -> Compiled:
    def run(data: Any) -> Any:
        current = None
        for arg in args:
            current = arg(data)
            if not truthy(current):
                return current
        return current

    return run


def _or(args: list[Compiled]) -> Compiled:
    def run(data: Any) -> Any:
        current = None
        for arg in args:
            current = arg(data)
            if truthy(current):
                return current
        return current

    return run


def _filter(args: list[Compiled]) -> Compiled:
    if len(args) < 2:
        return lambda data: []
    source, test = args[0], args[1]

    def run(data: Any) -> Any:
        items = source(data)
        return [item for item in items if truthy(test(item))] if isinstance(items, list) else []

    return run


def _map(args: list[Compiled]) -> Compiled:
    if not args:
        return lambda data: []
    source = args[0]
    each: Compiled = args[1] if len(args) > 1 else (lambda data: None)

    def run(data: Any) -> Any:
        items = source(data)
        return [each(item) for item in items] if isinstance(items, list) else []

    return run


def _reduce(args: list[Compiled], start: Any) -> Compiled:
    if not args:
        return lambda data: None
    source = args[0]
    step: Compiled = args[1] if len(args) > 1 else (lambda data: None)

    def run(data: Any) -> Any:
        items = source(data)
        accumulator = start
        if not isinstance(items, list):
            return accumulator
        scope: dict[str, Any] = {"accumulator": accumulator}
        for item in items:
            scope["current"] = item
            scope["accumulator"] = step(scope)
        return scope["accumulator"]

    return run


def _quantifier(kind: str) -> Callable[[list[Compiled]], Compiled]:
    def build(args: list[Compiled]) -> Compiled:
        if len(args) < 2:
            empty = kind == "none"
            return lambda data: empty
        source, test = args[0], args[1]

        def run(data: Any) -> Any:
            items = source(data)
            if not isinstance(items, list):
                return kind == "none"
            if kind == "all":
                return bool(items) and all(truthy(test(item)) for item in items)
            found = any(truthy(test(item)) for item in items)
            return found if kind == "some" else not found

        return run

    return build


_SPECIAL: dict[str, Callable[[list[Compiled]], Compiled]] = {
    "if": _if,
    "?:": _if,
    "and": _and,
    "or": _or,
    "filter": _filter,
    "map": _map,
    "all": _quantifier("all"),
    "some": _quantifier("some"),
    "none": _quantifier("none"),
}
