"""The terraform target checked by Terraform itself: ``terraform plan -var-file=<rendered file>``.

Each test works on a temporary copy of examples/azora/terraform (a module with typed variables and
validation blocks and no providers, so ``init -backend=false`` and ``plan`` run offline). Terraform
runs isolated: TF_IN_AUTOMATION, CHECKPOINT_DISABLE (no version check over the network), a temporary
HOME, TF_DATA_DIR and CLI configuration, and none of the caller's TF_VAR_* or TF_CLI_ARGS*.

``plan -json`` prints one JSON message per line; a ``diagnostic`` message carries Terraform's errors
and warnings (``Value for undeclared variable`` among them). ``show -json`` of a saved plan holds the
computed outputs, which prove that Terraform evaluated the values it was given.

Without terraform on PATH the tests skip, except under CI (the CI variable set), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import load_project
from azconf.render.base import RenderContext
from azconf.render.inputs import source_for
from azconf.render.terraform import TARGET, TerraformOptions
from azconf.render.terraform_module import check_module, read_module

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "azora"
MODULE = EXAMPLE / "terraform"
ENVIRONMENTS = ["dev", "staging", "prod"]
TIMEOUT = 300  # seconds per terraform command: generous for a cold, loaded CI machine
VAR_FILE = "azora.auto.tfvars.json"

pytestmark = pytest.mark.interop


@dataclass
class Plan:
    """What one ``terraform plan -json`` run said."""

    returncode: int
    messages: list[dict[str, Any]]
    stderr: str

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        """Terraform's errors and warnings."""
        return [m["diagnostic"] for m in self.messages if m.get("type") == "diagnostic"]

    def explain(self) -> str:
        return json.dumps(self.diagnostics, indent=2) + self.stderr


