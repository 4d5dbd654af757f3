"""The terraform target: the variable layout, its bytes, the module check and the type checker.

Run ``pytest tests/unit/render/test_terraform.py --update-golden`` to rewrite tests/golden/terraform/
after an intended change, and review the diff. Terraform itself is driven (init, plan, fmt) in
tests/interop/test_terraform_interop.py.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import load_project
from azconf.model.sections import Environment
from azconf.render import target
from azconf.render.base import RenderContext, RenderError
from azconf.render.inputs import source_for
from azconf.render.pipeline import Source
from azconf.render.terraform import SHAPES, TARGET, TerraformOptions, types, variables
from azconf.render.terraform_module import (
    Declaration,
    check_module,
    parse_declarations,
    read_module,
)
from azconf.render.terraform_types import (
    ANY,
    NUMBER,
    STRING,
    Attribute,
    Collection,
    ObjectType,
    TupleType,
    TypeSyntaxError,
    check,
    derive,
    format_type,
    parse_type,
    unify,
)

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "azora"
MODULE = EXAMPLE / "terraform"
GOLDEN = REPO / "tests" / "golden" / "terraform"
ENVIRONMENTS = ["dev", "staging", "prod"]


# -- helpers ----------------------------------------------------------------------------------------


@functools.cache
def example_source(env: str) -> Source:
    """The example's working tree for ``env``, exactly as ``azconf render`` reads it."""
    project, _ = load_project(EXAMPLE)
    assert project is not None
    return source_for(project, env, None)


def example_context(env: str, **options: Any) -> RenderContext:
    source = example_source(env)
    return RenderContext(
        project="azora",
        env=env,
        model=source.model,
        data=source.data,
        version=source.version,
        content_hash=source.content_hash,
        options=TerraformOptions(**options),
        environments=tuple(ENVIRONMENTS),
    )


def small_context(sections: dict[str, Any], **options: Any) -> RenderContext:
    """A context for a small hand-written environment of project "shop"."""
    return RenderContext(
        project="shop",
        env="dev",
        model=Environment.model_validate(sections),
        data=sections,
        version="dev@3 sha256:abc",
        content_hash="sha256:abc",
        options=TerraformOptions(**options),
    )


SMALL: dict[str, Any] = {
    "secrets": {
        "db": {"ref": "vault://kv/shop/db#password"},
        "key": {"ref": "env://KEY", "description": "d"},
    },
    "flags": {
        "dark": {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "on"},
        "layout": {
            "state": "ENABLED",
            "variants": {"b": "cards", "a": "list"},
            "defaultVariant": "a",
            "targeting": {"if": [{"==": [{"var": "email"}, "x@y.z"]}, "b", "a"]},
            "metadata": {"jira": "X-1", "permanent": True, "weight": 2},
            "expires": "2030-01-31",
        },
    },
    "routes": {
        "api": {"path": "/api", "service": "api", "methods": ["POST", "GET"]},
        "web": {
            "path": "/",
            "service": "api",
            "rate_limit": {"rate": 5, "per": 60},
            "cors": {"origins": ["https://x.dev"], "max_age": 600},
        },
    },
    "services": {
        "api": {
            "image": "r/api:1",
            "port": 8080,
            "resources": {"limits": {"cpu": 1, "memory": "256Mi"}},
            "env": {
                "DEBUG": True,
                "PORT": 8080,
                "RATIO": 0.5,
                "NAME": "api",
                "DB_PASSWORD": {"secret": "db"},
                "DARK": {"flag": "dark"},
            },
            "flags": ["layout", "dark", "dark"],
            "secrets": ["db"],
            "routes": ["web", "api"],
            "settings": {"log_level": "info"},
        },
        "worker": {"image": "r/worker:1", "port": 9000, "settings": {"log_level": "warn", "queue": "q"}},
    },
    "settings": {"region": "eu-west-1", "sizes": [1, 2.5], "nested": {"a": {"b": True}}},
}


def write_module(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "variables.tf").write_text(text, encoding="utf-8")
    return folder


# -- the target and its options ---------------------------------------------------------------------


def test_the_registry_finds_the_target() -> None:
    assert target("terraform") is TARGET
    assert TARGET.name == "terraform"
    assert TARGET.options_model is TerraformOptions


