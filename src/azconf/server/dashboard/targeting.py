"""JsonLogic targeting as one readable line: ``if email ends_with "@azora.dev" then on else off``.

The dashboard shows this beside the raw JSON, so a reviewer reads the rule without parsing brackets.
Unknown operations fall back to ``op(arg, ...)``; nothing here evaluates anything.
"""

from __future__ import annotations

import json
from typing import Any

INFIX = {"==", "===", "!=", "!==", "<", "<=", ">", ">=", "in", "starts_with", "ends_with", "+", "-", "*", "/"}


def describe(rule: Any) -> str:
    """``rule`` (a JsonLogic expression) as text."""
    if isinstance(rule, list):
        return "[" + ", ".join(describe(item) for item in rule) + "]"
    if not isinstance(rule, dict) or len(rule) != 1:
        return json.dumps(rule, ensure_ascii=False)
    ((op, args),) = rule.items()
    args = args if isinstance(args, list) else [args]
    if op == "var":
        return str(args[0]) if args else "context"
    if op == "if":
        return _if(args)
    if op in ("and", "or"):
        return f" {op} ".join(_grouped(arg) for arg in args)
    if op == "!":
        return f"not {_grouped(args[0])}" if args else "not"
    if op in INFIX and len(args) == 2:
        return f"{describe(args[0])} {op} {describe(args[1])}"
    if op == "fractional":
        return _fractional(args)
    if op == "sem_ver" and len(args) == 3:
        return f"semver {describe(args[0])} {args[1]} {describe(args[2])}"
    return f"{op}(" + ", ".join(describe(arg) for arg in args) + ")"


def _if(args: list[Any]) -> str:
    parts = []
    for index in range(0, len(args) - 1, 2):
        parts.append(f"if {describe(args[index])} then {describe(args[index + 1])}")
    text = " else ".join(parts)
    return f"{text} else {describe(args[-1])}" if len(args) % 2 else text


def _fractional(args: list[Any]) -> str:
    # The first argument is the bucketing expression unless it is already a [variant, weight] pair.
    by = ""
    if args and not (isinstance(args[0], list) and len(args[0]) == 2 and isinstance(args[0][0], str)):
        by = f" by {describe(args[0])}"
        args = args[1:]
    shares = ", ".join(_share(arg) for arg in args)
    return f"split{by}: {shares}"


def _share(arg: Any) -> str:
    return f"{describe(arg[0])} {arg[1]}" if isinstance(arg, list) and len(arg) == 2 else describe(arg)


def _grouped(rule: Any) -> str:
    text = describe(rule)
    return f"({text})" if " and " in text or " or " in text else text
