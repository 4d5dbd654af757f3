"""azconf's compiled evaluation equals flagd's reference evaluator (PyPI ``openfeature-flagd-core``).

Every flag of every environment of ``examples/azora``, and every flag of the large benchmark corpus's
``prod``, is evaluated for 1,000 seeded users by both, at the same frozen time; value, variant, reason
and error code must be identical. Hand-written documents cover the rules the two configs do not use
(``$evaluators``, ``$flagd.timestamp``, bad rules, coercions).
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flag_users import users
from openfeature.contrib.tools.flagd.core import FlagdCore
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import FlagNotFoundError, ParseError

from azconf.config.project import load_project
from azconf.environment import load_environment
from azconf.flags.evaluate import CODE_DEFAULT, Evaluation, FlagSet
from azconf.render.flagd import flag_file

REPO = Path(__file__).resolve().parents[3]
NOW = 1_780_000_000.0
CALLER_DEFAULT = object()

Outcome = tuple[Any, ...]


def reference_outcome(core: FlagdCore, key: str, context: EvaluationContext) -> Outcome:
    """What flagd's reference answers, in the shape of :func:`azconf_outcome`."""
    try:
        details = core._resolve(key, CALLER_DEFAULT, context, None)
    except FlagNotFoundError:
        return ("error", "FLAG_NOT_FOUND")
    except ParseError:
        return ("error", "PARSE_ERROR")
    except Exception:
        return ("error", "GENERAL")
    value = CODE_DEFAULT if details.value is CALLER_DEFAULT else details.value
    return ("ok", _typed(value), details.variant, str(details.reason))


def azconf_outcome(flags: FlagSet, key: str, user: dict[str, Any]) -> Outcome:
    return _outcome(flags.evaluate(key, user, now=NOW))


def _outcome(result: Evaluation) -> Outcome:
    if result.failed:
        return ("error", result.error_code)
    return ("ok", _typed(result.value), result.variant, result.reason)


def _typed(value: Any) -> Any:
    """The value with its JSON type, so that True and 1 (equal in Python) are told apart."""
    return (type(value).__name__, value)


def contexts(people: list[dict[str, Any]]) -> list[EvaluationContext]:
    out = []
    for user in people:
        attributes = {k: v for k, v in user.items() if k != "targetingKey"}
        out.append(EvaluationContext(user.get("targetingKey"), attributes))
    return out


