"""Rendered flagd flag files, read by the two real consumers.

1. ``@openfeature/flagd-core`` (npm, the engine of flagd's JavaScript in-process providers) in strict
   mode: ``MemoryStorage.setConfigurations(text, true)`` validates against its bundled flagd schemas and
   throws on any violation; tests/interop/flagd-core/validate.js drives it and reports as JSON. It is
   pinned in tests/interop/flagd-core/package-lock.json and installed by
   tests/interop/install-flagd-core.sh (which the tests run themselves when it is missing).
2. The PyPI ``openfeature-provider-flagd`` in-process FILE resolver, behind the OpenFeature Python
   SDK: it reads the file from disk and evaluates locally, so no flagd daemon and no network.

Without the tools the tests skip, except under CI (the CI variable set), where they fail.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import load_project
from azconf.environment import load_environment
from azconf.model.sections import Environment
from azconf.render.base import RenderContext
from azconf.render.flagd import FILE_NAME, TARGET, FlagdOptions, dumps, flag_file
from azconf.snapshot import content_hash, snapshot
from interop_tools import missing_tool

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "tests" / "interop" / "flagd-core"
PACKAGE = NODE_DIR / "node_modules" / "@openfeature" / "flagd-core"
INSTALL = REPO / "tests" / "interop" / "install-flagd-core.sh"
EXAMPLE = REPO / "examples" / "azora"
ENVS = ("dev", "staging", "prod")

pytestmark = pytest.mark.interop


def example_context(env: str) -> RenderContext:
    project, _ = load_project(EXAMPLE)
    assert project is not None
    loaded = load_environment(project, env, today=dt.date(2026, 1, 1))
    data = snapshot(loaded.resolution)
    digest = content_hash(data)
    return RenderContext(
        project=project.manifest.project,
        env=env,
        model=loaded.model,
        data=data,
        version=f"{env}@7 {digest}",
        content_hash=digest,
        options=FlagdOptions(),
    )


def write_flag_file(folder: Path, env: str = "prod") -> Path:
    """Render the example's ``env`` with the real target and write it where a consumer reads it."""
    path = folder / env / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TARGET.render(example_context(env))[FILE_NAME], encoding="utf-8")
    return path


