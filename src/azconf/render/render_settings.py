"""Render settings per environment: ``render.<target>`` in azconf.yaml, overridden and templated.

One shape for every option of every target (docs/render.md, "Per-environment settings"):

- ``render.<target>`` holds the target's options for every environment;
- ``render.environments.<env>.<target>`` is deep-merged over them for that environment (mappings
  merge key by key, scalars and lists replace, ``null`` removes a key: the config layers' rules);
- ``render.environments.<env>.targets`` lists the targets that environment renders (default: all);
- then ``{env}`` and ``{project}`` in every string option become the environment's and project's
  names (other placeholders, such as Tyk's ``{route}``, are left to their target).

Nothing here knows a target's options: a field a target adds gets all of this for free.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from azconf.config.located import KeyPath, LocatedMap, format_path
from azconf.config.manifest import MANIFEST_NAME
from azconf.config.project import Project
from azconf.errors import DataError
from azconf.model.locate import key_at, value_at
from azconf.problems import Problem, did_you_mean, sorted_problems
from azconf.render import TARGETS, target

ENVIRONMENTS = "environments"  # render.environments.<env>: the per-environment block
TARGETS_KEY = "targets"  # render.environments.<env>.targets: which targets the environment renders


class RenderSettings:
    """Every target's options for every environment of a project, checked once."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._render: Mapping[str, Any] = project.manifest.render
        self._options: dict[tuple[str, str], Any] = {}
        self._interned: dict[tuple[str, str], Any] = {}  # equal options are one object (see options)
        self.problems = self._check()

    def targets(self, env: str) -> list[str]:
        """The targets ``env`` renders, in the documented order."""
        chosen = self._block(env).get(TARGETS_KEY)
        if not isinstance(chosen, list):
            return list(TARGETS)
        return [name for name in TARGETS if name in chosen]

    def options(self, name: str, env: str) -> Any:
        """Target ``name``'s options model for ``env`` (call after :meth:`raise_problems`).

        Environments whose options are equal share one object: targets key what they derive per run
        on the options' identity, so equal options keep that shared.
        """
        found = self._options.get((name, env))
        if found is None:
            raw = self.raw(name, env)
            key = (name, json.dumps(raw, sort_keys=True, default=str))
            found = self._interned.get(key)
            if found is None:
                found = self._interned[key] = target(name).options_model.model_validate(raw)
            self._options[(name, env)] = found
        return found

    def raw(self, name: str, env: str) -> dict[str, Any]:
        """``render.<name>`` with ``env``'s override merged over it and the placeholders filled."""
        base = self._render.get(name)
        override = self._block(env).get(name)
        merged = merge(
            base if isinstance(base, Mapping) else {}, override if isinstance(override, Mapping) else {}
        )
        project = self._project.manifest.project

        def fill(text: str) -> str:
            return text.replace("{env}", env).replace("{project}", project)

        templated: dict[str, Any] = _templated(merged, fill)
        return templated

    def raise_problems(self) -> None:
        """A DataError listing every problem of ``render.*`` (nothing is rendered with a bad option)."""
        if self.problems:
            first, more = self.problems[0], len(self.problems) - 1
            raise DataError(
                f"{MANIFEST_NAME}: {first.path}: {first.message}"
                + (f" (and {more} more problem(s) in render)" if more else ""),
                hint="see docs/render.md for each target's options",
                problems=self.problems,
            )

    def _block(self, env: str) -> Mapping[str, Any]:
        environments = self._render.get(ENVIRONMENTS)
        block = environments.get(env) if isinstance(environments, Mapping) else None
        return block if isinstance(block, Mapping) else {}

    # -- checks ---------------------------------------------------------------------------------

    def _check(self) -> list[Problem]:
        problems = self._shape_problems()
        for env in self._project.manifest.environments:
            for name in TARGETS:
                problems += self._option_problems(name, env)
        return sorted_problems(list(dict.fromkeys(problems)))  # one per env: found once

    def _shape_problems(self) -> list[Problem]:
        known = [*TARGETS, ENVIRONMENTS]
        problems = [_unknown(("render", key), self._root, known) for key in self._render if key not in known]
        problems += [
            _invalid(("render", key), self._root, "must be a mapping of options (key: value lines)")
            for key in TARGETS
            if key in self._render and not isinstance(self._render[key], Mapping | None)
        ]
        environments = self._render.get(ENVIRONMENTS)
        if environments is None:
            return problems
        if not isinstance(environments, Mapping):
            return [
                *problems,
                _invalid(("render", ENVIRONMENTS), self._root, "must be a mapping by environment"),
            ]
        envs = self._project.manifest.environments
        for env, block in environments.items():
            where: KeyPath = ("render", ENVIRONMENTS, env)
            if env not in envs:
                problems.append(_unknown(where, self._root, envs, what="environment"))
            elif not isinstance(block, Mapping):
                problems.append(_invalid(where, self._root, "must be a mapping of targets and options"))
            else:
                problems += self._block_problems(where, block)
        return problems

    def _block_problems(self, where: KeyPath, block: Mapping[str, Any]) -> list[Problem]:
        known = [*TARGETS, TARGETS_KEY]
        problems = [_unknown((*where, key), self._root, known) for key in block if key not in known]
        problems += [
            _invalid((*where, key), self._root, "must be a mapping of options (key: value lines)")
            for key in TARGETS
            if key in block and not isinstance(block[key], Mapping | None)
        ]
        chosen = block.get(TARGETS_KEY)
        if TARGETS_KEY in block and not isinstance(chosen, list):
            problems.append(
                _invalid(
                    (*where, TARGETS_KEY), self._root, f"must be a list of targets ({', '.join(TARGETS)})"
                )
            )
        elif isinstance(chosen, list):
            problems += [
                _unknown(
                    (*where, TARGETS_KEY, index), self._root, list(TARGETS), what="target", name=str(item)
                )
                for index, item in enumerate(chosen)
                if item not in TARGETS
            ]
        return problems

    def _option_problems(self, name: str, env: str) -> list[Problem]:
        from azconf.model.pydantic_problems import validation_problems

        model = target(name).options_model
        try:
            self.options(name, env)
        except ValidationError as error:
            override = self._block(env).get(name)
            base: KeyPath = ("render", name)
            mine: KeyPath = ("render", ENVIRONMENTS, env, name)

            def place(relative: KeyPath) -> KeyPath:
                # Where the user wrote the value: the environment's override if it holds the path.
                return (*mine, *relative) if _holds(override, relative) else (*base, *relative)

            found = validation_problems(error, self._root, (), model, place=place, fallback=MANIFEST_NAME)
            return [replace(p, env=env) if p.path.startswith(format_path(mine)) else p for p in found]
        return []

    @property
    def _root(self) -> LocatedMap:
        return self._project.manifest_data


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` deep-merged over ``base``: mappings key by key, anything else replaces, None removes."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _templated(value: Any, fill: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fill(value)
    if isinstance(value, Mapping):
        return {key: _templated(item, fill) for key, item in value.items()}
    if isinstance(value, list):
        return [_templated(item, fill) for item in value]
    return value


def _holds(data: Any, path: KeyPath) -> bool:
    """Whether ``path`` (or, for a missing key, its parent) exists in ``data``."""
    for part in path[:-1]:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return False
    if not path:
        return data is not None
    last = path[-1]
    return (isinstance(data, Mapping) and last in data) or (
        isinstance(data, list) and isinstance(last, int) and 0 <= last < len(data)
    )


def _unknown(
    path: KeyPath, root: LocatedMap, known: list[str], *, what: str = "key", name: str = ""
) -> Problem:
    word = name or str(path[-1])
    return Problem(
        "AZC0201",
        f'unknown {what} "{word}"{did_you_mean(word, known)}',
        key_at(root, path, MANIFEST_NAME),
        path=format_path(path),
        hint=f"allowed: {', '.join(known)}",
    )


def _invalid(path: KeyPath, root: LocatedMap, message: str) -> Problem:
    return Problem("AZC0203", message, value_at(root, path, MANIFEST_NAME), path=format_path(path))


def render_settings(project: Project) -> RenderSettings:
    """The project's render settings, checked (a DataError lists every problem)."""
    settings = RenderSettings(project)
    settings.raise_problems()
    return settings
