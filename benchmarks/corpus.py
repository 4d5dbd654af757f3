"""A seeded generator of azconf config repositories, for benchmarks.

``generate(out_dir, preset="large", seed=7)`` writes a complete, valid repository in the format
of docs/config-model.md: a manifest, a base layer split over several files per section, one overlay
per environment that changes about 10% of the items, adds a few and deletes a few (only items that
nothing references), and Draft 2020-12 schemas for ``settings`` and ``services.*.settings``.

The output depends only on the preset, the knobs and the seed: it is byte-identical between runs (no
time, no set iteration order, no hash-seeded ordering).

    python benchmarks/corpus.py OUT --preset large --seed 7 [--flags 5000 ...] [--force]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, timedelta
from itertools import product
from pathlib import Path
from typing import Any

import yaml

GENERATOR_VERSION = 1
SECTIONS = ("flags", "routes", "secrets", "services", "settings")


# --------------------------------------------------------------------------------------------------
# Knobs and presets


@dataclass(frozen=True)
class Knobs:
    """Every size and shape parameter of a corpus; a preset is a set of defaults for them."""

    environments: tuple[str, ...] = ("dev", "qa", "staging", "prod")
    services: int = 300
    flags: int = 3000
    routes: int = 600
    secrets: int = 900
    tenants: int = 200  # entries of settings.tenants, each checked against a $ref'd schema
    change_ratio: float = 0.10  # share of each section's items an overlay changes
    adds: int = 10  # new items per section per environment
    deletes: int = 5  # items deleted (null) per section per environment
    flags_per_file: int = 200
    services_per_file: int = 50
    routes_per_file: int = 100
    secrets_per_file: int = 300


PRESETS: dict[str, Knobs] = {
    "small": Knobs(
        environments=("dev", "staging", "prod"),
        services=10,
        flags=60,
        routes=20,
        secrets=30,
        tenants=10,
        adds=2,
        deletes=1,
    ),
    "medium": Knobs(services=100, flags=1000, routes=200, secrets=300, tenants=60, adds=5, deletes=3),
    "large": Knobs(),
}


def make_knobs(preset: str, **overrides: Any) -> Knobs:
    """The preset's knobs with ``overrides`` applied; unknown names and bad values are errors."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    names = {f.name for f in fields(Knobs)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"unknown knob(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    envs = overrides.get("environments")
    if isinstance(envs, int):
        overrides["environments"] = environment_names(envs)
    elif envs is not None:
        overrides["environments"] = tuple(envs)
    knobs = replace(PRESETS[preset], **overrides)
    _check_knobs(knobs)
    return knobs


def environment_names(count: int) -> tuple[str, ...]:
    """``count`` environment names in promotion order, always ending with prod."""
    pool = ["dev", "qa", "staging", "uat", "perf", "preprod"]
    pool += [f"stage{i}" for i in range(1, max(0, count - len(pool)))]
    return (*pool[: max(0, count - 1)], "prod")


def _check_knobs(k: Knobs) -> None:
    label = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
    if not k.environments or len(set(k.environments)) != len(k.environments):
        raise ValueError("environments must be a non-empty list of distinct names")
    for env in k.environments:
        if not label.fullmatch(env) or len(env) > 20:
            raise ValueError(f"environment name {env!r} is not a short DNS-1035 label")
    for name in ("services", "flags", "routes", "secrets", "tenants", "adds", "deletes"):
        if getattr(k, name) < 0:
            raise ValueError(f"{name} must be >= 0")
    for name in ("flags_per_file", "services_per_file", "routes_per_file", "secrets_per_file"):
        if getattr(k, name) < 1:
            raise ValueError(f"{name} must be >= 1")
    if k.routes and not k.services:
        raise ValueError("routes need at least one service")
    if not 0 <= k.change_ratio <= 0.5:
        raise ValueError("change_ratio must be between 0 and 0.5")


# --------------------------------------------------------------------------------------------------
# YAML output


_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when present


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Decides which strings must be quoted: every YAML 1.1 special plus y/n, but not dates.

    PyYAML's 1.1 rules already quote yes/no/on/off, 0755, 1:30, 1_000 and 0b101; one-letter
    booleans are added because azconf rejects them unquoted. Dates are left plain, as people write
    them (``expires: 2031-05-01``); azconf reads them as strings. Shared objects are written out,
    never as anchors and aliases.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Dumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))