def test_options_default_to_a_project_named_auto_loaded_file() -> None:
    options = TerraformOptions()
    assert (options.file_name, options.module, options.write_variables) == (
        "{project}.auto.tfvars.json",
        None,
        False,
    )
    assert list(TARGET.render(small_context({}))) == ["shop.auto.tfvars.json"]
    assert list(TARGET.render(small_context({}, file_name="{project}-{env}.tfvars.json"))) == [
        "shop-dev.tfvars.json"
    ]


@pytest.mark.parametrize("name", ["x.json", "x.tfvars", "deploy/x.tfvars.json", "a\\x.tfvars.json"])
def test_a_file_name_must_be_a_bare_json_variable_file(name: str) -> None:
    with pytest.raises(ValueError, match=r"\.tfvars\.json"):
        TerraformOptions(file_name=name)


def test_unknown_options_are_errors() -> None:
    with pytest.raises(ValueError, match="modul"):
        TerraformOptions.model_validate({"modul": "terraform"})


def test_the_example_manifest_options_are_valid() -> None:
    project, _ = load_project(EXAMPLE)
    assert project is not None
    options = TerraformOptions.model_validate(project.manifest.render["terraform"])
    assert options.out == "deploy/{env}/terraform"


# -- the variable layout ----------------------------------------------------------------------------


def test_the_variables_are_the_documented_set() -> None:
    values = variables(small_context(SMALL))
    assert sorted(values) == sorted([*SHAPES, "settings"])
    assert values["azconf_version"] == "dev@3 sha256:abc"
    assert (values["project"], values["environment"]) == ("shop", "dev")
    assert values["settings"] == SMALL["settings"]


def test_a_service_splits_its_env_and_stringifies_literals() -> None:
    api = variables(small_context(SMALL))["services"]["api"]
    # Literals as the process sees them; secrets and flags by name, never by value.
    assert api["env"] == {"DEBUG": "true", "PORT": "8080", "RATIO": "0.5", "NAME": "api"}
    assert api["secret_env"] == {"DB_PASSWORD": "db"}
    assert api["flag_env"] == {"DARK": "dark"}
    assert api["resources"] == {"limits": {"cpu": "1", "memory": "256Mi"}}
    assert (api["flags"], api["routes"]) == (["dark", "layout"], ["api", "web"])  # sorted sets
    assert (api["replicas"], api["port"]) == (1, 8080)
    worker = variables(small_context(SMALL))["services"]["worker"]
    assert "resources" not in worker
    assert (worker["env"], worker["flags"]) == ({}, [])


def test_a_route_leaves_out_what_it_does_not_set() -> None:
    routes = variables(small_context(SMALL))["routes"]
    assert routes["api"] == {
        "path": "/api",
        "service": "api",
        "methods": ["POST", "GET"],  # as written: a value, not a set of names
        "auth": "jwt",
        "timeout_seconds": 30,
        "timeout_ms": 30000,
        "strip_path": True,
        "scopes": [],
        "expose": "gateway",
    }
    assert routes["web"]["rate_limit"] == {"rate": 5, "per": 60}
    assert routes["web"]["cors"] == {
        "origins": ["https://x.dev"],
        "methods": [],
        "headers": [],
        "allow_credentials": False,
        "max_age": 600,
    }


def test_a_route_carries_the_gateway_options_it_sets() -> None:
    route = {
        "path": "/hooks",
        "service": "api",
        "timeout_ms": 1500,
        "upstream_port": 9090,
        "auth": "oauth2",
        "scopes": ["hooks:write"],
        "rate_limit": {"rate": 10, "per": 1, "burst": 20},
        "expose": "direct",
    }
    env = {**SMALL, "routes": {"hooks": route}}
    rendered = variables(small_context(env))["routes"]["hooks"]
    assert (rendered["timeout_seconds"], rendered["timeout_ms"]) == (2, 1500)  # Tyk's whole seconds
    assert rendered["upstream_port"] == 9090
    assert (rendered["scopes"], rendered["expose"]) == (["hooks:write"], "direct")
    assert rendered["rate_limit"] == {"rate": 10, "per": 1, "burst": 20}


