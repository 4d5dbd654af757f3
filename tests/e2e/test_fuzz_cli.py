"""Fuzzing the real CLI (issue 13): YAML bytes, manifest fields and schema files, each run through
``azconf validate`` (and, for valid layers, ``render --check``) in a subprocess.

Whatever the input, azconf answers within 10 s with exit 0, 1 or 2 (never 3), prints no traceback,
and locates every problem it reports in a file it names, with a line for problems in a file it read
as YAML. The ``fuzz`` Hypothesis profile keeps CI under a minute (few examples, no per-example
deadline: the machine is shared); ``AZCONF_FUZZ_EXAMPLES=500`` runs a longer campaign.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from azconf_e2e import azconf_executable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("AZCONF_FUZZ_EXAMPLES", "12"))
settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,  # the 10 s bound below is the only clock
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile("fuzz")
ANSWER_WITHIN = 10.0  # seconds: "answers at all", not a speed target


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small valid project made by ``azconf init``."""
    root = tmp_path_factory.mktemp("fuzz") / "template"
    subprocess.run([azconf_executable(), "init", str(root)], check=True, capture_output=True)
    return root


def fresh(template: Path, tmp_path: Path, n: list[int]) -> Path:
    n[0] += 1
    root = tmp_path / f"case-{n[0]}"
    shutil.copytree(template, root)
    return root


def azconf(root: Path, *args: str) -> tuple[int, str, str]:
    """Run the real command; assert the promises every run keeps."""
    env = {**os.environ, "XDG_CACHE_HOME": str(root / ".cache"), "AZCONF_DB": str(root / "h.db")}
    try:
        done = subprocess.run(
            [azconf_executable(), "-C", str(root), *args],
            capture_output=True,
            timeout=ANSWER_WITHIN,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"azconf {' '.join(args)} gave no answer within {ANSWER_WITHIN} s")
    stdout, stderr = (stream.decode("utf-8", errors="replace") for stream in (done.stdout, done.stderr))
    assert done.returncode in (0, 1, 2), f"exit {done.returncode}:\n{stderr}"
    assert "Traceback" not in stderr + stdout, stderr
    return done.returncode, stdout, stderr


def check_validate(root: Path, yaml_file: str | None = None) -> dict[str, Any] | None:
    """Validate as JSON; every problem names a file, and one in ``yaml_file`` has a line."""
    code, stdout, stderr = azconf(root, "validate", "--format", "json")
    if code == 2:  # a usage error (the manifest cannot be used): one clear line on stderr
        assert stderr.startswith("azconf: error: "), stderr
        return None
    result = json.loads(stdout)
    for problem in result["problems"]:
        assert problem["file"], problem
        if problem["file"] == yaml_file and problem["code"] not in ("AZC0103",):
            assert problem["line"] >= 1, problem
    assert (code == 0) == result["valid"]
    return dict(result)


# -- YAML bytes ------------------------------------------------------------------------------------

YAML_PIECES = [
    "services:",
    "flags:",
    "routes:",
    "secrets:",
    "settings:",
    "  web:",
    "    replicas: ",
    "    port: ",
    "    image: ",
    "  ",
    "- ",
    ": ",
    "&a ",
    "*a",
    "!!int ",
    "!!str ",
    "!x ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ",",
    '"',
    "'",
    "#",
    "---",
    "...",
    "\n",
    "\t",
    "null",
    "~",
    "yes",
    "0x1F",
    "0o17",
    "1e400",
    ".nan",
    "9" * 40,
    "\x00",
    "\x01",
    "\ufeff",
    "\u2028",
    "é",
    "%YAML 1.1",
    "<<: *a",
    "|",
    ">-",
]
yaml_text = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=8), max_size=40).map("".join)
yaml_bytes = yaml_text.map(lambda text: text.encode("utf-8")) | st.binary(max_size=200)


@FUZZ
@given(data=yaml_bytes)
def test_any_yaml_bytes(template: Path, tmp_path: Path, data: bytes) -> None:
    root = fresh(template, tmp_path, COUNTER)
    (root / "config" / "base" / "fuzz.yaml").write_bytes(data)
    result = check_validate(root, "config/base/fuzz.yaml")
    if result is not None and result["valid"]:
        azconf(root, "render", "--env", "prod", "--check", "--out", str(root / "out"))


# -- manifest fields -------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "dev",
            "prod",
            "{env}",
            "../x",
            "/etc",
            "config/base",
            "schemas/settings.schema.json",
            "a" * 70,
            "kubernetes",
            "{target}",
            "{env}/{target}",
            ".azconf/history.db",
            "/dev/zero",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
MANIFEST_KEYS = [
    "version",
    "project",
    "environments",
    "layers",
    "schemas",
    "history",
    "promotion",
    "render",
    "secrets",
    "bogus",
]
manifests = st.dictionaries(st.sampled_from(MANIFEST_KEYS), values, max_size=6)


@FUZZ
@given(fields=manifests)
def test_any_manifest_fields(template: Path, tmp_path: Path, fields: dict[str, Any]) -> None:
    root = fresh(template, tmp_path, COUNTER)
    manifest = {"version": 1, "project": "fz", "environments": ["dev", "staging", "prod"]} | fields
    (root / "azconf.yaml").write_text(json.dumps(manifest), encoding="utf-8")  # JSON is YAML
    result = check_validate(root, "azconf.yaml")
    if result is not None and result["valid"]:
        azconf(root, "render", "--check")


# -- schema files ----------------------------------------------------------------------------------

KEYWORDS = [
    "type",
    "pattern",
    "properties",
    "patternProperties",
    "additionalProperties",
    "required",
    "items",
    "anyOf",
    "allOf",
    "oneOf",
    "not",
    "$ref",
    "enum",
    "const",
    "minimum",
    "maxLength",
    "format",
    "$defs",
    "if",
    "then",
    "else",
    "minProperties",
    "multipleOf",
    "dependentRequired",
]
PATTERNS = ["^(a+)+$", "(?<=x)y", "(a|aa)*$", "[", "\\d+", "^$", "(?P<n>x)", "\\1", "a{99999}"]
schema_values = st.recursive(
    scalars
    | st.sampled_from(PATTERNS)
    | st.sampled_from(["string", "object", "#/$defs/x", "#", "other.json"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYWORDS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=16,
)
schemas = st.dictionaries(st.sampled_from(KEYWORDS), schema_values, max_size=6)
setting_values = st.recursive(
    scalars | st.just("a" * 40 + "!"), lambda inner: st.lists(inner, max_size=3), max_leaves=6
)


@FUZZ
@given(schema=schemas | st.binary(max_size=60), value=setting_values)
def test_any_schema_file(template: Path, tmp_path: Path, schema: dict[str, Any] | bytes, value: Any) -> None:
    root = fresh(template, tmp_path, COUNTER)
    path = root / "schemas" / "settings.schema.json"
    path.write_bytes(schema if isinstance(schema, bytes) else json.dumps(schema).encode("utf-8"))
    settings_file = root / "config" / "base" / "settings.yaml"
    settings_file.write_text(
        f"settings:\n  region: eu-west-1\n  fuzz: {json.dumps(value)}\n", encoding="utf-8"
    )
    check_validate(root, "config/base/settings.yaml")


COUNTER = [0]