def to_yaml(data: Any) -> str:
    """Block style with flow-style leaves (``methods: [GET, POST]``), keys in insertion order."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        width=160,
        allow_unicode=True,
    )


# --------------------------------------------------------------------------------------------------
# Vocabulary and names


def words(text: str) -> list[str]:
    return text.split()


DOMAINS = words(
    "payments checkout catalog search identity billing orders inventory shipping notify analytics "
    "reports media profile reviews pricing promo ledger fraud support gateway audit metrics "
    "scheduler export"
)
COMPONENTS = words(
    "api worker sync indexer events cache reader writer jobs webhooks admin edge stream store mailer bridge"
)
ADJECTIVES = words(
    "new fast smart async bulk instant legacy beta modern secure simple guided dynamic live "
    "unified adaptive compact express global local"
)
NOUNS = words(
    "checkout flow search ranking banner layout cache export import retry pricing onboarding "
    "dashboard editor upload preview wizard sidebar filters invoices"
)
SECRET_KINDS = words(
    "db-password api-key jwt-signing-key redis-password smtp-password oauth-client-secret "
    "webhook-secret s3-access-key encryption-key tls-key"
)
RESOURCES = words(
    "orders items users sessions events reports invoices accounts search status exports "
    "webhooks settings tokens carts"
)
TEAMS = [f"team-{d}" for d in DOMAINS[:12]]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"]
LOG_LEVELS = ["debug", "info", "warning", "error"]
PLANS = ["free", "team", "business", "enterprise"]
TENANT_WORDS = words("acme globex initech umbrella stark wayne hooli vandelay soylent tyrell")
EXPIRY_START = date(2030, 1, 1)  # fixed, so the output never depends on today's date


def unique_names(rng: random.Random, combos: list[str], count: int) -> list[str]:
    """``count`` distinct names: the combos in a seeded order, then with -2, -3, ... suffixes."""
    order = combos[:]
    rng.shuffle(order)
    return [
        order[i % len(order)] + ("" if i < len(order) else f"-{i // len(order) + 1}") for i in range(count)
    ]


def env_var(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


# --------------------------------------------------------------------------------------------------
# Statistics


@dataclass
class CorpusStats:
    """What ``generate`` wrote: files, bytes, item counts of the base and of each overlay."""

    root: str
    preset: str
    seed: int
    knobs: dict[str, Any]
    environments: list[str]
    files: int = 0
    yaml_files: int = 0
    bytes: int = 0
    yaml_bytes: int = 0
    base_items: dict[str, int] = field(default_factory=dict)
    overlays: dict[str, dict[str, int]] = field(default_factory=dict)
    resolved_items: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def items(self) -> int:
        """Items defined in all files: base items plus every overlay entry."""
        overlay = sum(n for per_env in self.overlays.values() for n in per_env.values())
        return sum(self.base_items.values()) + overlay

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "items": self.items}

    def summary(self) -> str:
        base = ", ".join(f"{n:,} {s}" for s, n in self.base_items.items())
        envs = ", ".join(self.environments)
        return (
            f"{self.files:,} files ({self.yaml_files:,} YAML), {self.bytes:,} bytes "
            f"({self.yaml_bytes:,} YAML), {self.items:,} items; base: {base}; "
            f"environments: {envs}"
        )


# --------------------------------------------------------------------------------------------------
# The base layer


@dataclass
class Base:
    """The base layer's items plus the reference facts the overlays need to stay valid."""

    flags: dict[str, Any]
    secrets: dict[str, Any]
    services: dict[str, dict[str, Any]]
    routes: dict[str, dict[str, Any]]
    settings: dict[str, Any]
    referenced_flags: list[str]
    referenced_secrets: list[str]
    workers: list[str]  # services that no route reaches: the only deletable services


def build_base(k: Knobs, rng: random.Random) -> Base:
    flags = {name: make_flag(rng, name, i) for i, name in enumerate(flag_names(rng, k.flags))}
    secrets = {name: make_secret(rng, name, i) for i, name in enumerate(secret_names(rng, k.secrets))}
    service_names = unique_names(rng, [f"{d}-{c}" for d, c in product(DOMAINS, COMPONENTS)], k.services)
    n_api = min(k.routes, round(0.8 * k.services)) if k.routes else 0
    api, workers = service_names[:n_api], service_names[n_api:]
    routes_of = assign_routes(rng, api, k.routes)
    routes: dict[str, dict[str, Any]] = {}
    for svc in api:
        for rname, resource in routes_of[svc]:
            routes[rname] = make_route(rng, rname, svc, resource)
    flag_keys, secret_keys = list(flags), list(secrets)
    services = {
        name: make_service(
            rng,
            name,
            i,
            flag_keys=flag_keys,
            secret_keys=secret_keys,
            routes=[r for r, _ in routes_of.get(name, [])],
        )
        for i, name in enumerate(service_names)
    }
    used_flags = {f for s in services.values() for f in s["flags"]}
    used_secrets = {x for s in services.values() for x in s["secrets"]}
    return Base(
        flags=flags,
        secrets=secrets,
        services=services,
        routes=routes,
        settings=make_settings(rng, k.tenants),
        referenced_flags=[f for f in flag_keys if f in used_flags],
        referenced_secrets=[s for s in secret_keys if s in used_secrets],
        workers=workers,
    )