def test_a_flag_carries_variants_and_targeting_as_json_text() -> None:
    flags = variables(small_context(SMALL))["flags"]
    assert flags["dark"] == {
        "state": "ENABLED",
        "type": "boolean",
        "variants_json": '{"off":false,"on":true}',
        "default_variant": "on",
        "metadata": {},
    }
    layout = flags["layout"]
    assert layout["type"] == "string"
    assert json.loads(layout["variants_json"]) == {"a": "list", "b": "cards"}
    assert json.loads(layout["targeting_json"]) == SMALL["flags"]["layout"]["targeting"]
    assert layout["metadata"] == {"jira": "X-1", "permanent": "true", "weight": "2"}
    assert layout["expires"] == "2030-01-31"


def test_secrets_are_references_never_values() -> None:
    assert variables(small_context(SMALL))["secrets"] == {
        "db": {"ref": "vault://kv/shop/db#password", "scheme": "vault"},
        "key": {"ref": "env://KEY", "scheme": "env", "description": "d"},
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_example_environment_fits_the_declared_shapes_exactly(env: str) -> None:
    values = variables(example_context(env))
    declared = types(values)
    assert sorted(declared) == sorted(values)
    for name, value in values.items():
        assert check(value, declared[name], name) == [], name


def test_service_settings_are_typed_by_what_all_services_share() -> None:
    services = types(variables(small_context(SMALL)))["services"]
    assert isinstance(services, Collection)
    assert isinstance(services.element, ObjectType)
    settings = services.element.attributes["settings"].type
    assert settings == ObjectType({"log_level": Attribute(STRING), "queue": Attribute(STRING, optional=True)})


def test_a_service_without_settings_makes_every_settings_attribute_optional() -> None:
    sections = json.loads(json.dumps(SMALL))
    del sections["services"]["worker"]["settings"]
    services = types(variables(small_context(sections)))["services"]
    assert isinstance(services, Collection)
    assert isinstance(services.element, ObjectType)
    settings = services.element.attributes["settings"].type
    assert settings == ObjectType({"log_level": Attribute(STRING, optional=True)})


def test_services_whose_settings_share_no_type_fall_back_to_any() -> None:
    sections = json.loads(json.dumps(SMALL))
    sections["services"]["worker"]["settings"] = {"log_level": 3}
    assert types(variables(small_context(sections)))["services"] == ANY


# -- the bytes --------------------------------------------------------------------------------------


def test_the_file_is_sorted_indented_json_with_a_trailing_newline() -> None:
    text = TARGET.render(small_context(SMALL))["shop.auto.tfvars.json"]
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert '\n  "azconf_version": "dev@3 sha256:abc",\n' in text
    assert "//" not in json.loads(text)  # Terraform reads every key of a variable file as a variable


def test_rendering_is_deterministic_and_ignores_mapping_order() -> None:
    reordered = {key: SMALL[key] for key in reversed(list(SMALL))}
    reordered["services"] = dict(reversed(list(SMALL["services"].items())))
    first = TARGET.render(small_context(SMALL, write_variables=True))
    assert first == TARGET.render(small_context(SMALL, write_variables=True))
    assert first == TARGET.render(small_context(reordered, write_variables=True))


def test_the_example_renders_byte_identically_twice() -> None:
    context = example_context("prod", write_variables=True)
    assert TARGET.render(context) == TARGET.render(context)


@pytest.mark.parametrize("name", ["azora.auto.tfvars.json", "variables.tf"])
def test_prod_matches_golden(name: str, request: pytest.FixtureRequest) -> None:
    actual = TARGET.render(example_context("prod", write_variables=True))[name]
    golden = GOLDEN / "prod" / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual.encode("utf-8"))
    assert golden.is_file(), f"{golden} is missing: run pytest with --update-golden"
    assert actual.encode("utf-8") == golden.read_bytes(), (
        f"the terraform render of prod differs from {golden.relative_to(REPO)}; "
        "if the change is intended, rerun with --update-golden and review the diff"
    )


# -- variables.tf -----------------------------------------------------------------------------------


def test_variables_tf_names_its_source_and_marks_secret_values_sensitive() -> None:
    sections = json.loads(json.dumps(SMALL))
    sections["settings"]["vault_ca"] = "vault://kv/shop/ca#pem"  # a value that derives from a secret
    text = TARGET.render(small_context(sections, write_variables=True))["variables.tf"]
    assert text.startswith("# Generated by azconf from dev@3 sha256:abc: the variables of shop.auto")
    blocks = {block.split('"')[1]: block for block in text.split("\nvariable ")[1:]}
    assert sorted(name for name, block in blocks.items() if "sensitive = true" in block) == [
        "secrets",
        "settings",
    ]