def assert_same(document: dict[str, Any], people: list[dict[str, Any]]) -> int:
    """Evaluate every flag of ``document`` for every user with both; return the count compared."""
    core = FlagdCore()
    core.set_flags(copy.deepcopy(document))  # it renames defaultVariant in the dict it is given
    flags = FlagSet(document)
    keys = sorted(document["flags"])
    assert keys, "a document without flags proves nothing"
    compared = 0
    assert flags.names == keys
    for user, context in zip(people, contexts(people), strict=True):
        bulk = flags.evaluate_all(user, now=NOW)
        for key, together in zip(keys, bulk, strict=True):
            expected = reference_outcome(core, key, context)
            assert azconf_outcome(flags, key, user) == expected, (key, user)
            assert _outcome(together) == expected, (key, user)  # bulk evaluation answers the same
            compared += 1
    return compared


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reference reads time.time() for $flagd.timestamp; azconf is given the same instant."""
    monkeypatch.setattr(time, "time", lambda: NOW)
    yield


def example_documents() -> Iterator[tuple[str, dict[str, Any]]]:
    project, _ = load_project(REPO / "examples" / "azora")
    assert project is not None
    for env in project.manifest.environments:
        model = load_environment(project, env, today=dt.date(2026, 1, 1)).model
        yield env, flag_file(model, project.manifest.project, env, f"{env}@1")


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_example_flag_for_1000_users(env: str) -> None:
    document = dict(example_documents())[env]
    assert assert_same(document, users(1000)) == 1000 * len(document["flags"])


def _corpus_module() -> Any:
    spec = importlib.util.spec_from_file_location("azconf_bench_corpus", REPO / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_every_corpus_flag_for_1000_users(tmp_path: Path) -> None:
    _corpus_module().generate(tmp_path / "corpus", preset="large", seed=7)
    project, _ = load_project(tmp_path / "corpus")
    assert project is not None
    model = load_environment(project, "prod", today=dt.date(2026, 1, 1)).model
    document = flag_file(model, project.manifest.project, "prod", "prod@1")
    assert len(document["flags"]) >= 3000
    assert assert_same(document, users(1000)) == 1000 * len(document["flags"])


def flag(targeting: Any = None, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "state": "ENABLED",
        "variants": {"on": True, "off": False},
        "defaultVariant": "off",
    }
    if targeting is not None:
        entry["targeting"] = targeting
    entry.update(fields)
    return entry


EDGE_FLAGS: dict[str, Any] = {
    "static": flag(),
    "disabled": flag(state="DISABLED"),
    "no-default": flag(defaultVariant=None),
    "empty-default": flag(defaultVariant=""),
    "null-target": flag({"if": [False, "on"]}),
    "bool-target": flag({"==": [{"var": "tier"}, "business"]}, variants={"true": "yes", "false": "no"}),
    "number-target": flag({"+": [1, 1]}, variants={"2": "two", "off": "x"}),
    "unknown-variant": flag({"cat": ["o", "x"]}),
    "unknown-op": flag({"if": [{"var": "beta"}, {"nope": [1]}, "off"]}),
    "by-key": flag({"if": [{"starts_with": [{"var": "$flagd.flagKey"}, "by-"]}, "on", "off"]}),
    "by-time": flag({"if": [{">": [{"var": "$flagd.timestamp"}, 1_700_000_000]}, "on", "off"]}),
    "shared": flag({"$ref": "is-staff"}),
    "shared-nested": flag({"if": [{"$ref": "is-staff"}, "on", {"$ref": "half"}]}),
    "fraction-expr": flag({"fractional": [{"var": "email"}, ["on", 1], ["off", 3]]}),
    "fraction-default-weight": flag({"fractional": [["on"], ["off"]]}),
    "fraction-bad-weight": flag({"fractional": [["on", 1.5], ["off", 1]]}),
    "fraction-zero": flag({"fractional": [["on", 0], ["off", -5]]}),
    "semver-caret": flag({"if": [{"sem_ver": [{"var": "version"}, "^", "2.0.0"]}, "on", "off"]}),
    "semver-tilde": flag({"if": [{"sem_ver": [{"var": "version"}, "~", "v3.1"]}, "on", "off"]}),
    "semver-bad-op": flag({"sem_ver": [{"var": "version"}, "<>", "1.0.0"]}),
    "ends": flag({"if": [{"ends_with": [{"var": "email"}, "@azora.dev"]}, "on", "off"]}),
    "coerce": flag({"if": [{"==": [{"var": "beta"}, 1]}, "on", "off"]}),
    "compare": flag({"if": [{"<": ["a", {"var": "region"}, "z"]}, "on", "off"]}),
    "substr": flag({"if": [{"==": [{"substr": [{"var": "email"}, -9]}, "azora.dev"]}, "on", "off"]}),
    "missing": flag({"if": [{"missing": ["email", "region"]}, "off", "on"]}),
    "some": flag({"if": [{"some": [{"var": "list"}, {"==": [{"var": ""}, 2]}]}, "on", "off"]}),
    "reduce": flag(
        {
            "if": [
                {
                    ">": [
                        {"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]},
                        3,
                    ]
                },
                "on",
                "off",
            ]
        }
    ),
    "length": flag({"if": [{">": [{"var": "email.length"}, 14]}, "on", "off"]}),
    "divide-by-zero": flag({"if": [{"/": [1, 0]}, "on", "off"]}),
    "in-string": flag({"if": [{"in": ["@azora", {"var": "email"}]}, "on", "off"]}),
    "null-valued-variant": flag({"if": [True, "gone"]}, variants={"gone": None, "off": False}),
}

EDGE_DOCUMENT: dict[str, Any] = {
    "$evaluators": {
        "is-staff": {"ends_with": [{"var": "email"}, "@azora.dev"]},
        "half": {"fractional": [["on", 50], ["off", 50]]},
    },
    "metadata": {"flagSetId": "edge", "version": "1"},
    "flags": EDGE_FLAGS,
}


def test_flagd_operations_and_edge_cases() -> None:
    people = users(300)
    for index, user in enumerate(people[:100]):
        user["list"] = [index % 3, 2] if index % 2 else "not a list"
    assert assert_same(EDGE_DOCUMENT, people) == 300 * len(EDGE_FLAGS)


def test_outcomes_cover_every_reason_and_error() -> None:
    """The edge document is not vacuous: it yields each reason and each error code."""
    flags = FlagSet(EDGE_DOCUMENT)
    seen = set()
    for user in users(300):
        for key in EDGE_FLAGS:
            result = flags.evaluate(key, user, now=NOW)
            seen.add(result.error_code or result.reason)
    assert {"STATIC", "DEFAULT", "TARGETING_MATCH", "DISABLED", "PARSE_ERROR", "GENERAL"} <= seen
    assert flags.evaluate("nope", {}).error_code == "FLAG_NOT_FOUND"