def flag_names(rng: random.Random, count: int) -> list[str]:
    combos = [f"{d}.{a}-{n}" for d, a, n in product(DOMAINS, ADJECTIVES, NOUNS)]
    names = unique_names(rng, combos, count)
    # A few other spellings that flag keys allow: underscores and camelCase.
    for i in range(0, len(names), 23):
        names[i] = names[i].replace("-", "_")
    for i in range(11, len(names), 37):
        head, _, tail = names[i].partition("-")
        names[i] = head + tail[:1].upper() + tail[1:]
    return names


def secret_names(rng: random.Random, count: int) -> list[str]:
    combos = [f"{d}-{c}-{s}" for d, c, s in product(DOMAINS, COMPONENTS, SECRET_KINDS)]
    return unique_names(rng, combos, count)


def assign_routes(rng: random.Random, api: list[str], count: int) -> dict[str, list[tuple[str, str]]]:
    """Route names and resources per service: every API service gets one, the rest at random."""
    owners = api + [rng.choice(api) for _ in range(count - len(api))] if api else []
    result: dict[str, list[tuple[str, str]]] = {svc: [] for svc in api}
    for svc in owners:
        n = len(result[svc])
        resource = RESOURCES[n % len(RESOURCES)] + ("" if n < len(RESOURCES) else str(n))
        result[svc].append((f"{svc}-{resource}", resource))
    return result


def expiry(rng: random.Random) -> str:
    return (EXPIRY_START + timedelta(days=rng.randrange(3 * 365))).isoformat()


def make_flag(rng: random.Random, name: str, index: int) -> Any:
    """One flag: boolean shorthand, or long form with boolean, string, number or object variants."""
    roll = rng.random()
    if roll < 0.30:
        return rng.random() < 0.5
    if roll < 0.65:
        variants: dict[str, Any] = {"on": True, "off": False}
    elif roll < 0.82:
        variants = rng.choice(
            [
                {"control": "control", "blue": "blue", "green": "green"},
                {"classic": "classic-layout", "compact": "compact-layout"},
                {"v1": "v1", "v2": "v2", "v3": "v3"},
                {"none": "none", "on-demand": "on", "always": "always"},
            ]
        )
    elif roll < 0.95:
        variants = rng.choice(
            [
                {"low": 10, "medium": 50, "high": 100},
                {"small": 0.05, "large": 0.5},
                {"short": 30, "long": 300},
            ]
        )
    else:
        variants = {
            "compact": {"columns": 2, "dense": True, "theme": "light"},
            "wide": {"columns": 4, "dense": False, "theme": "dark"},
        }
    keys = list(variants)
    flag: dict[str, Any] = {
        "state": "ENABLED" if rng.random() < 0.85 else "DISABLED",
        "variants": variants,
        "defaultVariant": rng.choice(keys),
    }
    if rng.random() < 0.35:
        flag["targeting"] = make_targeting(rng, keys)
    flag["description"] = f"{name.split('.', maxsplit=1)[0].title()}: {name.partition('.')[2]} (flag {index})"
    flag["owner"] = rng.choice(TEAMS)
    if rng.random() < 0.6:
        flag["expires"] = expiry(rng)
    if rng.random() < 0.2:
        flag["metadata"] = {"jira": f"AZ-{1000 + index}", "temporary": rng.random() < 0.5}
    return flag