def test_variables_tf_reads_back_as_the_types_it_declares(tmp_path: Path) -> None:
    context = small_context(SMALL, write_variables=True)
    text = TARGET.render(context)["variables.tf"]
    declared = {d.name: d for d in parse_declarations(text, "variables.tf")}
    assert {name: d.type for name, d in declared.items()} == types(variables(context))
    assert all(d.required for d in declared.values())
    assert check_module(variables(context), declared) == []


def test_format_type_lays_objects_out_one_attribute_per_line() -> None:
    tf_type = parse_type('map(object({b = optional(object({c = string}), {c = "x"}), a = number}))')
    assert format_type(tf_type, 2).split("\n") == [
        "map(object({",
        "    a = number",
        "    b = optional(object({",
        "      c = string",
        '    }), {c = "x"})',
        "  }))",
    ]


# -- the module check -------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_example_environment_fits_the_example_module(env: str) -> None:
    files = TARGET.render(example_context(env, module=str(MODULE)))
    assert list(files) == ["azora.auto.tfvars.json"]


def test_the_example_module_declares_every_rendered_variable() -> None:
    declared = read_module(MODULE, "terraform")
    assert sorted(declared) == sorted(variables(example_context("prod")))
    assert [name for name, d in declared.items() if d.sensitive] == ["secrets"]


def test_a_module_mismatch_lists_every_violation(tmp_path: Path) -> None:
    module = write_module(
        tmp_path / "infra",
        """\
variable "azconf_version" { type = string }
variable "project" { type = string }
variable "environmnet" { type = string }
variable "region" { type = string }
variable "services" {
  type = map(object({ image = string, replicas = string, port = number }))
}
variable "routes" { type = any }
variable "flags" { type = any }
variable "secrets" {
  type      = map(object({ ref = string, scheme = number }))
  sensitive = true
}
variable "settings" {
  type    = any
  default = {}
}
""",
    )
    with pytest.raises(RenderError) as raised:
        TARGET.render(small_context(SMALL, module=str(module)))
    assert raised.value.target == "terraform"
    violations = raised.value.violations
    where = f"{module}/variables.tf"
    assert violations[0] == (
        'variable "environment" is not declared by the module: Terraform would only warn and ignore '
        'its value (did you mean "environmnet"?)'
    )
    assert f'{where}:5: services["api"].replicas: expected string, got number 1' in " ".join(violations)
    assert f'{where}:5: services["api"]: attribute "env" is not in the type' in " ".join(violations)
    # A sensitive variable's values never appear in a message.
    assert f'{where}:10: secrets["db"].scheme: expected number, got string' in violations
    region = f'{where}:4: variable "region" has no default, and azconf renders no value for it'
    assert region in violations
    assert f'{where}:3: variable "environmnet" has no default' in violations[-2]


def test_a_relative_module_is_resolved_against_the_project_root(tmp_path: Path) -> None:
    write_module(tmp_path / "infra", 'variable "project" { type = number }')
    context = small_context({}, module="infra")
    with pytest.raises(RenderError, match=r"RenderContext\.root"):
        TARGET.render(context)
    with pytest.raises(RenderError) as raised:
        TARGET.render(dataclasses.replace(context, root=tmp_path))
    assert 'infra/variables.tf:1: project: expected number, got string "shop"' in raised.value.violations


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "the module folder {m} does not exist"),
        ("# no variables here\n", "the module {m} declares no variables"),
        ('variable "x" {\n  type = \n', "{m}/variables.tf: not valid HCL:"),
        ('\n\nvariable "x" {\n  type = strng\n}\n', '{m}/variables.tf:3: variable "x": cannot read its type'),
    ],
)
def test_an_unusable_module_is_a_render_error(tmp_path: Path, text: str | None, message: str) -> None:
    folder = tmp_path / "mod"
    if text is not None:
        write_module(folder, text)
    with pytest.raises(RenderError) as raised:
        TARGET.render(small_context({}, module=str(folder)))
    assert raised.value.violations[0].startswith(message.format(m=folder))


