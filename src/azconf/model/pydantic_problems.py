"""Turn pydantic validation errors into problems that point at the YAML that caused them."""

from __future__ import annotations

from collections.abc import Callable
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from azconf.config.located import KeyPath, LocatedMap, chain_at, deepest_loc, format_path
from azconf.problems import Location, Problem, did_you_mean

if TYPE_CHECKING:
    from pydantic import ValidationError


def validation_problems(
    error: ValidationError,
    root: LocatedMap,
    prefix: KeyPath,
    model: Any,
    *,
    env: str = "",
    fallback: str = "",
    place: Callable[[KeyPath], KeyPath] | None = None,
) -> list[Problem]:
    """One problem per pydantic error.

    ``prefix`` is where the validated value sits in ``root`` and ``model`` the type it was validated
    as (used to suggest the keys it accepts). ``place``, if given, maps each error's path in the
    value to its path in ``root`` instead (a value merged from several places).
    """
    problems = []
    for item in error.errors(include_url=False):
        relative = _clean_loc(item["loc"])
        path = place(relative) if place else (*prefix, *relative)
        if item["type"] == "extra_forbidden":
            allowed = allowed_keys(model, relative[:-1])
            problems.append(_unknown_key(path, root, env, fallback, allowed))
        else:
            problems.append(_problem(item, path, root, env, fallback))
    return problems


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds the names of union members and tagged-union tags to `loc`; drop the ones that
    # are not keys of the data (they are recognised by their brackets or by the function marker).
    return tuple(
        part
        for part in loc
        if isinstance(part, int) or not (str(part).startswith(("function-", "union[")) or "[" in str(part))
    )


def _problem(item: Any, path: KeyPath, root: LocatedMap, env: str, fallback: str) -> Problem:
    kind = item["type"]
    if kind == "missing":
        return _missing(path, root, env, fallback)
    loc = deepest_loc(root, path)
    where = Location(loc.file, loc.line, loc.column) if loc else Location(fallback)
    message = _message(item)
    return Problem("AZC0203", message, where, path=format_path(path), env=env, hint=_hint_for(kind, item))


def _unknown_key(
    path: KeyPath, root: LocatedMap, env: str, fallback: str, allowed: frozenset[str]
) -> Problem:
    key = str(path[-1])
    chain = chain_at(root, path)
    where = Location(chain[0].file, chain[0].key_line, chain[0].key_column) if chain else Location(fallback)
    return Problem(
        "AZC0201",
        f'unknown key "{key}"{did_you_mean(key, allowed)}',
        where,
        path=format_path(path),
        env=env,
        hint=f"allowed keys: {', '.join(sorted(allowed))}" if allowed else "remove it",
    )


def _missing(path: KeyPath, root: LocatedMap, env: str, fallback: str) -> Problem:
    loc = deepest_loc(root, path[:-1])
    if loc is None and fallback and root.origins:
        # A key missing at the top of a file: point at the file's first key, where it would go.
        first = next(iter(root.origins.values()))[0]
        where = Location(fallback, first.key_line, first.key_column)
    elif loc is None:
        where = Location(fallback, 1, 1) if fallback else Location(fallback)
    else:
        where = Location(loc.file, loc.key_line, loc.key_column)
    return Problem(
        "AZC0202",
        f'missing required key "{path[-1]}"',
        where,
        path=format_path(path[:-1]),
        env=env,
        hint=f'add "{path[-1]}:"',
    )


def allowed_keys(model: Any, relative: KeyPath) -> frozenset[str]:
    """The keys the pydantic type ``model`` accepts at ``relative`` (empty when not a model there)."""
    types = [model]
    for part in relative:
        types = [step for tp in types for step in _step(tp, part)]
    return frozenset(key for tp in types for key in _model_keys(tp))


def _unwrap(tp: Any) -> list[Any]:
    origin = get_origin(tp)
    if origin is Annotated:
        return _unwrap(get_args(tp)[0])
    if origin in (Union, UnionType):
        return [inner for arg in get_args(tp) for inner in _unwrap(arg)]
    return [tp]