def make_targeting(rng: random.Random, variants: list[str]) -> dict[str, Any]:
    """JsonLogic targeting that returns only existing variants; uses flagd's custom operations."""
    a, b = rng.sample(variants, 2) if len(variants) > 1 else (variants[0], variants[0])
    kind = rng.randrange(7)
    email = {"var": "email"}
    if kind == 0:
        return {"if": [{"in": [email, ["alice@azora.dev", "bob@azora.dev"]]}, a, b]}
    if kind == 1:
        return {"if": [{"in": ["@azora.dev", email]}, a, b]}
    if kind == 2:
        share = 100 // len(variants)
        weights: list[list[Any]] = [[v, share] for v in variants]
        weights[0][1] += 100 - share * len(variants)
        if rng.random() < 0.5:
            return {"fractional": weights}
        return {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, email]}, *weights]}
    if kind == 3:
        return {"if": [{"starts_with": [email, "admin"]}, a, b]}
    if kind == 4:
        return {"if": [{"ends_with": [email, "@partner.example"]}, a, b]}
    if kind == 5:
        op = rng.choice([">=", "^", "~", "<"])
        return {
            "if": [
                {"sem_ver": [{"var": "version"}, op, f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.0"]},
                a,
                b,
            ]
        }
    region = {"==": [{"var": "region"}, rng.choice(REGIONS)]}
    tier = {"in": [{"var": "tier"}, ["business", "enterprise"]]}
    return {"if": [{"and": [region, tier]}, a, {"==": [{"var": "beta"}, True]}, b, variants[0]]}


def make_secret(rng: random.Random, name: str, index: int) -> Any:
    domain = name.split("-", maxsplit=1)[0]
    kind = index % 4
    if kind == 0:
        ref = f"vault://kv/azora/{domain}/{name}#value"
    elif kind == 1:
        ref = f"k8s://{domain}-secrets/{env_var(name)}"
    elif kind == 2:
        ref = f"vault://secret/{domain}/{name}#{env_var(name).lower()}"
    else:
        # Only cluster-side schemes: env:// and keyring:// resolve on a developer's machine, and every
        # environment of the corpus must render for Kubernetes.
        ref = f"k8s://{domain}-{name}/{env_var(name)}"
    if rng.random() < 0.3:
        return {"ref": ref, "description": f"{name.replace('-', ' ')} for {domain}"}
    return ref


def make_route(rng: random.Random, name: str, service: str, resource: str) -> dict[str, Any]:
    route: dict[str, Any] = {"path": f"/api/{service}/{resource}", "service": service}
    route["methods"] = rng.choice([["GET"], ["GET", "POST"], ["GET", "PUT", "DELETE"], ["POST"]])
    route["auth"] = rng.choice(["jwt", "jwt", "api-key", "none"])
    if rng.random() < 0.7:
        route["rate_limit"] = {
            "rate": rng.choice([50, 100, 200, 500, 1000]),
            "per": rng.choice([1, 60]),
        }
    if rng.random() < 0.3:
        route["cors"] = {
            "origins": ["https://app.azora.dev", "https://admin.azora.dev"],
            "methods": route["methods"],
            "headers": ["Authorization", "Content-Type"],
            "allow_credentials": rng.random() < 0.5,
        }
    if rng.random() < 0.4:
        route["timeout_seconds"] = rng.choice([5, 10, 15, 60])
    if rng.random() < 0.2:
        route["strip_path"] = False
    return route


def version(rng: random.Random) -> str:
    return f"{rng.randint(1, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"


def make_service(
    rng: random.Random,
    name: str,
    index: int,
    *,
    flag_keys: list[str],
    secret_keys: list[str],
    routes: list[str],
) -> dict[str, Any]:
    """A service whose flags, secrets and routes exist; env refers only to its own flags/secrets."""
    flags = rng.sample(flag_keys, min(len(flag_keys), rng.randint(1, 8)))
    secrets = rng.sample(secret_keys, min(len(secret_keys), rng.randint(1, 5)))
    port = rng.choice([8080, 8000, 9000, 3000, 5000])
    env: dict[str, Any] = {
        "LOG_LEVEL": rng.choice(LOG_LEVELS[:3]),
        "PORT": port,
        "SERVICE_NAME": name,
    }
    for s in secrets[:3]:
        env[env_var(s)] = {"secret": s}
    for f in flags[:3]:
        env["FLAG_" + env_var(f)] = {"flag": f}
    env["CACHE_MODE"] = rng.choice(["on", "off", "lru"])  # strings, quoted in the output
    env["STRICT_MODE"] = rng.random() < 0.5
    service: dict[str, Any] = {
        "image": f"ghcr.io/azora/{name}:{version(rng)}",
        "replicas": rng.choice([1, 2, 2, 3]),
        "port": port,
        "resources": {
            "requests": {
                "cpu": rng.choice(["50m", "100m", "250m"]),
                "memory": rng.choice(["64Mi", "128Mi"]),
            },
            "limits": {
                "cpu": rng.choice(["500m", "1000m"]),
                "memory": rng.choice(["256Mi", "512Mi", "1Gi"]),
            },
        },
        "env": env,
        "flags": flags,
        "secrets": secrets,
        "routes": routes,
        "settings": make_service_settings(rng, index),
    }
    return service


def make_service_settings(rng: random.Random, index: int) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "log_level": rng.choice(LOG_LEVELS),
        "timeout_ms": rng.choice([500, 1000, 2500, 5000]),
    }
    if rng.random() < 0.5:
        settings["max_batch"] = rng.choice([10, 50, 100])
    if rng.random() < 0.5:
        settings["cache"] = {
            "ttl_seconds": rng.choice([30, 300, 3600]),
            "mode": rng.choice(["on", "off", "lru"]),
        }
    if index % 5 == 0:
        settings["file_mode"] = rng.choice(["0644", "0755", "0600"])
        settings["drain"] = rng.choice(["1:30", "0:45", "2:00"])
    if rng.random() < 0.4:
        settings["regions"] = rng.sample(REGIONS, rng.randint(1, 3))
    if rng.random() < 0.3:
        settings["labels"] = {
            "tier": rng.choice(["gold", "silver"]),
            "consent": rng.choice(["yes", "no"]),
        }
    return settings


def make_settings(rng: random.Random, tenants: int) -> dict[str, Any]:
    return {
        "platform": {
            "region": "eu-west-1",
            "cluster": "azora-main",
            "domain": "azora.dev",
            "maintenance_window": "Sun 02:00-04:00",
            "drain": "1:30",
        },
        "observability": {
            "log_level": "info",
            "tracing": "on",
            "sample_rate": 0.1,
            "retention_days": 30,
        },
        "limits": {"max_upload_mb": 50, "max_request_kb": 512, "max_connections": 2000},
        "tenants": {name: make_tenant(rng, name) for name in tenant_names(rng, tenants)},
    }


def tenant_names(rng: random.Random, count: int) -> list[str]:
    return unique_names(rng, [f"{w}-{r}" for w, r in product(TENANT_WORDS, REGIONS)], count)


def make_tenant(rng: random.Random, name: str) -> dict[str, Any]:
    return {
        "plan": rng.choice(PLANS),
        "seats": rng.randint(1, 500),
        "region": rng.choice(REGIONS),
        "features": rng.sample(["sso", "audit", "export", "api", "webhooks"], rng.randint(0, 3)),
        "contact": f"admin@{name.split('-', maxsplit=1)[0]}.example",
    }


# --------------------------------------------------------------------------------------------------
# Overlays


@dataclass
class Overlay:
    """One environment's overlay, by section, plus counts for the statistics."""

    changed: dict[str, dict[str, Any]]
    added: dict[str, dict[str, Any]]
    counts: dict[str, int]
    resolved: dict[str, int]


def count_of(k: Knobs, n: int) -> int:
    return min(n, round(k.change_ratio * n))


def build_overlay(k: Knobs, base: Base, env: str, rank: int, seed: int) -> Overlay:
    """Change ~change_ratio of each section, add ``adds`` items, delete ``deletes`` unused ones."""
    rng = random.Random(f"{seed}:{env}")
    prod_like = rank == len(k.environments) - 1
    changed: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    added: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    deleted: dict[str, list[str]] = {}

    used_flags, used_secrets = set(base.referenced_flags), set(base.referenced_secrets)
    deleted["flags"] = pick(rng, [f for f in base.flags if f not in used_flags], k.deletes)
    deleted["secrets"] = pick(rng, [s for s in base.secrets if s not in used_secrets], k.deletes)
    deleted["services"] = pick(rng, base.workers, k.deletes)
    deleted["routes"] = pick(rng, list(base.routes), k.deletes)
    for section in ("flags", "secrets", "services", "routes"):
        changed[section].update(dict.fromkeys(deleted[section]))

    for name in pick(rng, [f for f in base.flags if f not in deleted["flags"]], count_of(k, len(base.flags))):
        changed["flags"][name] = change_flag(rng, base.flags[name])
    for name in pick(
        rng,
        [s for s in base.secrets if s not in deleted["secrets"]],
        count_of(k, len(base.secrets)),
    ):
        changed["secrets"][name] = change_secret(base.secrets[name], env, name)
    for name in pick(
        rng, [r for r in base.routes if r not in deleted["routes"]], count_of(k, len(base.routes))
    ):
        changed["routes"][name] = change_route(rng, base.routes[name], env)
    live_services = [s for s in base.services if s not in deleted["services"]]
    for name in pick(rng, live_services, count_of(k, len(base.services))):
        changed["services"][name] = change_service(rng, base.services[name], prod_like)
    # A deleted route must leave its service's routes list too: the overlay replaces that list.
    for rname in deleted["routes"]:
        svc = base.routes[rname]["service"]
        patch = changed["services"].setdefault(svc, {})
        patch["routes"] = [r for r in base.services[svc]["routes"] if r not in deleted["routes"]]
    changed["settings"] = change_settings(rng, k, base, env, added_tenants(rng, env, k.adds))

    add_items(rng, k, base, env, added)
    counts = {
        "changed": sum(len(v) for v in changed.values()) - sum(len(v) for v in deleted.values()),
        "added": sum(len(v) for v in added.values()),
        "deleted": sum(len(v) for v in deleted.values()),
    }
    resolved = {
        s: len(getattr(base, s)) + len(added[s]) - len(deleted[s])
        for s in ("flags", "routes", "secrets", "services")
    }
    return Overlay(changed, added, counts, resolved)


def pick(rng: random.Random, candidates: list[str], count: int) -> list[str]:
    return rng.sample(candidates, min(count, len(candidates)))


def change_flag(rng: random.Random, flag: Any) -> Any:
    if isinstance(flag, bool):
        return not flag  # a shorthand flag stays a shorthand: a scalar replaces a scalar
    roll = rng.random()
    if roll < 0.40:
        others = [v for v in flag["variants"] if v != flag["defaultVariant"]]
        return {"defaultVariant": rng.choice(others)}
    if roll < 0.75:
        return {"state": "DISABLED" if flag["state"] == "ENABLED" else "ENABLED"}
    if roll < 0.90:
        return {"targeting": change_targeting(rng, flag)}
    return {"owner": rng.choice(TEAMS), "expires": expiry(rng)}


def change_targeting(rng: random.Random, flag: dict[str, Any]) -> dict[str, Any]:
    """New targeting under the base's operator.

    Targeting is a map, so an overlay with a different operator would be merged next to the old one
    (two operators in one JsonLogic object) instead of replacing it.
    """
    variants = list(flag["variants"])
    old: dict[str, Any] | None = flag.get("targeting")
    if old is None:
        return make_targeting(rng, variants)
    for _ in range(20):
        new = make_targeting(rng, variants)
        if list(new) == list(old):
            return new
    return old


def change_secret(secret: Any, env: str, name: str) -> Any:
    ref = f"vault://kv/azora-{env}/{name.split('-', maxsplit=1)[0]}/{name}#value"
    return {"ref": ref} if isinstance(secret, dict) else ref


def change_route(rng: random.Random, route: dict[str, Any], env: str) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.5:
        rate = rng.choice([20, 100, 2000, 5000])
        return {"rate_limit": {"rate": rate} if "rate_limit" in route else {"rate": rate, "per": 60}}
    if roll < 0.7:
        return {"timeout_seconds": rng.choice([3, 20, 90])}
    if roll < 0.85:
        return {"auth": "api-key" if route["auth"] == "jwt" else "jwt"}
    return {"cors": {"origins": [f"https://{env}.azora.dev"], "methods": route["methods"]}}


def change_service(rng: random.Random, service: dict[str, Any], prod_like: bool) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    kinds = rng.sample(["replicas", "image", "env", "settings", "resources"], rng.randint(1, 2))
    if "replicas" in kinds:
        patch["replicas"] = service["replicas"] + (
            rng.randint(1, 4) if prod_like else -service["replicas"] + 1
        )
    if "image" in kinds:
        repo, _, tag = service["image"].rpartition(":")
        major, minor, fix = (int(x) for x in tag.split("."))
        patch["image"] = f"{repo}:{major}.{minor}.{fix + rng.randint(1, 3)}"
    if "env" in kinds:
        patch["env"] = {"LOG_LEVEL": "warning" if prod_like else "debug", "STRICT_MODE": prod_like}
    if "settings" in kinds:
        patch["settings"] = {
            "timeout_ms": rng.choice([750, 2000, 10000]),
            "log_level": rng.choice(LOG_LEVELS),
        }
    if "resources" in kinds:
        patch["resources"] = {"limits": {"memory": rng.choice(["512Mi", "2Gi"])}}
    return patch


def added_tenants(rng: random.Random, env: str, adds: int) -> dict[str, Any]:
    names = [f"{env}-tenant-{i + 1}" for i in range(min(adds, 3))]
    return {name: make_tenant(rng, name) for name in names}


def change_settings(
    rng: random.Random, k: Knobs, base: Base, env: str, new_tenants: dict[str, Any]
) -> dict[str, Any]:
    tenants = base.settings["tenants"]
    names = list(tenants)
    doomed = pick(rng, names, min(k.deletes, len(names) // 10))
    patch_tenants: dict[str, Any] = dict.fromkeys(doomed)
    for name in pick(rng, [n for n in names if n not in doomed], count_of(k, len(names))):
        patch_tenants[name] = {"seats": tenants[name]["seats"] + rng.randint(1, 50)}
        if rng.random() < 0.3:
            patch_tenants[name]["plan"] = rng.choice(PLANS)
    patch_tenants.update(new_tenants)
    settings: dict[str, Any] = {
        "platform": {"region": REGIONS[len(env) % len(REGIONS)], "cluster": f"azora-{env}"},
        "observability": {
            "log_level": "warning" if env == "prod" else "debug",
            "sample_rate": 0.25,
        },
    }
    if patch_tenants:
        settings["tenants"] = patch_tenants
    return settings


def add_items(rng: random.Random, k: Knobs, base: Base, env: str, added: dict[str, dict[str, Any]]) -> None:
    """New flags, secrets, and services with a route each; they refer only to undeletable items."""
    for i in range(k.adds):
        added["flags"][f"{env}.experiment-{i + 1}"] = make_flag(rng, f"{env}.experiment-{i + 1}", 90000 + i)
        added["secrets"][f"{env}-extra-secret-{i + 1}"] = f"vault://kv/azora-{env}/extra#secret-{i + 1}"
    if not base.services:
        return
    flags = base.referenced_flags or list(base.flags)[:0]
    secrets = base.referenced_secrets
    for i in range(k.adds):
        name = f"{env}-canary-{i + 1}"
        route = f"{name}-status"
        if base.routes:
            added["routes"][route] = make_route(rng, route, name, f"{env}/status")
        svc = make_service(
            rng,
            name,
            i,
            flag_keys=flags,
            secret_keys=secrets,
            routes=[route] if base.routes else [],
        )
        added["services"][name] = svc


# --------------------------------------------------------------------------------------------------
# Schemas and manifest

SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def settings_schema() -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": "azora platform settings",
        "type": "object",
        "additionalProperties": False,
        "required": ["platform", "observability"],
        "properties": {
            "platform": {
                "type": "object",
                "additionalProperties": False,
                "required": ["region", "cluster"],
                "properties": {
                    "region": {"$ref": "#/$defs/region"},
                    "cluster": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "domain": {"type": "string", "pattern": "^[a-z0-9.-]+$"},
                    "maintenance_window": {"type": "string"},
                    "drain": {"$ref": "#/$defs/duration"},
                },
            },
            "observability": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "log_level": {"$ref": "#/$defs/logLevel"},
                    "tracing": {"enum": ["on", "off", "sampled"]},
                    "sample_rate": {"type": "number", "minimum": 0, "maximum": 1},
                    "retention_days": {"type": "integer", "minimum": 1, "maximum": 3650},
                },
            },
            "limits": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            "tenants": {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
                "additionalProperties": {"$ref": "#/$defs/tenant"},
            },
        },
        "$defs": {
            "region": {"enum": REGIONS},
            "logLevel": {"enum": LOG_LEVELS},
            "duration": {"type": "string", "pattern": "^[0-9]+:[0-5][0-9]$"},
            "tenant": {
                "type": "object",
                "additionalProperties": False,
                "required": ["plan", "seats"],
                "properties": {
                    "plan": {"enum": PLANS},
                    "seats": {"type": "integer", "minimum": 1},
                    "region": {"$ref": "#/$defs/region"},
                    "features": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                    "contact": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$"},
                },
            },
        },
    }