def test_only_files_that_declare_variables_are_parsed(tmp_path: Path) -> None:
    folder = write_module(tmp_path / "mod", 'variable "project" {\n  type = string\n}\n')
    (folder / "main.tf").write_text("this is { not HCL that python-hcl2 has to read", encoding="utf-8")
    (folder / "extra.tf").write_text('variable "environment" {}\n', encoding="utf-8")
    declared = read_module(folder, "mod")
    assert sorted(declared) == ["environment", "project"]
    assert declared["environment"].type == ANY


# -- reading declarations with python-hcl2 ----------------------------------------------------------

DECLARATIONS = """\
# Inputs of the platform module.
variable "environment" {
  description = "Where we are."
  type        = string
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "dev or prod."
  }
}

variable "services" {
  type = map(object({
    image    = string
    replicas = optional(number, 1)   # a comment inside the type
    env      = optional(map(string), {})
    ports    = list(object({ name = string, port = number }))
    sidecar  = optional(object({ image = string }))
  }))
}

variable "tags" {
  type    = map(string)
  default = null
}

variable "token" {
  type      = string
  sensitive = true
  nullable  = false
  default   = "x"
}

variable "anything" {}
"""


def test_declarations_are_read_with_their_types_defaults_and_lines() -> None:
    found = {d.name: d for d in parse_declarations(DECLARATIONS, "variables.tf")}
    assert found["environment"] == Declaration(
        "environment", STRING, required=True, nullable=True, sensitive=False, where="variables.tf:2"
    )
    services = found["services"]
    assert services.where == "variables.tf:11"
    assert str(services.type) == (
        "map(object({env = optional(map(string), {}), image = string, "
        "ports = list(object({name = string, port = number})), replicas = optional(number, 1), "
        "sidecar = optional(object({image = string}))}))"
    )
    assert not found["tags"].required  # default = null makes a variable optional
    token = found["token"]
    assert (token.sensitive, token.nullable, token.required) == (True, False, False)
    assert found["anything"].type == ANY


def test_optional_attributes_may_be_absent_but_not_wrong() -> None:
    services = {d.name: d for d in parse_declarations(DECLARATIONS, "v.tf")}["services"].type
    fine = {"web": {"image": "w:1", "ports": [{"name": "http", "port": 80}]}}
    assert check(fine, services, "services") == []
    wrong = {"web": {"image": "w:1", "ports": [], "sidecar": {"image": 3}, "env": {"A": ["x"]}}}
    assert check(wrong, services, "services") == [
        'services["web"].env["A"]: expected string, got tuple',
        'services["web"].sidecar.image: expected string, got number 3 (Terraform would convert it silently)',
    ]


def test_a_null_value_for_a_non_nullable_variable_is_a_violation() -> None:
    declared = {d.name: d for d in parse_declarations(DECLARATIONS, "v.tf")}
    violations = check_module({"environment": "dev", "services": {}, "token": None, "anything": 1}, declared)
    assert violations == ['v.tf:26: variable "token" may not be null']


# -- parsing type constraints -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("string", "string"),
        ("${list(number)}", "list(number)"),
        ("set(bool)", "set(bool)"),
        ("list", "list(any)"),  # the legacy bare form
        ("map(list(any))", "map(list(any))"),
        ("tuple([string, number, list(bool)])", "tuple([string, number, list(bool)])"),
        ("object({})", "object({})"),
        ('object({b = number, "a" = string})', "object({a = string, b = number})"),
        ("object({\n  a = string\n  b = number # why\n})", "object({a = string, b = number})"),
        (
            'object({a = optional(list(string), ["x", "y)"]), b = optional(object({c = number}), {c = 1})})',
            'object({a = optional(list(string), ["x", "y)"]), b = optional(object({c = number}), {c = 1})})',
        ),
        ("${map(object({x = optional(string)}))}", "map(object({x = optional(string)}))"),
    ],
)
def test_type_constraints_parse(text: str, canonical: str) -> None:
    assert str(parse_type(text)) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "strng",
        "list(string",
        "object({a string})",
        "map(string) extra",
        "tuple(string)",
        "optional(string)",
        "@",
    ],
)
def test_unreadable_type_constraints_are_errors(text: str) -> None:
    with pytest.raises(TypeSyntaxError):
        parse_type(text)


