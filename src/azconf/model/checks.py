"""Rules that need a whole environment: names, cross-references, routes, flags and secret references."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from azconf.config.located import KeyPath, LocatedMap, derived_once, format_path
from azconf.model.locate import key_at, value_at
from azconf.model.sections import Environment, Flag, FlagValue, Route, SecretValue
from azconf.problems import Problem, Severity, did_you_mean

# Kubernetes object names (apimachinery validation): Services are DNS-1035 labels, most other
# objects DNS-1123 labels or subdomains.
DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
FLAG_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class CheckCache:
    """Results of checks that depend on one shared object only, kept across environments.

    Each entry holds its object, so that the object's ``id`` cannot be reused by another one.
    """

    flags: dict[int, tuple[object, list[Problem]]] = field(default_factory=dict)


def check_environment(
    env: Environment,
    root: LocatedMap,
    *,
    today: dt.date,
    flag_cache: CheckCache | None = None,
) -> list[Problem]:
    """The environment-wide problems of ``env`` that need its models; ``root`` gives the locations.

    (:func:`check_names` and :func:`check_rules` need only the resolved data and run beside it.)

    ``flag_cache`` keeps each flag's problems by the identity of its model, which environments share
    when an overlay leaves the flag alone (see :func:`azconf.model.build._typed_item`).
    """
    problems: list[Problem] = []
    problems += check_references(env, root)
    problems += check_route_conflicts(env, root)
    problems += check_cors(env, root)
    problems += check_route_options(env, root)
    problems += check_flags(env, root, today=today, cache=flag_cache or CheckCache())
    return problems


def check_names(root: LocatedMap) -> Iterator[Problem]:
    """Names that become Kubernetes object names follow Kubernetes' rules.

    Only the names are needed, not the models, so this runs with the value checks.
    """
    rules = (
        (
            "services",
            DNS1035_LABEL,
            "a DNS-1035 label: lowercase letters, digits and '-', starting "
            "with a letter, at most 63 characters (it names a Kubernetes Service)",
        ),
        (
            "routes",
            DNS1123_LABEL,
            "a DNS-1123 label: lowercase letters, digits and '-', at most 63 "
            "characters (it names an HTTPRoute and a Tyk API)",
        ),
        (
            "secrets",
            DNS1123_LABEL,
            "a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters",
        ),
    )
    for section, pattern, rule in rules:
        for name in _names(root, section):
            if len(name) > 63 or not pattern.fullmatch(name):
                yield Problem(
                    "AZC0303",
                    f'invalid name "{name}"',
                    key_at(root, (section, name)),
                    path=format_path((section, name)),
                    hint=f"the name must be {rule}",
                )
    for name in _names(root, "flags"):
        if not FLAG_KEY.fullmatch(name):
            yield Problem(
                "AZC0405",
                f'invalid flag key "{name}"',
                key_at(root, ("flags", name)),
                path=format_path(("flags", name)),
                hint="start with a letter or digit; then letters, digits, '.', '_' or '-'",
            )


def check_references(env: Environment, root: LocatedMap) -> Iterator[Problem]:
    """Every name one item uses must exist in its section.

    Names are looked up among every item the environment defines, valid or not: an item with a typo
    inside is reported once, where the typo is, not again at each place that uses it.
    """
    defined = {section: _names(root, section) for section in ("flags", "routes", "secrets", "services")}
    # Names are looked up before anything else is made: almost all of them exist.
    services = defined["services"]
    for name, route in env.routes.items():
        if route.service not in services:
            yield _unknown(root, ("routes", name, "service"), route.service, services, "service")
    for name, service in env.services.items():
        base = ("services", name)
        for kind, used in (
            ("flags", service.flags),
            ("secrets", service.secrets),
            ("routes", service.routes),
        ):
            known = defined[kind]
            for index, item in enumerate(used):
                if item not in known:
                    yield _unknown(root, (*base, kind, index), item, known, kind[:-1])
        for var, value in service.env.items():
            if isinstance(value, SecretValue) and value.secret not in defined["secrets"]:
                where = (*base, "env", var, "secret")
                yield _unknown(root, where, value.secret, defined["secrets"], "secret")
            elif isinstance(value, FlagValue) and value.flag not in defined["flags"]:
                yield _unknown(root, (*base, "env", var, "flag"), value.flag, defined["flags"], "flag")
        for index, route_name in enumerate(service.routes):
            target = env.routes.get(route_name)
            if target is not None and target.service != name:
                yield Problem(
                    "AZC0304",
                    f'route "{route_name}" sends its traffic to "{target.service}", not "{name}"',
                    value_at(root, (*base, "routes", index)),
                    severity=Severity.WARNING,
                    path=format_path((*base, "routes", index)),
                    hint=f"remove it from services.{name}.routes or set routes.{route_name}.service",
                )


def _names(root: LocatedMap, section: str) -> frozenset[str]:
    content = root.get(section)
    return frozenset(content) if isinstance(content, dict) else frozenset()


def _unknown(root: LocatedMap, path: KeyPath, name: str, known: Collection[str], kind: str) -> Problem:
    """The problem of a name ``known`` does not hold."""
    return Problem(
        "AZC0301",
        f'unknown {kind} "{name}"{did_you_mean(name, known)}',
        value_at(root, path),
        path=format_path(path),
        hint=f"define it under {kind}s: or fix the name",
    )


def check_route_conflicts(env: Environment, root: LocatedMap) -> Iterator[Problem]:
    """Two routes may not claim the same path and method."""
    claimed: dict[tuple[str, str], str] = {}
    for name, route in env.routes.items():
        for method in route.methods:
            owner = claimed.setdefault((route.path, method), name)
            if owner != name:
                yield Problem(
                    "AZC0302",
                    f'{method} {route.path} is also claimed by route "{owner}"',
                    value_at(root, ("routes", name, "path")),
                    path=format_path(("routes", name, "path")),
                    hint="give each route its own path, or split the methods between them",
                    related=(value_at(root, ("routes", owner, "path")),),
                )


def check_cors(env: Environment, root: LocatedMap) -> Iterator[Problem]:
    """A wildcard origin with credentials: browsers refuse it (the Fetch standard forbids the pair)."""
    for name, route in env.routes.items():
        if route.cors is not None and route.cors.allow_credentials and "*" in route.cors.origins:
            yield Problem(
                "AZC0203",
                'CORS origin "*" with allow_credentials: true is refused by every browser',
                value_at(root, ("routes", name, "cors", "origins")),
                path=format_path(("routes", name, "cors", "origins")),
                hint="list the allowed origins (https://app.example.com), or drop allow_credentials",
            )


def check_route_options(env: Environment, root: LocatedMap) -> Iterator[Problem]:
    """Route options that contradict each other, and routes that bypass the API gateway."""
    for name, route in env.routes.items():
        base = ("routes", name)
        if route.scopes and route.auth != "oauth2":
            yield Problem(
                "AZC0203",
                f"scopes apply only to auth: oauth2 (this route has auth: {route.auth})",
                value_at(root, (*base, "scopes")),
                path=format_path((*base, "scopes")),
                hint="set auth: oauth2, or remove the scopes",
            )
        if {"timeout_ms", "timeout_seconds"} <= route.model_fields_set:
            yield Problem(
                "AZC0203",
                "set timeout_ms or timeout_seconds, not both",
                value_at(root, (*base, "timeout_ms")),
                path=format_path((*base, "timeout_ms")),
                hint="a layer that sets timeout_ms over an inherited timeout_seconds also sets "
                "timeout_seconds: null",
            )
        if route.expose == "direct":
            yield from _bypass(name, route, root)


def _bypass(name: str, route: Route, root: LocatedMap) -> Iterator[Problem]:
    """The warning for a route exposed straight to its service: what only the API gateway enforces."""
    lost = [f"auth: {route.auth}"] if route.auth != "none" else []
    lost += ["its rate limit"] if route.rate_limit is not None else []
    lost += ["its CORS rules"] if route.cors is not None else []
    if lost:
        path = ("routes", name, "expose")
        yield Problem(
            "AZC0305",
            f'route is exposed straight to service "{route.service}": the Gateway does not apply '
            f"{', '.join(lost)} (only the Tyk gateway does)",
            value_at(root, path),
            severity=Severity.WARNING,
            path=format_path(path),
            hint="remove expose: direct so that traffic goes through the Tyk gateway",
        )


def check_flags(
    env: Environment,
    root: LocatedMap,
    *,
    today: dt.date,
    cache: CheckCache,
) -> Iterator[Problem]:
    """Variants of one type, a default that exists, well-formed targeting, and expiry dates."""
    for name, flag in env.flags.items():
        cached = cache.flags.get(id(flag))
        if cached is None:
            # The entry holds the flag itself so that its id cannot be reused by another object.
            cached = cache.flags[id(flag)] = (flag, list(_check_flag(name, flag, root, today, cache)))
        yield from cached[1]


def _variant_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return "unsupported"


def _check_flag(
    name: str, flag: Flag, root: LocatedMap, today: dt.date, cache: CheckCache
) -> Iterator[Problem]:
    base = ("flags", name)
    types = {variant: _variant_type(value) for variant, value in flag.variants.items()}
    kinds = sorted(set(types.values()))
    if "unsupported" in kinds or len(kinds) > 1:
        listed = ", ".join(f"{v}: {t}" for v, t in types.items())
        yield Problem(
            "AZC0401",
            f"variants must all be booleans, strings, numbers or objects ({listed})",
            value_at(root, (*base, "variants")),
            path=format_path((*base, "variants")),
            hint="give every variant a value of the same type",
        )
    if flag.default_variant is not None and flag.default_variant not in flag.variants:
        yield Problem(
            "AZC0402",
            f'defaultVariant "{flag.default_variant}" is not a variant'
            f"{did_you_mean(flag.default_variant, flag.variants)}",
            value_at(root, (*base, "defaultVariant")),
            path=format_path((*base, "defaultVariant")),
            hint=f"use one of: {', '.join(flag.variants)}",
        )
    if flag.expires is not None and flag.expires < today:
        yield Problem(
            "AZC0404",
            f"flag expired on {flag.expires.isoformat()}",
            value_at(root, (*base, "expires")),
            severity=Severity.WARNING,
            path=format_path((*base, "expires")),
            hint="remove the flag from code and config, or move its expiry date",
        )


def check_rules(root: LocatedMap) -> Iterator[Problem]:
    """Every flag's targeting rule, checked on the resolved data.

    No model is needed, so this runs with the value checks. An overlay that changes a flag's state
    leaves its rule the same object (layering shares untouched subtrees), so each rule is checked
    once per flag and set of variant names, and the problems are kept on it (see
    :func:`azconf.config.located.derived_once`).
    """
    flags = root.get("flags")
    for name, raw in flags.items() if isinstance(flags, dict) else ():
        rule = raw.get("targeting") if isinstance(raw, dict) else None
        variants = raw.get("variants") if isinstance(raw, dict) else None
        if not isinstance(rule, dict) or not rule or not isinstance(variants, dict):
            continue  # no rule, or a flag the model reports as malformed
        if isinstance(rule, LocatedMap):
            key = ("targeting", name, tuple(variants))
            yield from derived_once(rule, key, partial(_rule_problems, name, rule, list(variants), root))
        else:
            yield from _targeting_problems(name, rule, list(variants), root)


def _rule_problems(name: str, rule: dict[str, Any], variants: list[str], root: LocatedMap) -> list[Problem]:
    return list(_targeting_problems(name, rule, variants, root))


def _targeting_problems(
    name: str, rule: dict[str, Any], variants: list[str], root: LocatedMap
) -> Iterator[Problem]:
    from azconf.model.targeting import check_targeting

    base = ("flags", name, "targeting")
    for issue in check_targeting(rule, variants):
        path = (*base, *issue.path)
        yield Problem("AZC0403", issue.message, value_at(root, path), path=format_path(path), hint=issue.hint)
