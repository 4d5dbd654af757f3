"""Type a resolved environment: each item validated once, however many environments share it."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter, ValidationError

from azconf.config.located import LocatedList, LocatedMap, derived_once, scalar_kind
from azconf.model import SECTIONS
from azconf.model.locate import key_at, value_at
from azconf.model.pydantic_problems import validation_problems
from azconf.model.sections import SECTION_MODELS, Environment
from azconf.problems import Problem, did_you_mean


def build_environment(root: LocatedMap) -> tuple[Environment, list[Problem]]:
    """The typed environment of ``root``, leaving out the items that are invalid, and the problems."""
    problems: list[Problem] = []
    sections: dict[str, Any] = {}
    for section, content in root.items():
        if section not in SECTIONS:
            problems.append(
                Problem(
                    "AZC0204",
                    f'unknown section "{section}"{did_you_mean(section, SECTIONS)}',
                    key_at(root, (section,)),
                    path=section,
                    hint=f"sections: {', '.join(SECTIONS)}",
                )
            )
        elif not isinstance(content, dict):
            problems.append(
                Problem(
                    "AZC0203",
                    f"{section} must be a mapping of names to items",
                    value_at(root, (section,)),
                    path=section,
                    hint=f"write `{section}:` followed by indented `name: ...` entries",
                )
            )
        elif section == "settings":
            sections[section] = content
        else:
            sections[section] = _items(section, content, root, problems)
    return Environment.model_construct(**sections), problems


def _items(
    section: str, content: dict[str, Any], root: LocatedMap, problems: list[Problem]
) -> dict[str, Any]:
    valid: dict[str, Any] = {}
    for name, raw in content.items():
        model, item_problems = _typed_item(section, name, raw, root)
        problems.extend(item_problems)
        if model is not None:
            valid[name] = model
    return valid


def _typed_item(section: str, name: str, raw: Any, root: LocatedMap) -> tuple[Any, list[Problem]]:
    """The typed item (None when invalid) and its problems, validated once where that is safe.

    A resolved item is typed once and kept on it (:func:`~azconf.config.located.derived_once`): an
    item that several environments share, or that a write did not touch, is the same object, and so
    the same typed object (render and the flag checks reuse what they derive from it by identity).
    A valid scalar item (a flag's ``true``) is typed once per name and value; an invalid one is
    typed again each time, since its problems name the file that wrote it.
    """
    if isinstance(raw, LocatedMap | LocatedList):
        return derived_once(raw, ("typed", section, name), lambda: _validate_item(section, name, raw, root))
    if not isinstance(raw, dict | list):
        model = _valid_scalar(section, name, scalar_kind(raw), raw)
        if model is not None:
            return model, []
    return _validate_item(section, name, raw, root)


@functools.lru_cache(maxsize=1 << 16)
def _valid_scalar(section: str, name: str, kind: str, raw: Any) -> Any:
    """The typed scalar item, or None when it is invalid (``kind`` tells ``True`` from ``1``: see
    scalar_kind)."""
    try:
        return _adapter(section).validate_python(raw)
    except ValidationError:
        return None


@functools.cache
def _adapter(section: str) -> TypeAdapter[Any]:
    """The pydantic adapter of one section's items."""
    return TypeAdapter(SECTION_MODELS[section])


def _validate_item(section: str, name: str, raw: Any, root: LocatedMap) -> tuple[Any, list[Problem]]:
    try:
        return _adapter(section).validate_python(raw), []
    except ValidationError as error:
        model = SECTION_MODELS[section]
        return None, validation_problems(error, root, (section, name), model)