# -- checking values against types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_text", "value", "expected"),
    [
        ("number", "6", ['x: expected number, got string "6" (Terraform would convert it silently)']),
        ("number", "six", ['x: expected number, got string "six"']),
        ("number", True, ["x: expected number, got bool true"]),
        ("bool", "true", ['x: expected bool, got string "true" (Terraform would convert it silently)']),
        ("string", 3, ["x: expected string, got number 3 (Terraform would convert it silently)"]),
        ("string", {"a": 1}, ["x: expected string, got object"]),
        ("list(string)", {"a": "b"}, ["x: expected list(string), got object"]),
        (
            "list(number)",
            [1, "2"],
            ['x[1]: expected number, got string "2" (Terraform would convert it silently)'],
        ),
        ("map(number)", {"a": 1, "b": False}, ['x["b"]: expected number, got bool false']),
        ("map(number)", [1], ["x: expected map(number), got tuple"]),
        (
            "set(string)",
            ["a", "b", "a"],
            ["x: a set holds each element once (Terraform would drop the repeats)"],
        ),
        ("tuple([string, number])", ["a"], ["x: tuple([string, number]) needs 2 element(s), got 1"]),
        ("tuple([string, number])", ["a", "b"], ['x[1]: expected number, got string "b"']),
        ("object({a = string})", {}, ['x: attribute "a" is required by the type']),
        ("object({a = optional(string)})", {}, []),
        (
            "object({a = optional(string)})",
            {"b": 1},
            ['x: attribute "b" is not in the type (Terraform would drop it silently)'],
        ),
        ("object({a = string})", {"a": None}, []),  # null fits any type below the top level
        ("any", {"a": [1, "x"]}, []),
        ("list(any)", [1, "x"], ["x: list(any) needs elements of one type, got number, string"]),
        (
            "map(any)",
            {"a": {"x": 1}, "b": {"y": 1}},
            ["x: map(any) needs elements of one type, got object({x = number}), object({y = number})"],
        ),
        ("map(any)", {"a": {"x": 1}, "b": {"x": 2.5}}, []),
    ],
)
def test_each_kind_of_mismatch(type_text: str, value: Any, expected: list[str]) -> None:
    assert check(value, parse_type(type_text), "x") == expected


def test_long_values_are_shortened_and_sensitive_ones_hidden() -> None:
    long = "y" * 100
    assert check(long, NUMBER, "x") == [f'x: expected number, got string "{"y" * 36}...']
    assert check("6", NUMBER, "x", sensitive=True) == [
        "x: expected number, got string (Terraform would convert it silently)"
    ]


# -- deriving and unifying types --------------------------------------------------------------------


def test_derived_types_are_exact() -> None:
    value = {
        "name": "a",
        "n": 1,
        "on": True,
        "tags": ["a", "b"],
        "mixed": ["a", 1],
        "empty_list": [],
        "empty_map": {},
        "weird keys": {"a.b": 1, "c d": 2},
        "rows": [{"a": 1}, {"a": 2, "b": "x"}],
    }
    # "weird keys" is no identifier, so the mapping cannot be an object; its values share no type.
    assert derive(value) == Collection("map", ANY)
    assert str(derive({k: v for k, v in value.items() if k != "weird keys"})) == (
        "object({empty_list = list(any), empty_map = object({}), mixed = tuple([string, number]), "
        "n = number, name = string, on = bool, rows = list(object({a = number, b = optional(string)})), "
        "tags = list(string)})"
    )
    assert derive({"a.b": 1, "c d": 2}) == Collection("map", NUMBER)
    assert derive({"a.b": 1, "c d": "x"}) == Collection("map", ANY)


def test_unify() -> None:
    assert unify([NUMBER, NUMBER]) == NUMBER
    assert unify([NUMBER, STRING]) is None
    assert unify([ANY, STRING]) == STRING
    assert unify([]) == ANY
    assert unify([Collection("list", ANY), Collection("list", NUMBER)]) == Collection("list", NUMBER)
    assert unify([Collection("list", NUMBER), Collection("set", NUMBER)]) is None
    assert unify([TupleType((STRING,)), TupleType((NUMBER,))]) is None
