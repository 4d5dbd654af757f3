"""JsonLogic's standard operations, each ``f(data, *args)`` on evaluated arguments.

``log`` returns its argument and prints nothing: a service must not write evaluation contexts to its
output (azconf's validation rejects ``log`` anyway, as flagd's schema does).
"""

from __future__ import annotations

import math
from typing import Any

from azconf.flags.values import NAN, NUMERIC, compare, loose_equals, to_number, to_string, truthy


def _ordered(check: Any) -> Any:
    def run(data: Any, a: Any = None, b: Any = None, c: Any = None, *_: Any) -> bool:
        left, right = compare(a, b)
        if c is None:
            return bool(check(left, right))
        middle, last = compare(b, c)
        return bool(check(left, right)) and bool(check(middle, last))

    return run


def op_var(data: Any, key: Any = None, default: Any = None) -> Any:
    """``var``: a dotted name, an index, or the whole data for ``""``/null."""
    if key is None or key == "":
        return data
    if isinstance(key, NUMERIC):
        if isinstance(data, list | str):
            return _index(data, key, default)
        if not isinstance(data, dict):
            return default
        data = data.get(key)
        if data is None:
            return default
    for prop in to_string(key).split("."):
        if prop == "length" and isinstance(data, list | str):
            return len(data)  # JavaScript's length of an array or a string, whatever follows
        data = _step(data, prop)
        if data is _NOTHING:
            return default
    return default if data is None else data


def _index(data: list[Any] | str, key: int | float, default: Any) -> Any:
    try:
        index = int(key)
    except ValueError:  # NaN
        return default
    if index != key or index < 0 or index >= len(data):
        return default
    return data[index]


_NOTHING = object()


def _step(data: Any, prop: str) -> Any:
    """One step of a dotted name into ``data``; _NOTHING where JavaScript gives undefined."""
    if isinstance(data, dict):
        return data.get(prop)
    if not isinstance(data, list | str):
        return _NOTHING
    try:
        index = int(prop, 10)
    except ValueError:
        return _NOTHING
    if prop != str(index) or index < 0 or index >= len(data):
        return _NOTHING
    return data[index]


def op_missing(data: Any, *args: Any) -> list[Any]:
    """``missing``: the names whose value is null or empty."""
    keys = args[0] if args and isinstance(args[0], list) else args
    return [key for key in keys if op_var(data, key) in (None, "")]


def op_missing_some(data: Any, need: Any = 0, keys: Any = None, *_: Any) -> list[Any]:
    """``missing_some``: the missing names, unless at least ``need`` are present."""
    if not isinstance(keys, list):
        return []
    missing = op_missing(data, keys)
    return [] if len(keys) - len(missing) >= to_number(need) else missing


def op_in(data: Any, needle: Any = None, haystack: Any = None, *_: Any) -> bool:
    """``in``: membership in a list, or a substring."""
    if isinstance(haystack, list):
        return needle in haystack
    if isinstance(haystack, str):
        return to_string(needle) in haystack
    return False


def op_substr(data: Any, text: Any = None, start: Any = None, length: Any = None, *_: Any) -> str:
    """``substr`` with JavaScript's negative start and length."""
    string = to_string(text)
    size = len(string)
    index = to_number(start)
    if math.isnan(index):
        begin = 0
    elif index < 0:
        begin = 0 if -index >= size else size - int(-index)
    else:
        begin = min(int(index), size)
    if length is None:
        return string[begin:]
    count = to_number(length)
    if math.isnan(count):
        return ""
    count = int(count)
    end = max(size + count, begin) if count < 0 else begin + count
    return string[begin:end]


def op_merge(data: Any, *args: Any) -> list[Any]:
    """``merge``: lists flattened one level."""
    items: list[Any] = []
    for arg in args:
        if isinstance(arg, list):
            items.extend(arg)
        else:
            items.append(arg)
    return items


def _add(data: Any, *args: Any) -> Any:
    total: Any = 0
    for arg in args:
        total += to_number(arg)
    return total


def _multiply(data: Any, *args: Any) -> Any:
    product: Any = 1
    for arg in args:
        product *= to_number(arg)
    return product


def _minus(data: Any, a: Any = None, b: Any = None, *_: Any) -> Any:
    return -to_number(a) if b is None else to_number(a) - to_number(b)


BUILTINS: dict[str, Any] = {
    "==": lambda data, a=None, b=None, *_: loose_equals(a, b),
    "!=": lambda data, a=None, b=None, *_: not loose_equals(a, b),
    "===": lambda data, a=None, b=None, *_: a == b,
    "!==": lambda data, a=None, b=None, *_: a != b,
    "<": _ordered(lambda x, y: x < y),
    ">": _ordered(lambda x, y: x > y),
    "<=": _ordered(lambda x, y: x <= y),
    ">=": _ordered(lambda x, y: x >= y),
    "!": lambda data, a=None, *_: not truthy(a),
    "!!": lambda data, a=None, *_: truthy(a),
    "+": _add,
    "*": _multiply,
    "-": _minus,
    "/": lambda data, a=None, b=None, *_: to_number(a) / to_number(b),
    "%": lambda data, a=None, b=None, *_: to_number(a) % to_number(b),
    "in": op_in,
    "min": lambda data, *args: min(to_number(arg) for arg in args) if args else NAN,
    "max": lambda data, *args: max(to_number(arg) for arg in args) if args else NAN,
    "cat": lambda data, *args: "".join(to_string(arg) for arg in args),
    "log": lambda data, a=None, *_: a,
    "var": op_var,
    "substr": op_substr,
    "merge": op_merge,
    "missing": op_missing,
    "missing_some": op_missing_some,
}