def service_settings_schema() -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": "azora service settings",
        "type": "object",
        "additionalProperties": False,
        "required": ["log_level", "timeout_ms"],
        "properties": {
            "log_level": {"$ref": "#/$defs/logLevel"},
            "timeout_ms": {"type": "integer", "minimum": 1, "maximum": 600000},
            "max_batch": {"type": "integer", "minimum": 1},
            "cache": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "ttl_seconds": {"type": "integer", "minimum": 0},
                    "mode": {"enum": ["on", "off", "lru"]},
                },
            },
            "file_mode": {"type": "string", "pattern": "^0[0-7]{3}$"},
            "drain": {"type": "string", "pattern": "^[0-9]+:[0-5][0-9]$"},
            "regions": {"type": "array", "items": {"enum": REGIONS}, "minItems": 1},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "$defs": {"logLevel": {"enum": LOG_LEVELS}},
    }


def manifest(k: Knobs) -> dict[str, Any]:
    return {
        "version": 1,
        "project": "azora-bench",
        "environments": list(k.environments),
        "layers": ["config/base", "config/envs/{env}"],
        "schemas": {
            "settings": "schemas/settings.schema.json",
            "services.*.settings": "schemas/service-settings.schema.json",
        },
        # The Tyk gateway that the HTTPRoutes target needs a control API secret (GATEWAY_SECRETS).
        "render": {"tyk": {"gateway": {"secret": {"secret": GATEWAY_SECRET}}}},
    }