# -- @openfeature/flagd-core, strict ---------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    """The node command, once @openfeature/flagd-core is known to be installed (installing it if need be)."""
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        missing_tool("node/npm are not on PATH: apt-get install nodejs npm")
    assert found is not None
    if not PACKAGE.is_dir():
        # The test set-up installs the locked version; without the registry this fails, and so do we.
        done = subprocess.run(
            ["bash", str(INSTALL)], capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0 or not PACKAGE.is_dir():
            missing_tool(f"{INSTALL.name} could not install @openfeature/flagd-core:\n{done.stderr}")
    return found


def flagd_core(node: str, flag_file_path: Path, cases: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """validate.js's report on ``flag_file_path`` (and the evaluations of ``cases``)."""
    command = [node, str(NODE_DIR / "validate.js"), str(flag_file_path)]
    if cases is not None:
        cases_path = flag_file_path.with_suffix(".cases.json")
        cases_path.write_text(json.dumps(cases), encoding="utf-8")
        command.append(str(cases_path))
    done = subprocess.run(command, cwd=NODE_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), f"validate.js failed to run:\n{done.stdout}\n{done.stderr}"
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["valid"] is (done.returncode == 0)
    return report


@pytest.mark.parametrize("env", ENVS)
def test_every_example_environment_passes_strict_validation(node: str, tmp_path: Path, env: str) -> None:
    context = example_context(env)
    report = flagd_core(node, write_flag_file(tmp_path, env))
    assert report["error"] is None, report["schemaErrors"]
    assert report["warnings"] == []  # e.g. a targeting rule its JsonLogic engine cannot compile
    assert report["valid"] is True
    assert report["flags"] == sorted(context.model.flags)
    assert report["flagSetMetadata"] == {"flagSetId": f"azora-{env}", "version": context.version}


def broken(path: Path, change: Any) -> Path:
    """A copy of the flag file at ``path`` with ``change(document)`` applied."""
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    target = path.with_name(f"broken-{uuid.uuid4().hex[:8]}.json")
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


BREAKAGES: dict[str, tuple[Any, str]] = {
    "unknown state": (
        lambda d: d["flags"]["dark-mode"].update(state="ON"),
        "/flags/dark-mode/state: must be equal to one of the allowed values",
    ),
    "mixed variant types": (
        lambda d: d["flags"]["dark-mode"]["variants"].update(maybe="yes"),
        "/flags/dark-mode/variants/maybe: must be boolean",
    ),
    "unknown targeting operation": (
        lambda d: d["flags"]["staff-tools"].update(targeting={"ends_in": [{"var": "email"}, "@x"]}),
        "/flags/staff-tools/targeting: must NOT have additional properties",
    ),
    "object as flag metadata value": (
        lambda d: d["flags"]["new-checkout"]["metadata"].update(owners={"team": "payments"}),
        "/flags/new-checkout/metadata/owners: must be string,number,boolean",
    ),
    "flag-set version not a string": (
        lambda d: d["metadata"].update(version=7),
        "/metadata/version: must be string",
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_file_is_rejected(node: str, tmp_path: Path, breakage: str) -> None:
    """The validator really checks: each breakage of a valid file gets the schema error it should."""
    change, expected = BREAKAGES[breakage]
    report = flagd_core(node, broken(write_flag_file(tmp_path), change))
    assert report["valid"] is False
    assert report["error"] == "ParseError: invalid flagd flag configuration"
    assert expected in report["schemaErrors"], report["schemaErrors"]


def test_a_default_variant_that_is_not_a_variant_is_rejected(node: str, tmp_path: Path) -> None:
    # The schema cannot say this; flagd-core's structural check (FeatureFlag.validateStructure) does.
    path = broken(write_flag_file(tmp_path), lambda d: d["flags"]["dark-mode"].update(defaultVariant="auto"))
    report = flagd_core(node, path)
    assert report["valid"] is False
    assert "Default variant auto missing from variants" in report["error"]


def test_a_truncated_file_is_rejected(node: str, tmp_path: Path) -> None:
    path = write_flag_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")
    report = flagd_core(node, path)
    assert report["valid"] is False
    assert report["error"].startswith("ParseError: invalid flagd flag configuration (")


# -- openfeature-provider-flagd, in-process FILE resolver --------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a TCP connection from Python fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    # Point the provider's gRPC defaults at nothing, so a fallback to a flagd daemon could not succeed.
    monkeypatch.setenv("FLAGD_HOST", "flagd.invalid")
    monkeypatch.setenv("FLAGD_PORT", "1")


@pytest.fixture
def evaluate(no_network: None, tmp_path: Path) -> Iterator[Any]:
    """A function that opens a flag file with the in-process FILE resolver and returns an SDK client."""
    try:
        from openfeature import api
        from openfeature.contrib.provider.flagd import FlagdProvider
        from openfeature.contrib.provider.flagd.config import ResolverType
        from openfeature.contrib.provider.flagd.resolvers import InProcessResolver
        from openfeature.contrib.provider.flagd.resolvers.process.connector.file_watcher import FileWatcher
        from openfeature.provider.no_op_provider import NoOpProvider
    except ImportError as error:
        missing_tool(f"{error.name} is not installed: pip install -e '.[test]'")
    opened: list[tuple[str, Any]] = []

    def open_client(path: Path) -> Any:
        domain = f"azconf-test-{uuid.uuid4().hex}"
        provider = FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=str(path))
        # In-process evaluation of a file: no gRPC watcher, no flagd daemon.
        assert isinstance(provider.resolver, InProcessResolver)
        assert isinstance(provider.resolver.connector, FileWatcher)
        api.set_provider_and_wait(provider, domain)
        opened.append((domain, provider))
        return api.get_client(domain)

    yield open_client
    for domain, provider in opened:
        provider.shutdown()
        api.set_provider(NoOpProvider(), domain)


def context_of(attributes: dict[str, Any] | None = None, key: str | None = None) -> Any:
    from openfeature.evaluation_context import EvaluationContext

    return EvaluationContext(targeting_key=key, attributes=attributes or {})


@pytest.mark.parametrize(
    ("email", "value", "variant"),
    [
        ("ana@azora.dev", True, "on"),  # ends_with "@azora.dev"
        ("ops@northwind-partners.com", True, "on"),  # in the partner list
        ("ana@azora.dev.evil.com", False, "off"),
        ("someone@example.com", False, "off"),
    ],
)
def test_the_targeted_flag_evaluates_as_configured(
    evaluate: Any, tmp_path: Path, email: str, value: bool, variant: str
) -> None:
    client = evaluate(write_flag_file(tmp_path))
    details = client.get_boolean_details("staff-tools", not value, context_of({"email": email}))
    assert (details.value, details.variant, details.reason) == (value, variant, "TARGETING_MATCH")
    assert details.error_code is None
    # azconf's ownership fields arrive as flag metadata, merged with the flag set's
    assert details.flag_metadata["owner"] == "team-platform"
    assert details.flag_metadata["expires"] == "2028-12-31"
    assert details.flag_metadata["flagSetId"] == "azora-prod"


def test_the_fractional_rollout_buckets_about_a_tenth(evaluate: Any, tmp_path: Path) -> None:
    client = evaluate(write_flag_file(tmp_path))
    results = [
        client.get_boolean_details("new-checkout", False, context_of(key=f"user-{i}")) for i in range(2000)
    ]
    assert {r.reason for r in results} == {"TARGETING_MATCH"}
    assert {(r.value, r.variant) for r in results} == {(True, "on"), (False, "off")}
    share = sum(r.value for r in results) / len(results)
    assert 0.07 < share < 0.13, share  # ["on", 10], ["off", 90]
    again = client.get_boolean_details("new-checkout", False, context_of(key="user-7"))
    assert again.value == results[7].value  # sticky: the same key, the same bucket


UNTARGETED = {
    "dark-mode": ("boolean", False, (True, "on", "STATIC")),
    "beta-banner": ("boolean", True, (False, "off", "STATIC")),
    "homepage-layout": ("string", "none", ("classic", "classic", "STATIC")),
    "payment-retry-limit": ("integer", 0, (3, "standard", "STATIC")),
    "ai-recommendations": ("boolean", False, (False, None, "DISABLED")),  # the caller's default
}


@pytest.mark.parametrize("flag", list(UNTARGETED))
def test_untargeted_flags_serve_their_default_variant(evaluate: Any, tmp_path: Path, flag: str) -> None:
    kind, default, expected = UNTARGETED[flag]
    client = evaluate(write_flag_file(tmp_path))
    details = getattr(client, f"get_{kind}_details")(flag, default)
    assert (details.value, details.variant, details.reason) == expected
    assert details.error_code is None


def test_a_rule_that_returns_nothing_serves_the_default_variant(evaluate: Any, tmp_path: Path) -> None:
    # An "if" without an else returns null for non-matching callers: flagd's reason is then DEFAULT.
    model = Environment.model_validate(
        {
            "flags": {
                "gold-perks": {
                    "state": "ENABLED",
                    "variants": {"on": True, "off": False},
                    "defaultVariant": "off",
                    "targeting": {"if": [{"==": [{"var": "plan"}, "gold"]}, "on"]},
                }
            }
        }
    )
    path = tmp_path / FILE_NAME
    path.write_text(dumps(flag_file(model, "shop", "prod", "prod@1")), encoding="utf-8")
    client = evaluate(path)
    gold = client.get_boolean_details("gold-perks", False, context_of({"plan": "gold"}))
    basic = client.get_boolean_details("gold-perks", True, context_of({"plan": "basic"}))
    assert (gold.value, gold.variant, gold.reason) == (True, "on", "TARGETING_MATCH")
    assert (basic.value, basic.variant, basic.reason) == (False, "off", "DEFAULT")


def evaluate_both(
    node: str, client: Any, path: Path, cases: list[dict[str, Any]]
) -> tuple[list[Any], list[Any]]:
    """The same calls through flagd-core (JavaScript) and the Python provider.

    Each result is (flag, value, variant, reason).
    """
    javascript = [
        (e["flag"], e["value"], e["variant"], e["reason"])
        for e in flagd_core(node, path, cases)["evaluations"]
    ]
    python = []
    for case in cases:
        attributes = {k: v for k, v in case["context"].items() if k != "targetingKey"}
        kind = {"number": "integer"}.get(case["type"], case["type"])
        context = context_of(attributes, case["context"].get("targetingKey"))
        details = getattr(client, f"get_{kind}_details")(case["flag"], case["default"], context)
        python.append((case["flag"], details.value, details.variant, str(details.reason)))
    return javascript, python


def test_both_consumers_agree(node: str, evaluate: Any, tmp_path: Path) -> None:
    """flagd-core (JavaScript) and the Python provider give the same answers for the same calls."""
    path = write_flag_file(tmp_path)
    emails = ["ana@azora.dev", "audit@northwind-partners.com", "x@example.com"]
    cases: list[dict[str, Any]] = [
        {"flag": "staff-tools", "type": "boolean", "default": False, "context": {"email": e}} for e in emails
    ]
    cases += [
        {"flag": "homepage-layout", "type": "string", "default": "none", "context": {}},
        {"flag": "payment-retry-limit", "type": "number", "default": 0, "context": {}},
        {"flag": "ai-recommendations", "type": "boolean", "default": False, "context": {}},
    ]
    javascript, python = evaluate_both(node, evaluate(path), path, cases)
    assert javascript == python
    assert [r[3] for r in python] == ["TARGETING_MATCH"] * 3 + ["STATIC", "STATIC", "DISABLED"]


ROLLOUT_CASES = [
    {"flag": "new-checkout", "type": "boolean", "default": False, "context": {"targetingKey": f"user-{i}"}}
    for i in range(1000)
]


def test_both_consumers_roll_out_to_about_a_tenth(node: str, evaluate: Any, tmp_path: Path) -> None:
    path = write_flag_file(tmp_path)
    for results in evaluate_both(node, evaluate(path), path, ROLLOUT_CASES):
        assert {r[3] for r in results} == {"TARGETING_MATCH"}
        share = sum(1 for r in results if r[2] == "on") / len(results)
        assert 0.07 < share < 0.13, share


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # only the disagreement itself; a missing tool still fails under CI
    reason="flagd's fractional v3 hashes the CBOR encoding of the bucketing value "
    "(openfeature-flagd-core 2.x does); @openfeature/flagd-core 4.0.1 still hashes the plain string, "
    "so the same user can land in different buckets in JavaScript and Python. "
    "When this passes, the JavaScript core has caught up: drop the mark.",
)
def test_both_consumers_put_each_user_in_the_same_bucket(node: str, evaluate: Any, tmp_path: Path) -> None:
    path = write_flag_file(tmp_path)
    javascript, python = evaluate_both(node, evaluate(path), path, ROLLOUT_CASES)
    # A count and a few examples: pytest's diff of two 1,000-item lists takes minutes.
    differ = [
        case["context"] for case, js, py in zip(ROLLOUT_CASES, javascript, python, strict=True) if js != py
    ]
    assert not differ, f"{len(differ)} of {len(ROLLOUT_CASES)} users land in other buckets, e.g. {differ[:3]}"
