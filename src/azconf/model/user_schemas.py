"""The user's JSON Schemas (Draft 2020-12), bound in ``azconf.yaml`` to paths of the resolved config."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from azconf.config.located import KeyPath, LocatedMap, format_path
from azconf.fileread import read_regular
from azconf.model.locate import key_at, value_at
from azconf.model.safe_patterns import install as linear_patterns
from azconf.model.safe_patterns import options as pattern_options
from azconf.model.safe_patterns import search as linear_search
from azconf.model.safe_patterns import unusable_patterns
from azconf.model.schema_words import format_checker, schema_message
from azconf.problems import Location, Problem, Severity, did_you_mean

MAX_SCHEMA_BYTES = 8 * 1024 * 1024  # as for config files: a stray generated file cannot exhaust memory
MAX_SCHEMA_DEPTH = 128  # deeper documents would exhaust the validators' recursion; no real schema is


def nesting(document: Any) -> int:
    """How deeply ``document``'s objects and arrays nest (counted without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_SCHEMA_DEPTH:  # past the limit the answer is known
                stack.extend(
                    (child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
                )
    return deepest


if TYPE_CHECKING:
    from jsonschema.protocols import Validator


class SchemaChecker:
    """Loads each bound schema once and checks the values its pattern matches.

    jsonschema-rs (Rust) decides whether a value is valid, about a hundred times faster than the
    pure-Python jsonschema; only for an invalid value does jsonschema produce the detailed errors, so
    the messages stay those of the reference implementation and its import is paid only on failure.
    """

    def __init__(self, project: Any) -> None:
        self.project = project
        self.problems: list[Problem] = []
        self._bindings: list[tuple[tuple[str, ...], _Schema]] = []
        # Results by (path, identity of the value); the entry holds the value so its id stays unique.
        self._results: dict[tuple[str, int], tuple[Any, list[Problem]]] = {}
        for pattern, schema_file in project.manifest.schemas.items():
            schema = self._load(pattern, schema_file)
            if schema is not None:
                self._bindings.append((tuple(pattern.split(".")), schema))

    def check(self, root: LocatedMap) -> list[Problem]:
        """Problems of every bound value in ``root``."""
        problems: list[Problem] = []
        for segments, schema in self._bindings:
            for path, value in _matches(root, segments, ()):
                problems += self._check_value(schema, root, path, value)
        return problems

    def _check_value(self, schema: _Schema, root: LocatedMap, path: KeyPath, value: Any) -> list[Problem]:
        key = (format_path(path), id(value))
        cached = self._results.get(key)
        if cached is None:
            found = (
                []
                if schema.fast.is_valid(value)
                else [
                    p for error in schema.detailed().iter_errors(value) for p in _problems(error, root, path)
                ]
            )
            cached = self._results[key] = (value, found)
        return cached[1]

    def _load(self, pattern: str, schema_file: str) -> _Schema | None:
        import jsonschema_rs

        where = _binding_location(self.project.manifest_data, pattern)
        path = self.project.root / schema_file
        try:
            document = json.loads(read_regular(path, MAX_SCHEMA_BYTES).decode("utf-8"))
        except OSError as error:
            self._bad(where, f'cannot read schema "{schema_file}": {error.strerror}')
            return None
        except ValueError as error:
            self._bad(where, f'schema "{schema_file}" is not valid JSON: {error}')
            return None
        except RecursionError:  # the parser's own guard, near 1,000 levels
            self._bad(where, f'schema "{schema_file}" is nested more than {MAX_SCHEMA_DEPTH} levels deep')
            return None
        if nesting(document) > MAX_SCHEMA_DEPTH:
            self._bad(where, f'schema "{schema_file}" is nested more than {MAX_SCHEMA_DEPTH} levels deep')
            return None
        if not jsonschema_rs.meta.is_valid(document):
            self._bad(where, f'schema "{schema_file}" is not a valid JSON Schema: {_meta_error(document)}')
            return None
        unusable = unusable_patterns(document)
        for pointer, regex, why in unusable:
            self._bad(where, f'schema "{schema_file}": pattern {json.dumps(regex)} at {pointer}: {why}')
        if unusable:
            return None
        try:
            fast = jsonschema_rs.validator_for(
                document,
                retriever=_retriever(path.parent),
                base_uri=path.resolve().as_uri(),
                pattern_options=pattern_options(),
                validate_formats=True,
            )
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as error:
            self._bad(where, f'schema "{schema_file}" cannot be used: {str(error).splitlines()[0]}')
            return None
        return _Schema(document, path.parent, fast)

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


class _Schema:
    """One bound schema: the fast validator, and the detailed one built on first need."""

    def __init__(self, document: Any, folder: Any, fast: Any) -> None:
        self.document = document
        self.folder = folder
        self.fast = fast
        self._detailed: Validator | None = None

    def detailed(self) -> Validator:
        """The pure-Python validator, for error messages."""
        if self._detailed is None:
            from jsonschema import Draft202012Validator

            linear_patterns()  # its pattern keywords must not backtrack either
            self._detailed = Draft202012Validator(
                self.document, registry=_registry(self.folder), format_checker=format_checker()
            )
        return self._detailed


def _meta_error(document: Any) -> str:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(document)
    except SchemaError as error:
        return str(error.message)
    return "rejected by the Draft 2020-12 metaschema"


def _retriever(folder: Any) -> Any:
    """Resolves ``$ref``s to other schema files in the same folder, and nothing else."""

    def retrieve(uri: str) -> Any:
        from pathlib import Path as FilePath
        from urllib.parse import urlparse

        candidate = FilePath(urlparse(uri).path).resolve()
        if candidate.parent != folder.resolve() or not candidate.is_file():
            raise ValueError(f"{uri} is not a schema file next to the binding's schema")
        return json.loads(read_regular(candidate, MAX_SCHEMA_BYTES).decode("utf-8"))

    return retrieve


def _registry(folder: Any) -> Any:
    """A registry that resolves ``$ref``s to other schema files in the same folder, and nothing else."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str) -> Resource[Any]:
        candidate = (folder / uri).resolve()
        if candidate.parent != folder.resolve() or not candidate.is_file():
            raise NoSuchResource(uri)
        contents = json.loads(read_regular(candidate, MAX_SCHEMA_BYTES).decode("utf-8"))
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]  # attrs-made init


def _matches(value: Any, segments: tuple[str, ...], path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
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


def _problems(error: Any, root: LocatedMap, path: KeyPath) -> list[Problem]:
    """The problems one schema error stands for: one per unexpected key, or the error itself."""
    unexpected = _unexpected_keys(error)
    if not unexpected:
        return [_problem(error, root, path)]
    where: KeyPath = (*path, *error.absolute_path)
    allowed = sorted(error.schema.get("properties", {}))
    return [
        Problem(
            "AZC0501",
            f'unknown key "{key}"{did_you_mean(key, allowed)}',
            key_at(root, (*where, key)),
            severity=Severity.ERROR,
            path=format_path(where),
            hint=f"the schema allows: {', '.join(allowed)}" if allowed else "the schema allows no keys here",
        )
        for key in unexpected
    ]


def _unexpected_keys(error: Any) -> list[str]:
    """The keys an ``additionalProperties: false`` error is about (jsonschema names them only in prose)."""
    if error.validator != "additionalProperties" or error.validator_value is not False:
        return []
    if not isinstance(error.instance, dict):
        return []
    named = error.schema.get("properties", {})
    patterns = list(error.schema.get("patternProperties", {}))  # matched in linear time, like all
    return [
        str(key)
        for key in error.instance
        if key not in named and not any(linear_search(pattern, str(key)) for pattern in patterns)
    ]


def _problem(error: Any, root: LocatedMap, path: KeyPath) -> Problem:
    where: KeyPath = (*path, *error.absolute_path)
    message = schema_message(error)
    message = message if len(message) <= 200 else message[:197] + "..."
    pointer = "/" + "/".join(str(part) for part in error.relative_schema_path)
    return Problem(
        "AZC0501",
        message,
        value_at(root, where),
        severity=Severity.ERROR,
        path=format_path(where),
        hint=f"the rule is {pointer} in the schema",
    )