GATEWAY_SECRET = "tyk-api-secret"
# In a file of its own, so that the seeded items (and their random choices) stay as they were.
GATEWAY_SECRETS = {"secrets": {GATEWAY_SECRET: "vault://kv/azora/tyk#api_secret"}}


# --------------------------------------------------------------------------------------------------
# Writing


class _Writer:
    def __init__(self, root: Path, stats: CorpusStats, header: str) -> None:
        self.root, self.stats, self.header = root, stats, header

    def write(self, rel: str, text: str) -> None:
        data = text.encode("utf-8")
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.stats.files += 1
        self.stats.bytes += len(data)
        if rel.endswith((".yaml", ".yml")):
            self.stats.yaml_files += 1
            self.stats.yaml_bytes += len(data)

    def yaml(self, rel: str, data: dict[str, Any]) -> None:
        self.write(rel, self.header + to_yaml(data))

    def chunks(self, folder: str, section: str, items: dict[str, Any], size: int) -> None:
        names = list(items)
        for n, start in enumerate(range(0, len(names), size)):
            chunk = {name: items[name] for name in names[start : start + size]}
            self.yaml(f"{folder}/{section}-{n:03d}.yaml", {section: chunk})


def generate(
    out_dir: Path, preset: str = "large", seed: int = 7, *, overwrite: bool = False, **knobs: Any
) -> CorpusStats:
    """Write a corpus to ``out_dir`` and return what was written.

    ``knobs`` override the preset's :class:`Knobs` (``flags=5000``, ``environments=6``, ...).
    ``out_dir`` must be missing or empty unless ``overwrite`` is set, which replaces the manifest,
    ``config/`` and ``schemas/`` and leaves other files alone.
    """
    k = make_knobs(preset, **knobs)
    out_dir = Path(out_dir)
    prepare(out_dir, overwrite)
    rng = random.Random(seed)
    base = build_base(k, rng)
    stats = CorpusStats(str(out_dir), preset, seed, _knob_dict(k), list(k.environments))
    stats.base_items = {
        "flags": len(base.flags),
        "routes": len(base.routes),
        "secrets": len(base.secrets),
        "services": len(base.services),
        "tenants": len(base.settings["tenants"]),
    }
    header = f"# generated by benchmarks/corpus.py (preset {preset}, seed {seed}); do not edit\n"
    w = _Writer(out_dir, stats, header)
    w.yaml("azconf.yaml", manifest(k))
    for rel, schema in (
        ("schemas/settings.schema.json", settings_schema()),
        ("schemas/service-settings.schema.json", service_settings_schema()),
    ):
        w.write(rel, json.dumps(schema, indent=2) + "\n")
    w.chunks("config/base", "flags", base.flags, k.flags_per_file)
    w.chunks("config/base", "routes", base.routes, k.routes_per_file)
    w.chunks("config/base", "secrets", base.secrets, k.secrets_per_file)
    w.chunks("config/base", "services", base.services, k.services_per_file)
    w.yaml("config/base/settings.yaml", {"settings": base.settings})
    w.yaml("config/base/gateway.yaml", GATEWAY_SECRETS)
    for rank, env in enumerate(k.environments):
        folder = f"config/envs/{env}"
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        overlay = build_overlay(k, base, env, rank, seed)
        for section in SECTIONS:
            if overlay.changed[section]:
                w.yaml(f"{folder}/{section}.yaml", {section: overlay.changed[section]})
        new = {s: items for s, items in overlay.added.items() if items}
        if new:
            w.yaml(f"{folder}/new-items.yaml", new)
        stats.overlays[env] = overlay.counts
        stats.resolved_items[env] = overlay.resolved
    return stats


