"""Terraform type constraints: parse them, check values against them, derive them from values.

Terraform converts a variable's value to its declared type *silently*: ``"3"`` becomes the number 3,
``true`` becomes ``"true"``, an object attribute the type does not name is dropped, a set loses its
duplicates. azconf wants exact values, so :func:`check` reports each of those as a violation, along
with the errors Terraform would raise itself (a missing attribute, a list where an object is due).

The grammar handled by :func:`parse_type` is Terraform's type-constraint language: ``string``,
``number``, ``bool``, ``any``, ``list(T)``, ``set(T)``, ``map(T)`` (bare ``list``/``set``/``map`` mean
``(any)``), ``tuple([T, ...])`` and ``object({name = T, ...})`` whose attributes may be
``optional(T)`` or ``optional(T, default)``. python-hcl2 hands a type over as expression text
(``"string"`` or ``"${map(object({...}))}"``); :func:`parse_type` accepts both forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

# -- the types --------------------------------------------------------------------------------------

CollectionKind = Literal["list", "set", "map"]


@dataclass(frozen=True)
class Primitive:
    """``string``, ``number`` or ``bool``."""

    name: Literal["string", "number", "bool"]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class AnyType:
    """``any``: Terraform picks the type from the value."""

    def __str__(self) -> str:
        return "any"


@dataclass(frozen=True)
class Collection:
    """``list(T)``, ``set(T)`` or ``map(T)``: any number of elements of one type."""

    kind: CollectionKind
    element: TfType

    def __str__(self) -> str:
        return f"{self.kind}({self.element})"


@dataclass(frozen=True)
class Attribute:
    """One attribute of an object type; ``optional`` ones may be absent from a value."""

    type: TfType
    optional: bool = False
    default: str | None = None  # the HCL text of optional()'s second argument, kept as written

    def __str__(self) -> str:
        if not self.optional:
            return str(self.type)
        return f"optional({self.type}{'' if self.default is None else ', ' + self.default})"


@dataclass(frozen=True)
class ObjectType:
    """``object({name = T, ...})``: named attributes, each with its own type."""

    attributes: dict[str, Attribute] = field(hash=False)

    def __str__(self) -> str:
        inner = ", ".join(f"{name} = {attr}" for name, attr in sorted(self.attributes.items()))
        return f"object({{{inner}}})"


@dataclass(frozen=True)
class TupleType:
    """``tuple([T1, T2, ...])``: a fixed number of elements, each with its own type."""

    elements: tuple[TfType, ...]

    def __str__(self) -> str:
        return f"tuple([{', '.join(map(str, self.elements))}])"


TfType = Primitive | AnyType | Collection | ObjectType | TupleType

STRING, NUMBER, BOOL, ANY = Primitive("string"), Primitive("number"), Primitive("bool"), AnyType()
_PRIMITIVES: dict[str, TfType] = {"string": STRING, "number": NUMBER, "bool": BOOL, "any": ANY}
_COLLECTIONS: dict[str, CollectionKind] = {"list": "list", "set": "set", "map": "map"}

# -- parsing ----------------------------------------------------------------------------------------


class TypeSyntaxError(ValueError):
    """A type constraint azconf cannot read."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<punct>[(){}\[\],=:])
    )""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise TypeSyntaxError(f"unexpected {text[position:].lstrip()[:1]!r} at offset {position}")
        kind = match.lastgroup or ""
        if kind != "comment":
            tokens.append(_Token(kind, match.group(kind), match.start(kind), match.end(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens of one type constraint."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (expected is not None and token.text != expected):
            found = "the end" if token is None else repr(token.text)
            raise TypeSyntaxError(f"expected {expected or 'more'!r}, found {found}")
        self.index += 1
        return token

    def skip(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.text == text:
            self.index += 1
            return True
        return False

    def type(self) -> TfType:
        token = self.take()
        name = token.text
        if name in _PRIMITIVES:
            return _PRIMITIVES[name]
        if name in _COLLECTIONS:
            if not self.skip("("):
                return Collection(_COLLECTIONS[name], ANY)  # the legacy bare "list" means list(any)
            element = self.type()
            self.take(")")
            return Collection(_COLLECTIONS[name], element)
        if name == "object":
            return self.object()
        if name == "tuple":
            return self.tuple()
        raise TypeSyntaxError(f"unknown type {name!r}")

    def object(self) -> ObjectType:
        self.take("(")
        self.take("{")
        attributes: dict[str, Attribute] = {}
        while not self.skip("}"):
            key = self.take()
            name = json.loads(key.text) if key.kind == "string" else key.text
            if key.kind not in ("name", "string"):
                raise TypeSyntaxError(f"expected an attribute name, found {key.text!r}")
            if not (self.skip("=") or self.skip(":")):
                raise TypeSyntaxError(f"expected '=' after attribute {name!r}")
            attributes[name] = self.attribute()
            self.skip(",")  # commas are optional between attributes written one per line
        self.take(")")
        return ObjectType(attributes)

    def attribute(self) -> Attribute:
        token = self.peek()
        if token is None or token.text != "optional":
            return Attribute(self.type())
        self.take("optional")
        self.take("(")
        inner = self.type()
        default = self.expression() if self.skip(",") else None
        self.take(")")
        return Attribute(inner, optional=True, default=default)

    def expression(self) -> str:
        """The text of optional()'s default: everything up to the ``)`` that closes optional()."""
        depth, first = 0, self.peek()
        if first is None:
            raise TypeSyntaxError("optional() ends without its default value")
        last = first
        while (token := self.peek()) is not None:
            if token.text in ")]}" and depth == 0:
                return self.text[first.start : last.end]
            depth += (token.text in "([{") - (token.text in ")]}")
            last = self.take()
        raise TypeSyntaxError("optional() is not closed")

    def tuple(self) -> TupleType:
        self.take("(")
        self.take("[")
        elements: list[TfType] = []
        while not self.skip("]"):
            elements.append(self.type())
            self.skip(",")
        self.take(")")
        return TupleType(tuple(elements))


def parse_type(text: str) -> TfType:
    """The type constraint written as ``text`` (HCL, or python-hcl2's ``${...}`` wrapping of it)."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    parser = _Parser(text)
    parsed = parser.type()
    extra = parser.peek()
    if extra is not None:
        raise TypeSyntaxError(f"unexpected {extra.text!r} after the type")
    return parsed


# -- checking ---------------------------------------------------------------------------------------


def describe(value: Any, *, sensitive: bool = False) -> str:
    """The Terraform kind of a JSON value, and the value itself when short and not sensitive."""
    kind = _kind(value)
    if sensitive or kind in ("object", "tuple", "null"):
        return kind
    shown = json.dumps(value, ensure_ascii=False)
    return f"{kind} {shown if len(shown) <= 40 else shown[:37] + '...'}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "tuple"


def check(value: Any, expected: TfType, path: str, *, sensitive: bool = False) -> list[str]:
    """Every way ``value`` (JSON data) differs from ``expected``, each as ``path: message``.

    ``null`` is accepted anywhere below the top level, as Terraform does; the caller decides whether
    the variable itself may be null.
    """
    if value is None:
        return []
    match expected:
        case AnyType():
            return []
        case Primitive():
            return _check_primitive(value, expected, path, sensitive)
        case Collection(kind="map"):
            return _check_map(value, expected, path, sensitive)
        case Collection():
            return _check_sequence(value, expected, path, sensitive)
        case ObjectType():
            return _check_object(value, expected, path, sensitive)
        case TupleType():
            return _check_tuple(value, expected, path, sensitive)
    raise AssertionError(expected)  # pragma: no cover - the match above is exhaustive


def _mismatch(path: str, expected: TfType, value: Any, sensitive: bool) -> list[str]:
    return [f"{path}: expected {expected}, got {describe(value, sensitive=sensitive)}"]


def _check_primitive(value: Any, expected: Primitive, path: str, sensitive: bool) -> list[str]:
    if _kind(value) == expected.name:
        return []
    problems = _mismatch(path, expected, value, sensitive)
    if _converts(value, expected.name):
        problems[0] += " (Terraform would convert it silently)"
    return problems


def _converts(value: Any, name: str) -> bool:
    """Whether Terraform turns ``value`` into a ``name`` without a word (cty's safe conversions)."""
    if name == "string":
        return isinstance(value, bool | int | float)
    if not isinstance(value, str):
        return False  # no conversion between number and bool
    if name == "bool":
        return value in ("true", "false")
    return re.fullmatch(r"-?\d+(\.\d+)?([eE][+-]?\d+)?", value) is not None


def _check_map(value: Any, expected: Collection, path: str, sensitive: bool) -> list[str]:
    if not isinstance(value, dict):
        return _mismatch(path, expected, value, sensitive)
    problems = _uniform(list(value.values()), expected, path)
    for key in sorted(value):
        problems += check(value[key], expected.element, f"{path}[{json.dumps(key)}]", sensitive=sensitive)
    return problems


def _check_sequence(value: Any, expected: Collection, path: str, sensitive: bool) -> list[str]:
    if not isinstance(value, list):
        return _mismatch(path, expected, value, sensitive)
    problems = _uniform(value, expected, path)
    if expected.kind == "set":
        encoded = [json.dumps(item, sort_keys=True) for item in value]
        if len(set(encoded)) != len(encoded):
            problems.append(f"{path}: a set holds each element once (Terraform would drop the repeats)")
    for index, item in enumerate(value):
        problems += check(item, expected.element, f"{path}[{index}]", sensitive=sensitive)
    return problems


def _uniform(items: list[Any], expected: Collection, path: str) -> list[str]:
    """A collection of ``any`` still needs one element type: Terraform converts or fails otherwise."""
    if not isinstance(expected.element, AnyType):
        return []
    kinds = {str(derive(item)) for item in items if item is not None}
    if len(kinds) <= 1:
        return []
    return [f"{path}: {expected} needs elements of one type, got {', '.join(sorted(kinds))}"]


def _check_object(value: Any, expected: ObjectType, path: str, sensitive: bool) -> list[str]:
    if not isinstance(value, dict):
        return _mismatch(path, expected, value, sensitive)
    problems: list[str] = []
    for name, attribute in sorted(expected.attributes.items()):
        if name in value:
            problems += check(value[name], attribute.type, f"{path}.{name}", sensitive=sensitive)
        elif not attribute.optional:
            problems.append(f"{path}: attribute {json.dumps(name)} is required by the type")
    for name in sorted(set(value) - set(expected.attributes)):
        problems.append(
            f"{path}: attribute {json.dumps(name)} is not in the type (Terraform would drop it silently)"
        )
    return problems


def _check_tuple(value: Any, expected: TupleType, path: str, sensitive: bool) -> list[str]:
    if not isinstance(value, list):
        return _mismatch(path, expected, value, sensitive)
    if len(value) != len(expected.elements):
        return [f"{path}: {expected} needs {len(expected.elements)} element(s), got {len(value)}"]
    problems: list[str] = []
    for index, (item, element) in enumerate(zip(value, expected.elements, strict=True)):
        problems += check(item, element, f"{path}[{index}]", sensitive=sensitive)
    return problems


# -- deriving ---------------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def derive(value: Any) -> TfType:
    """The exact type of a JSON value: objects stay objects, lists of one type become ``list(T)``.

    An empty list is ``list(any)``: nothing in it says more. An empty mapping is ``object({})``, so
    it unifies with the objects beside it (a service without settings next to one with them). A
    mapping whose keys are not all HCL identifiers cannot be an object type, so it is a map.
    """
    if isinstance(value, dict):
        if all(_IDENTIFIER.match(key) for key in value):
            return ObjectType({key: Attribute(derive(item)) for key, item in value.items()})
        return Collection("map", unify([derive(item) for item in value.values()]) or ANY)
    if isinstance(value, list):
        if not value:
            return Collection("list", ANY)
        elements = [derive(item) for item in value]
        common = unify(elements)
        return Collection("list", common) if common is not None else TupleType(tuple(elements))
    return _PRIMITIVES["any" if value is None else _kind(value)]


def unify(types: list[TfType]) -> TfType | None:
    """One type that every type of ``types`` fits (attributes missing somewhere become optional).

    ``any`` (from an empty list, mapping or null) fits everything. None when there is no such type.
    """
    known = [t for t in types if not isinstance(t, AnyType)]
    if not known:
        return ANY
    first = known[0]
    if all(t == first for t in known):
        return first
    if all(isinstance(t, ObjectType) for t in known):
        return _unify_objects([t for t in known if isinstance(t, ObjectType)])
    collections = [t for t in known if isinstance(t, Collection)]
    if len(collections) == len(known) and len({c.kind for c in collections}) == 1:
        element = unify([c.element for c in collections])
        return None if element is None else Collection(collections[0].kind, element)
    return None


def _unify_objects(objects: list[ObjectType]) -> ObjectType | None:
    names = sorted({name for obj in objects for name in obj.attributes})
    attributes: dict[str, Attribute] = {}
    for name in names:
        present = [obj.attributes[name] for obj in objects if name in obj.attributes]
        common = unify([attr.type for attr in present])
        if common is None:
            return None
        optional = len(present) < len(objects) or any(attr.optional for attr in present)
        attributes[name] = Attribute(common, optional=optional)
    return ObjectType(attributes)


# -- writing ----------------------------------------------------------------------------------------


def format_type(tf_type: TfType, indent: int = 0) -> str:
    """``tf_type`` as HCL the way ``terraform fmt`` lays it out: one object attribute per line."""
    return "\n".join(_format_lines(tf_type, indent))


def _format_lines(tf_type: TfType | Attribute, indent: int) -> Iterator[str]:
    """The lines of a type; the first line is bare (the caller puts ``name = `` before it)."""
    match tf_type:
        case Attribute(type=inner, optional=True, default=default):
            lines = list(_format_lines(inner, indent))
            lines[0] = "optional(" + lines[0]
            lines[-1] += ("" if default is None else ", " + default) + ")"
            yield from lines
        case Attribute(type=inner):
            yield from _format_lines(inner, indent)
        case Collection(kind=kind, element=element):
            lines = list(_format_lines(element, indent))
            lines[0] = f"{kind}(" + lines[0]
            lines[-1] += ")"
            yield from lines
        case ObjectType(attributes=attributes) if attributes:
            yield "object({"
            yield from _format_attributes(attributes, indent + 2)
            yield " " * indent + "})"
        case _:
            yield str(tf_type)


def _format_attributes(attributes: dict[str, Attribute], indent: int) -> Iterator[str]:
    pairs = [(name, list(_format_lines(attr, indent))) for name, attr in sorted(attributes.items())]
    return hcl_attributes(pairs, indent)


def hcl_attributes(pairs: list[tuple[str, list[str]]], indent: int) -> Iterator[str]:
    """``name = value`` lines, in the order given, laid out as ``terraform fmt`` does.

    Each value is a list of lines (the first one bare). fmt aligns the ``=`` of consecutive one-line
    attributes; an attribute spanning several lines ends such a run and is not padded itself.
    """
    run: list[tuple[str, str]] = []
    for name, lines in pairs:
        if len(lines) == 1:
            run.append((name, lines[0]))
            continue
        yield from _aligned(run, indent)
        run = []
        yield " " * indent + f"{name} = {lines[0]}"
        yield from lines[1:]
    yield from _aligned(run, indent)


def _aligned(run: list[tuple[str, str]], indent: int) -> Iterator[str]:
    width = max((len(name) for name, _ in run), default=0)
    for name, text in run:
        yield " " * indent + f"{name.ljust(width)} = {text}"