Terraform = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """``terraform(*args, cwd=...)``, isolated from the machine's configuration and the network."""
    binary = shutil.which("terraform")
    if binary is None:
        message = "terraform is not on PATH (it is part of the machine image)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{message} (CI is set: the interop tests may not skip)")
        pytest.skip(message)
    assert binary is not None
    home = tmp_path_factory.mktemp("terraform-home")
    (home / "terraformrc").write_text("", encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TF_VAR_", "TF_CLI_ARGS", "TF_LOG", "TF_PLUGIN_CACHE_DIR"))
    }
    env.update(
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        HOME=str(home),
        TF_CLI_CONFIG_FILE=str(home / "terraformrc"),
        TF_DATA_DIR=str(home / "data"),
    )

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [binary, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    return run


def initialised(terraform: Terraform, folder: Path) -> Path:
    """``folder`` after ``terraform init -backend=false`` (offline: the module needs no providers)."""
    result = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


@pytest.fixture(scope="module")
def module_copy(terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised copy of the example module (the original is never written to)."""
    folder = tmp_path_factory.mktemp("module") / "terraform"
    shutil.copytree(MODULE, folder)
    return initialised(terraform, folder)


def plan(terraform: Terraform, folder: Path, var_file: Path, out: Path | None = None) -> Plan:
    """``terraform plan -json`` of ``folder`` with ``var_file``, optionally saved to ``out``."""
    args = ["plan", "-input=false", "-no-color", "-json", f"-var-file={var_file}"]
    result = terraform(*args, *([f"-out={out}"] if out else []), cwd=folder)
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return Plan(result.returncode, messages, result.stderr)


def outputs(terraform: Terraform, folder: Path, saved: Path) -> dict[str, Any]:
    """The planned output values of a saved plan."""
    result = terraform("show", "-json", str(saved), cwd=folder)
    assert result.returncode == 0, result.stderr
    shown: dict[str, Any] = json.loads(result.stdout)
    return shown


def context(env: str, **options: Any) -> RenderContext:
    """The example's ``env`` as ``azconf render`` reads it, with the module check switched on."""
    project, _ = load_project(EXAMPLE)
    assert project is not None
    source = source_for(project, env, None)
    return RenderContext(
        project="azora",
        env=env,
        model=source.model,
        data=source.data,
        version=source.version,
        content_hash=source.content_hash,
        options=TerraformOptions(module=str(MODULE), **options),
        environments=tuple(ENVIRONMENTS),
    )


def write(folder: Path, files: dict[str, str]) -> Path:
    """The rendered files written into ``folder`` (outside the module: -var-file names them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def rendered_values(env: str) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(TARGET.render(context(env))[VAR_FILE])
    return values


# -- the rendered files, planned -------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_plans_cleanly(
    env: str, terraform: Terraform, module_copy: Path, tmp_path: Path
) -> None:
    render_context = context(env)
    var_file = write(tmp_path, TARGET.render(render_context)) / VAR_FILE
    result = plan(terraform, module_copy, var_file, out=tmp_path / "plan.bin")
    assert result.returncode == 0, result.explain()
    # No diagnostics at all: in particular no "Value for undeclared variable" warning.
    assert result.diagnostics == [], result.explain()
    assert not any("undeclared variable" in json.dumps(m) for m in result.messages)
    summary = next(m for m in result.messages if m["type"] == "change_summary")["changes"]
    model = render_context.model
    assert summary["add"] == len(model.services) + 2  # a terraform_data per service, cluster, database

    shown = outputs(terraform, module_copy, tmp_path / "plan.bin")
    values = {name: output["value"] for name, output in shown["planned_values"]["outputs"].items()}
    assert values["azconf_version"] == render_context.version
    assert values["total_replicas"] == sum(s.replicas for s in model.services.values())
    assert values["images"] == {name: s.image for name, s in model.services.items()}
    assert values["cluster_name"] == f"azora-{env}"
    assert values["pages_on_call"] is (env == "prod")
    assert values["secret_names"] == sorted(model.secrets)
    assert values["enabled_flags"] == sorted(k for k, f in model.flags.items() if f.state == "ENABLED")
    assert values["flag_defaults"] == {
        key: flag.variants[flag.default_variant]
        for key, flag in model.flags.items()
        if flag.default_variant is not None
    }
    assert shown["configuration"]["root_module"]["variables"]["secrets"]["sensitive"] is True


@pytest.fixture
def plan_prod_with(terraform: Terraform, module_copy: Path, tmp_path: Path) -> Callable[..., Plan]:
    """``plan_prod_with(values)``: plan the example module with ``values`` as the variable file."""

    def run(values: dict[str, Any]) -> Plan:
        var_file = write(tmp_path, {VAR_FILE: json.dumps(values)}) / VAR_FILE
        return plan(terraform, module_copy, var_file)

    return run


def break_value(values: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """A deep copy of ``values`` with the value at ``path`` replaced."""
    broken: dict[str, Any] = json.loads(json.dumps(values))
    holder = broken
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return broken


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        (["services", "web", "replicas"], -1, "replicas must be a whole number, 0 or more"),
        (["services", "web", "replicas"], 2.5, "replicas must be a whole number, 0 or more"),
        (["services", "web", "replicas"], "six", "a number is required"),
        (["services", "web", "image"], "ghcr.io/azora/web", "must name a tag"),
        (["routes", "payments", "path"], "api/payments", 'must start with \\"/\\"'),
        (["flags", "new-checkout", "default_variant"], "maybe", "must be one of its variants"),
        (["settings", "database", "storage_gb"], 5, "at least 20 GB"),
        (["secrets", "stripe-api-key", "scheme"], "aws", "vault, k8s, env or keyring"),
    ],
)
def test_a_wrong_value_makes_the_plan_fail(
    plan_prod_with: Callable[..., Plan], path: list[str], value: Any, says: str
) -> None:
    result = plan_prod_with(break_value(rendered_values("prod"), path, value))
    assert result.returncode == 1, result.explain()
    errors = [d for d in result.diagnostics if d["severity"] == "error"]
    assert errors, result.explain()
    assert says in json.dumps(errors), result.explain()


def test_terraform_only_warns_about_an_undeclared_variable(plan_prod_with: Callable[..., Plan]) -> None:
    # Why azconf checks the module: Terraform plans happily past a misspelt variable...
    values = {**rendered_values("prod"), "enviroment": "prod"}
    result = plan_prod_with(values)
    assert result.returncode == 0, result.explain()
    assert [d["summary"] for d in result.diagnostics] == ["Value for undeclared variable"]
    # ...which azconf reports as an error before writing anything.
    violations = check_module(values, read_module(MODULE, "terraform"))
    assert violations == [
        'variable "enviroment" is not declared by the module: Terraform would only warn and ignore '
        'its value (did you mean "environment"?)'
    ]


def test_terraform_converts_a_numeric_string_silently(plan_prod_with: Callable[..., Plan]) -> None:
    values = break_value(rendered_values("prod"), ["services", "web", "replicas"], "6")
    result = plan_prod_with(values)
    assert (result.returncode, result.diagnostics) == (0, []), result.explain()
    violations = check_module(values, read_module(MODULE, "terraform"))
    lines = (MODULE / "variables.tf").read_text(encoding="utf-8").splitlines()
    line = 1 + next(i for i, text in enumerate(lines) if text.startswith('variable "services"'))
    assert violations == [
        f'terraform/variables.tf:{line}: services["web"].replicas: expected number, got string "6" '
        "(Terraform would convert it silently)"
    ]


# -- the generated variables.tf ---------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_generated_variables_tf_is_formatted_and_accepts_its_values(
    env: str, terraform: Terraform, tmp_path: Path
) -> None:
    files = TARGET.render(context(env, write_variables=True))
    rendered = write(tmp_path / "rendered", files)
    module = initialised(terraform, write(tmp_path / "module", {"variables.tf": files["variables.tf"]}))
    formatted = terraform("fmt", "-check", "-diff", "-no-color", "variables.tf", cwd=module)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    result = plan(terraform, module, rendered / VAR_FILE, out=tmp_path / "plan.bin")
    assert (result.returncode, result.diagnostics) == (0, []), result.explain()
    variables = outputs(terraform, module, tmp_path / "plan.bin")["configuration"]["root_module"]
    sensitive = sorted(n for n, v in variables["variables"].items() if v.get("sensitive"))
    assert sensitive == ["secrets"]


def test_the_example_module_is_formatted(terraform: Terraform) -> None:
    # fmt -check reads only; it never rewrites the example.
    result = terraform("fmt", "-check", "-diff", "-no-color", "-recursive", ".", cwd=MODULE)
    assert result.returncode == 0, result.stdout + result.stderr