def _knob_dict(k: Knobs) -> dict[str, Any]:
    d = asdict(k)
    d["environments"] = list(k.environments)
    return d


def prepare(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and any(out_dir.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out_dir} is not empty (use overwrite=True / --force)")
        for name in ("config", "schemas"):
            shutil.rmtree(out_dir / name, ignore_errors=True)
        (out_dir / "azconf.yaml").unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded azconf config repository for benchmarks.")
    parser.add_argument("out", type=Path, help="output folder (missing or empty, unless --force)")
    parser.add_argument("--preset", choices=list(PRESETS), default="large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--force", action="store_true", help="replace a corpus already in OUT")
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    parser.add_argument("--environments", type=int, help="number of environments (ends with prod)")
    for name in ("services", "flags", "routes", "secrets", "tenants", "adds", "deletes"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--change-ratio", dest="change_ratio", type=float)
    args = parser.parse_args(argv)
    knob_names = {f.name for f in fields(Knobs)}
    knobs = {k: v for k, v in vars(args).items() if k in knob_names and v is not None}
    try:
        stats = generate(args.out, args.preset, args.seed, overwrite=args.force, **knobs)
    except (ValueError, TypeError, FileExistsError) as error:
        print(f"corpus.py: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(stats.to_dict(), indent=2) if args.json else f"{args.out}: {stats.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
