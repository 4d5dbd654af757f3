"""Type a resolved environment: each item validated once, however many environments share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from azconf.config.located import LocatedMap
from azconf.model import SECTIONS
from azconf.model.locate import key_at, value_at
from azconf.model.pydantic_problems import validation_problems
from azconf.model.sections import SECTION_MODELS, Environment
from azconf.problems import Problem, did_you_mean


@dataclass
class ItemCache:
    """Validated items, keyed by the identity of their resolved mapping (a scalar by its value).

    Layering reuses every subtree an overlay does not touch, so an item that is the same object in
    several environments is validated once, and is the same typed object in each (render reuses
    what it derives from it). ``id()`` of a scalar says nothing about where it was written, so a
    scalar item (a flag's ``true``) is keyed by its type and value. The resolved documents outlive
    the cache, so an id is never reused by another object while its entry exists.
    """

    adapters: dict[str, TypeAdapter[Any]] = field(default_factory=dict)
    items: dict[tuple[object, ...], tuple[Any, list[Problem]]] = field(default_factory=dict)

    def adapter(self, section: str) -> TypeAdapter[Any]:
        """The (cached) pydantic adapter of one section's items."""
        adapter = self.adapters.get(section)
        if adapter is None:
            adapter = self.adapters[section] = TypeAdapter(SECTION_MODELS[section])
        return adapter


def build_environment(root: LocatedMap, cache: ItemCache | None = None) -> tuple[Environment, list[Problem]]:
    """The typed environment of ``root``, leaving out the items that are invalid, and the problems."""
    cache = cache or ItemCache()
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
            sections[section] = _items(section, content, root, cache, problems)
    return Environment.model_construct(**sections), problems


def _items(
    section: str,
    content: dict[str, Any],
    root: LocatedMap,
    cache: ItemCache,
    problems: list[Problem],
) -> dict[str, Any]:
    valid: dict[str, Any] = {}
    for name, raw in content.items():
        key = _cache_key(section, name, raw)
        cached = cache.items.get(key)
        if cached is None:
            cached = _validate_item(section, name, raw, root, cache)
            # A scalar item (a flag's shorthand) is kept only when it validated: the problems of an
            # invalid one name the file that wrote it, which differs from one environment to the next.
            # (Nor has a valid one problems of its own later: a boolean flag's variants, default
            # and missing expiry always pass the flag checks, which are cached by typed object.)
            if isinstance(raw, dict | list) or not cached[1]:
                cache.items[key] = cached
        model, item_problems = cached
        problems.extend(item_problems)
        if model is not None:
            valid[name] = model
    return valid


def _cache_key(section: str, name: str, raw: Any) -> tuple[object, ...]:
    """A container by identity (layering shares untouched ones), a scalar by its type and value."""
    if isinstance(raw, dict | list):
        return (section, name, id(raw))
    return (section, name, type(raw), raw)


def _validate_item(
    section: str, name: str, raw: Any, root: LocatedMap, cache: ItemCache
) -> tuple[Any, list[Problem]]:
    try:
        return cache.adapter(section).validate_python(raw), []
    except ValidationError as error:
        model = SECTION_MODELS[section]
        return None, validation_problems(error, root, (section, name), model)
