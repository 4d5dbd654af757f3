"""The user's JSON Schemas (Draft 2020-12), bound in ``azconf.yaml`` to paths of the resolved config."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from azconf.config.located import LocatedMap, Path, format_path
from azconf.model.locate import value_at
from azconf.problems import Location, Problem, Severity

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


class SchemaChecker:
    """Loads each bound schema once and checks the values its pattern matches."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self.problems: list[Problem] = []
        self._bindings: list[tuple[tuple[str, ...], str, Validator]] = []
        # Results by (path, identity of the value); the entry holds the value so its id stays unique.
        self._results: dict[tuple[str, int], tuple[Any, list[Problem]]] = {}
        for pattern, schema_file in project.manifest.schemas.items():
            validator = self._load(pattern, schema_file)
            if validator is not None:
                self._bindings.append((tuple(pattern.split(".")), pattern, validator))

    def check(self, root: LocatedMap) -> list[Problem]:
        """Problems of every bound value in ``root``."""
        problems: list[Problem] = []
        for segments, _pattern, validator in self._bindings:
            for path, value in _matches(root, segments, ()):
                problems += self._check_value(validator, root, path, value)
        return problems

    def _check_value(self, validator: Validator, root: LocatedMap, path: Path, value: Any) -> list[Problem]:
        key = (format_path(path), id(value))
        cached = self._results.get(key)
        if cached is None:
            cached = (
                value,
                [_problem(error, root, path) for error in validator.iter_errors(value)],
            )
            self._results[key] = cached
        return cached[1]

    def _load(self, pattern: str, schema_file: str) -> Validator | None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        where = _binding_location(self.project.manifest_data, pattern)
        path = self.project.root / schema_file
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
        except OSError as error:
            self._bad(where, f'cannot read schema "{schema_file}": {error.strerror}')
            return None
        except ValueError as error:
            self._bad(where, f'schema "{schema_file}" is not valid JSON: {error}')
            return None
        except SchemaError as error:
            self._bad(where, f'schema "{schema_file}" is not a valid JSON Schema: {error.message}')
            return None
        return Draft202012Validator(schema, registry=_registry(path.parent))

    def _bad(self, where: Location, message: str) -> None:
        self.problems.append(
            Problem(
                "AZC0502",
                message,
                where,
                path="schemas",
                hint="fix the schema file or its binding in azconf.yaml",
            )
        )


def _registry(folder: Any) -> Any:
    """A registry that resolves ``$ref``s to other schema files in the same folder, and nothing else."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    def retrieve(uri: str) -> Resource[Any]:
        candidate = (folder / uri).resolve()
        if candidate.parent != folder.resolve() or not candidate.is_file():
            raise NoSuchResource(uri)
        return Resource.from_contents(json.loads(candidate.read_text(encoding="utf-8")))

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]  # attrs-made init


def _matches(value: Any, segments: tuple[str, ...], path: Path) -> Iterator[tuple[Path, Any]]:
    if not segments:
        yield path, value
        return
    if not isinstance(value, dict):
        return
    head, rest = segments[0], segments[1:]
    keys = value.keys() if head == "*" else [head] if head in value else []
    for key in keys:
        yield from _matches(value[key], rest, (*path, key))


def _binding_location(manifest: LocatedMap, pattern: str) -> Location:
    schemas = manifest.get("schemas")
    if isinstance(schemas, LocatedMap) and pattern in schemas:
        return value_at(manifest, ("schemas", pattern), "azconf.yaml")
    return Location("azconf.yaml")


def _problem(error: Any, root: LocatedMap, path: Path) -> Problem:
    where: Path = (*path, *error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return Problem(
        "AZC0501",
        message,
        value_at(root, where),
        severity=Severity.ERROR,
        path=format_path(where),
        hint=f"the schema rule is {error.validator}: {json.dumps(error.validator_value)[:80]}",
    )
