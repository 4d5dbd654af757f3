"""JsonLogic's value coercions (JavaScript's, as flagd's reference evaluator applies them).

flagd's Python core evaluates with the ``panzi-json-logic`` rules; these functions give the same answers
for the same JSON values, so a compiled rule agrees with the reference on every input.
"""

from __future__ import annotations

import math
from typing import Any

NUMERIC = (int, float)
NAN = float("nan")


def to_number(value: Any) -> int | float:
    """JavaScript's ``Number(value)`` for JSON values."""
    if isinstance(value, NUMERIC):
        return value
    if value is None:
        return 0
    if isinstance(value, list):
        if not value:
            return 0
        return to_number(value[0]) if len(value) == 1 else NAN
    if isinstance(value, dict):
        return NAN
    if isinstance(value, str) and value.strip().lower() in ("inf", "-inf", "+inf"):
        return NAN  # Python's float() reads these; JavaScript does not
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


def to_string(value: Any) -> str:
    """JavaScript's ``String(value)`` for JSON values, as the reference writes it.

    A boolean becomes ``True``/``False`` (Python's spelling, not JavaScript's): the reference checks
    for integers first, and flagd's answers are what azconf must give.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, list):
        return ",".join(to_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def truthy(value: Any) -> bool:
    """JsonLogic's truthiness: JavaScript's, except that an empty list is false."""
    if value is None:
        return False
    if type(value) is bool:
        return value
    if isinstance(value, float):
        return not math.isnan(value) and bool(value)
    if isinstance(value, str | int | list):
        return bool(value)
    return True  # objects


def loose_equals(a: Any, b: Any) -> bool:
    """JsonLogic's ``==`` (JavaScript's loose equality); raises TypeError where the reference does."""
    kind = type(a)
    if kind is type(b):
        return a is b if kind in (list, dict) else bool(a == b)
    if isinstance(a, NUMERIC):
        return a == (b if isinstance(b, NUMERIC) else to_number(b))
    if isinstance(b, NUMERIC):
        return to_number(a) == b
    if a is None or b is None:
        return False
    if isinstance(a, str):
        if isinstance(b, bool):
            return to_number(a) == to_number(b)
        if isinstance(b, list | dict):
            return a == to_string(b)
        raise TypeError("cannot compare")
    if isinstance(a, bool):
        return to_number(a) == to_number(b)
    if isinstance(a, list | dict):
        if isinstance(b, list | dict):
            return False
        if isinstance(b, str):
            return to_string(a) == b
        if isinstance(b, bool):
            return to_number(a) == to_number(b)
    raise TypeError("cannot compare")


def compare(a: Any, b: Any) -> tuple[Any, Any]:
    """The two operands of ``<``/``>``/``<=``/``>=`` after JavaScript's coercion."""
    if isinstance(a, NUMERIC):
        return a, to_number(b)
    if isinstance(b, NUMERIC):
        return to_number(a), b
    if isinstance(a, str):
        return a, to_string(b)
    if isinstance(b, str):
        return to_string(a), b
    return to_number(a), to_number(b)
