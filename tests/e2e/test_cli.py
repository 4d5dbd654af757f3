"""End-to-end tests of the ``azconf`` command: the real console script, in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from azconf_e2e import EXAMPLE, REPO, RunAzconf

import azconf as azconf_package


def locate(file: Path, *keys: str) -> tuple[int, int, int]:
    """(line, key column, value column) of the block-style key path ``keys`` in ``file``, 1-based.

    Independent of azconf's own parser on purpose: a plain reading of indentation and ``key:``.
    """
    lines = file.read_text(encoding="utf-8").splitlines()
    start, parent_indent = 0, -1
    for depth, key in enumerate(keys):
        pattern = re.compile(rf"^(?P<indent> *)(?P<key>{re.escape(key)}):(?P<gap> *)(?P<rest>.*)$")
        for number in range(start, len(lines)):
            match = pattern.match(lines[number])
            indent = len(match["indent"]) if match else -1
            if match and indent > parent_indent:
                start, parent_indent = number + 1, indent
                if depth == len(keys) - 1:
                    value_column = indent + len(key) + 1 + len(match["gap"]) + 1
                    return number + 1, indent + 1, value_column
                break
        else:
            raise AssertionError(f"{'.'.join(keys)} not found in {file}")
    raise AssertionError("no keys given")


# -- init and validate ---------------------------------------------------------------------------


def test_init_then_validate(azconf: RunAzconf, tmp_path: Path) -> None:
    created = azconf("init", tmp_path / "shop", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "shop" / "azconf.yaml").is_file()
    assert "next: azconf -C" in created.stdout

    checked = azconf("validate", cwd=tmp_path / "shop")
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("ok: 3 environment(s) valid (dev, staging, prod)")

    again = azconf("init", tmp_path / "shop", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_init_ignores_history_and_rendered_output_in_git(azconf: RunAzconf, tmp_path: Path) -> None:
    import subprocess

    existing = tmp_path / "repo"
    existing.mkdir()
    (existing / ".gitignore").write_text("node_modules/\n")
    assert azconf("init", existing).returncode == 0
    assert (existing / ".gitignore").read_text().startswith("node_modules/\n# azconf's history")
    subprocess.run(["git", "init", "-q"], cwd=existing, check=True)
    assert azconf("-C", existing, "commit", "-m", "base").returncode == 0
    assert azconf("-C", existing, "render", "prod").returncode == 0
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=existing, capture_output=True, text=True, check=True
    )
    listed = status.stdout
    assert ".azconf" not in listed and "deploy" not in listed and "config/" in listed


def test_a_broken_manifest_names_it_in_the_summary(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "shop", cwd=tmp_path).returncode == 0
    manifest = tmp_path / "shop" / "azconf.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "layers:\n" in text
    manifest.write_text(text.replace("layers:\n", "layers:\n  - 42\n", 1), encoding="utf-8")
    run = azconf("validate", cwd=tmp_path / "shop")
    assert run.returncode == 1
    assert "azconf.yaml:" in run.stdout and "AZC0203" in run.stdout
    assert run.stdout.splitlines()[-1].startswith("failed: 1 problem(s) in azconf.yaml;")


def test_validate_the_example(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "validate")
    assert run.returncode == 0, run.stdout
    flags = EXAMPLE / "config/base/flags.yaml"
    line, _, value_column = locate(flags, "flags", "legacy-login", "expires")
    expires = flags.read_text(encoding="utf-8").splitlines()[line - 1][value_column - 1 :].split()[0]
    expected = (
        f"config/base/flags.yaml:{line}:{value_column}: warning AZC0404 flags.legacy-login.expires: "
        f"flag expired on {expires}"
    )
    assert expected in run.stdout
    assert run.stdout.splitlines()[-1].startswith("ok: 3 environment(s) valid (dev, staging, prod)")

    strict = azconf("-C", EXAMPLE, "validate", "--strict")
    assert strict.returncode == 1
    assert expected in strict.stdout


def test_validate_selected_environments(azconf: RunAzconf) -> None:
    one = azconf("-C", EXAMPLE, "validate", "--env", "prod", "--format", "json")
    assert one.returncode == 0
    assert one.json()["environments"] == ["prod"]
    two = azconf("-C", EXAMPLE, "validate", "-e", "dev", "-e", "prod", "--format", "json")
    assert two.json()["environments"] == ["dev", "prod"]


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--env", "prd"],
        ["show", "--env", "prd"],
        ["explain", "--env", "prd", "services.payments.replicas"],
    ],
    ids=["validate", "show", "explain"],
)
def test_unknown_environment_is_a_usage_error(azconf: RunAzconf, args: list[str]) -> None:
    run = azconf("-C", EXAMPLE, *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert 'unknown environment "prd" (did you mean "prod"?)' in run.stderr


def test_bad_option_value_is_a_usage_error(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "validate", "--format", "xml")
    assert run.returncode == 2
    assert "xml" in run.stderr


def test_no_project_found(azconf: RunAzconf, tmp_path: Path) -> None:
    assert not any((folder / "azconf.yaml").exists() for folder in (tmp_path, *tmp_path.parents))
    for args in (["validate"], ["show", "--env", "dev"]):
        run = azconf(*args, cwd=tmp_path)
        assert run.returncode == 2
        assert f"no azconf.yaml in {tmp_path.resolve()} or any folder above it" in run.stderr
        assert "azconf init" in run.stderr


# -- show -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_show_yaml_and_json_agree(azconf: RunAzconf, env: str) -> None:
    as_json = azconf("-C", EXAMPLE, "show", "--env", env, "--format", "json")
    as_yaml = azconf("-C", EXAMPLE, "show", "--env", env)
    assert as_json.returncode == as_yaml.returncode == 0
    data = json.loads(as_json.stdout)
    assert set(data) == {"flags", "routes", "secrets", "services", "settings"}
    # PyYAML is a YAML 1.1 reader: the output must mean the same to it (dates and on/off stay strings).
    assert yaml.safe_load(as_yaml.stdout) == data


def test_show_a_subtree(azconf: RunAzconf) -> None:
    whole = azconf("-C", EXAMPLE, "show", "--env", "prod", "--format", "json").json()
    subtree = azconf("-C", EXAMPLE, "show", "--env", "prod", "services.payments", "--format", "json")
    assert subtree.returncode == 0
    assert subtree.json() == whole["services"]["payments"]
    assert subtree.json()["replicas"] == 4
    scalar = azconf("-C", EXAMPLE, "show", "--env", "prod", "services.payments.replicas")
    assert yaml.safe_load(scalar.stdout) == 4


def test_show_an_unknown_path(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "show", "--env", "prod", "services.payments.replicaz")
    assert run.returncode == 2
    assert run.stdout == ""
    assert 'no "replicaz" under services.payments (did you mean "replicas"?)' in run.stderr
    malformed = azconf("-C", EXAMPLE, "show", "--env", "prod", "services..x")
    assert malformed.returncode == 2
    assert 'malformed path "services..x"' in malformed.stderr


def test_show_leaves_out_what_an_overlay_deleted(azconf: RunAzconf) -> None:
    flag = azconf("-C", EXAMPLE, "show", "--env", "dev", "flags.new-checkout", "--format", "json")
    assert "targeting" not in flag.json()
    base_flag = azconf("-C", EXAMPLE, "show", "--env", "prod", "flags.new-checkout", "--format", "json")
    assert "targeting" in base_flag.json()


# -- explain --------------------------------------------------------------------------------------


def test_explain_an_overridden_value(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "explain", "--env", "prod", "services.payments.replicas")
    assert run.returncode == 0, run.stderr
    prod_line, _, prod_col = locate(
        EXAMPLE / "config/envs/prod/services.yaml", "services", "payments", "replicas"
    )
    base_line, _, base_col = locate(EXAMPLE / "config/base/services.yaml", "services", "payments", "replicas")
    lines = run.stdout.splitlines()
    assert lines[0] == "services.payments.replicas = 4   [prod]"
    winner = [
        i for i, line in enumerate(lines) if f"config/envs/prod/services.yaml:{prod_line}:{prod_col}" in line
    ]
    loser = [i for i, line in enumerate(lines) if f"config/base/services.yaml:{base_line}:{base_col}" in line]
    assert winner and loser and winner[0] < loser[0], run.stdout
    assert lines[winner[0]].split()[:2] == ["set", "by"]
    assert lines[loser[0]].split()[0] == "overrode"
    assert lines[winner[0]].rstrip().endswith("(config/envs/prod)  4")
    assert lines[loser[0]].rstrip().endswith("(config/base)  1")


def test_explain_a_value_deleted_by_null(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "explain", "--env", "dev", "flags.new-checkout.targeting")
    assert run.returncode == 0, run.stderr
    null_line, _, null_col = locate(
        EXAMPLE / "config/envs/dev/flags.yaml", "flags", "new-checkout", "targeting"
    )
    base_line, base_key_col, _ = locate(
        EXAMPLE / "config/base/flags.yaml", "flags", "new-checkout", "targeting"
    )
    lines = run.stdout.splitlines()
    assert lines[0] == "flags.new-checkout.targeting is deleted   [dev]"
    assert (
        f"deleted by config/envs/dev/flags.yaml:{null_line}:{null_col}  (config/envs/dev)  null (delete)"
        in run.stdout
    )
    # The overridden value is a mapping: it is pointed at by its key.
    assert f"overrode   config/base/flags.yaml:{base_line}:{base_key_col}  (config/base)" in run.stdout
    assert run.stdout.index("deleted by") < run.stdout.index("overrode")


def test_explain_json_shape(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "explain", "--env", "prod", "services.payments.replicas", "--format", "json")
    assert run.returncode == 0
    document = run.json()
    assert set(document) == {"version", "env", "path", "exists", "default", "value", "settings", "leaves"}
    assert document["version"] == 1
    assert (document["env"], document["path"], document["exists"], document["value"]) == (
        "prod",
        "services.payments.replicas",
        True,
        4,
    )
    settings = document["settings"]
    assert [s["winner"] for s in settings] == [True, False]
    assert all(set(s) == {"file", "line", "column", "layer", "value", "winner"} for s in settings)
    assert [(s["file"], s["layer"], s["value"]) for s in settings] == [
        ("config/envs/prod/services.yaml", "config/envs/prod", 4),
        ("config/base/services.yaml", "config/base", 1),
    ]
    line, _, column = locate(EXAMPLE / "config/envs/prod/services.yaml", "services", "payments", "replicas")
    assert (settings[0]["line"], settings[0]["column"]) == (line, column)
    assert document["leaves"] == []


def test_explain_a_subtree_lists_its_leaves(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "explain", "--env", "prod", "services.payments.resources", "--format", "json")
    assert run.returncode == 0
    leaves = {leaf["path"]: leaf for leaf in run.json()["leaves"]}
    assert "services.payments.resources.limits.memory" in leaves
    assert all(leaf["file"] and leaf["line"] > 0 and leaf["column"] > 0 for leaf in leaves.values())


def test_explain_an_unknown_path(azconf: RunAzconf) -> None:
    run = azconf("-C", EXAMPLE, "explain", "--env", "prod", "services.nope.replicas")
    assert run.returncode == 2
    assert 'no "nope" under services' in run.stderr


# -- small commands -------------------------------------------------------------------------------


def test_version_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "azconf", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout == f"azconf {azconf_package.__version__}\n"
    assert done.stderr == ""


def test_explain_code(azconf: RunAzconf) -> None:
    run = azconf("explain-code", "AZC0301")
    assert run.returncode == 0
    assert run.stdout.startswith("AZC0301: Unknown reference\n")
    assert "Fix:" in run.stdout
    lower = azconf("explain-code", "azc0301")
    assert lower.stdout == run.stdout
    listing = azconf("explain-code")
    assert listing.returncode == 0
    assert any(line.startswith("AZC0108") for line in listing.stdout.splitlines())


def test_explain_unknown_code(azconf: RunAzconf) -> None:
    run = azconf("explain-code", "AZC0310")
    assert run.returncode == 2
    assert 'unknown problem code "AZC0310" (did you mean' in run.stderr


HEAVY = ("jsonschema", "jsonschema_rs", "sqlite_utils", "ruamel", "pydantic")


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "azconf", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0
    assert "validate" in done.stdout
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "azconf" in imported and "typer" in imported  # the measurement works
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_help_of_the_app_object_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from azconf.cli.app import app\n"
        "try:\n"
        "    app(['--help'], prog_name='azconf')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_committed_schemas_are_up_to_date(azconf: RunAzconf) -> None:
    run = azconf("schema", "export", "--check", "--out", "schemas", cwd=REPO)
    assert run.returncode == 0, f"{run.stdout}\nrun `make schemas` (azconf schema export) and commit"
    assert "up to date" in run.stdout


def test_stale_schemas_are_detected(azconf: RunAzconf, tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    written = azconf("schema", "export", "--out", out, cwd=tmp_path)
    assert written.returncode == 0
    assert {p.name for p in out.iterdir()} == {p.name for p in (REPO / "schemas").glob("*.json")}
    (out / "azconf-config.schema.json").write_text("{}\n")
    stale = azconf("schema", "export", "--check", "--out", out, cwd=tmp_path)
    assert stale.returncode == 1
    assert "azconf-config.schema.json" in stale.stdout
    assert (out / "azconf-config.schema.json").read_text() == "{}\n"  # --check writes nothing


def test_defaults_are_visible_in_explain_and_show(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "shop").returncode == 0
    shop = tmp_path / "shop"
    explained = azconf("-C", shop, "explain", "prod", "routes.web.timeout_seconds")
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines() == [
        "routes.web.timeout_seconds = 30   [prod]",
        "  default: no layer sets it (docs/config-model.md lists every default)",
    ]
    as_json = azconf("-C", shop, "explain", "prod", "routes.web.strip_path", "--format", "json").json()
    assert (as_json["value"], as_json["default"], as_json["settings"]) == (True, True, [])
    missing = azconf("-C", shop, "explain", "prod", "routes.web.timeouts")
    assert missing.returncode == 2 and 'did you mean "timeout_seconds"' in missing.stderr
    plain = azconf("-C", shop, "show", "prod", "routes.web", "--format", "json").json()
    full = azconf("-C", shop, "show", "prod", "routes.web", "--format", "json", "--defaults").json()
    assert "timeout_seconds" not in plain and full["timeout_seconds"] == 30 and full["strip_path"] is True
    assert {k: full[k] for k in plain} == plain