def _step(tp: Any, part: str | int) -> list[Any]:
    out = []
    for option in _unwrap(tp):
        origin = get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(part, str):
            for name, info in option.model_fields.items():
                if part in (name, info.alias):
                    out.append(info.annotation)
        elif origin is dict and isinstance(part, str):
            out.append(get_args(option)[1])
        elif origin is list and isinstance(part, int):
            out.append(get_args(option)[0])
    return out


def _model_keys(tp: Any) -> set[str]:
    keys: set[str] = set()
    for option in _unwrap(tp):
        if isinstance(option, type) and issubclass(option, BaseModel):
            keys.update(info.alias or name for name, info in option.model_fields.items())
    return keys


# What each pattern of the models means, in words: a message never quotes a regular expression.
PATTERN_WORDS = {
    r"^[A-Za-z_][A-Za-z0-9_]*$": "must be a variable name: letters, digits and _, not starting with a digit",
    r"^/[^\s]*$": "must start with / and contain no spaces",
    r"^[^\s]+$": "must not be empty or contain spaces",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "must be lower-case letters, digits and -, starting and ending "
    "with a letter or digit (a DNS label)",
}

_TYPE_WORDS = {
    "int": "must be an integer",
    "float": "must be a number",
    "bool": "must be true or false",
    "string": "must be a string",
    "dict": "must be a mapping (key: value lines)",
    "model": "must be a mapping (key: value lines)",
    "list": "must be a list",
    "date": "must be a date such as 2027-01-31",
}


def own_words(kind: str, ctx: dict[str, Any], fallback: str) -> str:
    """pydantic's error ``kind`` in azconf's words ("must be at least 0"), from its context."""
    words = {
        "greater_than_equal": lambda: f"must be at least {ctx.get('ge')}",
        "greater_than": lambda: f"must be greater than {ctx.get('gt')}",
        "less_than_equal": lambda: f"must be at most {ctx.get('le')}",
        "less_than": lambda: f"must be less than {ctx.get('lt')}",
        "literal_error": lambda: f"must be one of {ctx.get('expected')}",
        "string_pattern_mismatch": lambda: PATTERN_WORDS.get(
            str(ctx.get("pattern")), "is not in the expected form"
        ),
        "string_too_short": lambda: (
            "must not be empty"
            if ctx.get("min_length") == 1
            else f"must have at least {ctx.get('min_length')} characters"
        ),
        "string_too_long": lambda: f"must have at most {ctx.get('max_length')} characters",
        "too_short": lambda: f"must have at least {ctx.get('min_length')} item(s)",
        "too_long": lambda: f"must have at most {ctx.get('max_length')} item(s)",
    }
    if kind in words:
        return words[kind]()
    for suffix in ("_type", "_parsing", "_from_datetime_parsing"):
        if kind.endswith(suffix) and kind.removesuffix(suffix) in _TYPE_WORDS:
            return _TYPE_WORDS[kind.removesuffix(suffix)]
    return fallback


def _message(item: Any) -> str:
    message = str(item["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    message = own_words(item["type"], item.get("ctx") or {}, message)
    got = item.get("input")
    if item["type"] not in ("value_error", "assertion_error") and _is_scalar(got):
        message = f"{message} (got {_show(got)})"
    return message[0].lower() + message[1:] if message else message


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


_ARTICLES = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean (true or false)",
    "string": "a string",
    "dict": "a mapping (key: value lines)",
    "list": "a list",
    "model": "a mapping (key: value lines)",
    "date": "a date such as 2027-01-31",
}


def _hint_for(kind: str, item: Any) -> str:
    if kind.endswith("_type"):
        wanted = kind.removesuffix("_type")
        return f"write {_ARTICLES.get(wanted, 'a ' + wanted.replace('_', ' '))}"
    return ""
