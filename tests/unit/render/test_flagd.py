"""The flagd target: the flag-file document, its bytes, and the golden file of the example's prod.

Run ``pytest tests/unit/render/test_flagd.py --update-golden`` to rewrite tests/golden/flagd/ after an
intended change, and review the diff. The real consumers (@openfeature/flagd-core in strict mode and
the Python flagd provider) are driven in tests/interop/test_flagd_interop.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import load_project
from azconf.environment import load_environment
from azconf.model.sections import Environment
from azconf.render import target
from azconf.render.base import RenderContext, RenderError
from azconf.render.flagd import FILE_NAME, SCHEMA_URL, TARGET, FlagdOptions, dumps, flag_file
from azconf.render.output import RECORD_NAME
from azconf.render.pipeline import Source, render
from azconf.snapshot import content_hash, snapshot

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "azora"
GOLDEN = REPO / "tests" / "golden" / "flagd"
TODAY = dt.date(2026, 1, 1)  # fixed, so the example's expiry dates never change the outcome

ON_OFF = {"on": True, "off": False}


def context_for(flags: dict[str, Any], version: str = "dev@3 sha256:abc") -> RenderContext:
    """A render context for a small environment holding only ``flags``."""
    return RenderContext(
        project="shop",
        env="dev",
        model=Environment.model_validate({"flags": flags}),
        data={"flags": flags},
        version=version,
        content_hash="sha256:abc",
        options=FlagdOptions(),
    )


def test_the_registry_finds_the_target() -> None:
    assert target("flagd") is TARGET
    assert TARGET.name == "flagd"
    assert TARGET.options_model is FlagdOptions


def test_the_document_names_its_schema_flag_set_and_version() -> None:
    document = flag_file(context_for({}, version="dev@3 sha256:abc"))
    assert document == {
        "$schema": SCHEMA_URL,
        "metadata": {"flagSetId": "shop-dev", "version": "dev@3 sha256:abc"},
        "flags": {},
    }
    assert SCHEMA_URL == "https://flagd.dev/schema/v0/flags.json"


def test_a_flag_keeps_flagds_own_fields() -> None:
    rule = {"if": [{"ends_with": [{"var": "email"}, "@shop.dev"]}, "on", "off"]}
    document = flag_file(
        context_for(
            {"staff": {"state": "ENABLED", "variants": ON_OFF, "defaultVariant": "off", "targeting": rule}}
        )
    )
    assert document["flags"]["staff"] == {
        "state": "ENABLED",
        "variants": ON_OFF,
        "defaultVariant": "off",
        "targeting": rule,
    }


def test_unset_default_variant_and_empty_targeting_are_left_out() -> None:
    document = flag_file(context_for({"layout": {"state": "DISABLED", "variants": {"a": "a", "b": "b"}}}))
    # flagd then serves the caller's default (no defaultVariant) and evaluates no rule ({} or absent).
    assert document["flags"]["layout"] == {"state": "DISABLED", "variants": {"a": "a", "b": "b"}}


def test_ownership_fields_travel_as_flag_metadata() -> None:
    flag = {
        "state": "ENABLED",
        "variants": {"none": 0, "some": 3},
        "defaultVariant": "some",
        "description": "Retries of a soft-declined payment",
        "owner": "team-payments",
        "expires": "2027-03-31",
        "metadata": {"jira": "PAY-1", "permanent": False, "weight": 2.5},
    }
    entry = flag_file(context_for({"retries": flag}))["flags"]["retries"]
    assert entry["metadata"] == {
        "jira": "PAY-1",
        "permanent": False,
        "weight": 2.5,
        "description": "Retries of a soft-declined payment",
        "owner": "team-payments",
        "expires": "2027-03-31",  # flag metadata holds strings, numbers and booleans: an ISO date
    }
    # flagd's schema has no flag-level place for them, and its providers reject unknown flag keys.
    assert not {"description", "owner", "expires"} & set(entry)


def test_metadata_that_clashes_with_an_ownership_field_is_an_error() -> None:
    flags = {
        "a": {"state": "ENABLED", "variants": ON_OFF, "owner": "team-a", "metadata": {"owner": "team-b"}},
        "b": {"state": "ENABLED", "variants": ON_OFF, "owner": "team-b", "metadata": {"owner": "team-b"}},
        "c": {"state": "ENABLED", "variants": ON_OFF, "expires": "2027-01-01", "metadata": {"expires": 1}},
    }
    with pytest.raises(RenderError) as caught:
        flag_file(context_for(flags))
    assert caught.value.target == "flagd"
    # every clash is reported, the agreeing one ("b") is not
    assert [v.split(":")[0] for v in caught.value.violations] == ["flags.a", "flags.c"]
    assert "team-b" in caught.value.violations[0]
    assert "team-a" in caught.value.violations[0]


def test_a_model_with_project_env_and_version_gives_the_same_document() -> None:
    context = context_for({"dark": {"state": "ENABLED", "variants": ON_OFF, "defaultVariant": "on"}})
    assert flag_file(context.model, "shop", "dev", context.version) == flag_file(context)
    with pytest.raises(TypeError):
        flag_file(context.model)  # type: ignore[call-overload]


def test_the_document_does_not_alias_the_model() -> None:
    rule = {"fractional": [{"var": "targetingKey"}, ["on", 10], ["off", 90]]}
    context = context_for({"rollout": {"state": "ENABLED", "variants": ON_OFF, "targeting": rule}})
    document = flag_file(context)
    document["flags"]["rollout"]["targeting"]["fractional"].append(["on", 1])
    document["flags"]["rollout"]["variants"]["on"] = "changed"
    assert context.model.flags["rollout"].targeting == rule
    assert context.model.flags["rollout"].variants == ON_OFF


def test_the_file_is_sorted_indented_and_ends_with_a_newline() -> None:
    flags = {
        "zeta": {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "on"},
        "alpha": {"state": "ENABLED", "variants": {"b": "b", "a": "a"}, "description": "café"},
    }
    files = TARGET.render(context_for(flags))
    assert list(files) == [FILE_NAME] == ["flags.flagd.json"]
    text = files[FILE_NAME]
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert list(json.loads(text)["flags"]) == ["alpha", "zeta"]
    assert '\n  "flags": {\n    "alpha": {\n' in text  # two spaces per level
    assert "café" in text  # UTF-8, not \u escapes
    assert dumps(flag_file(context_for(flags))) == text


def test_the_same_input_renders_the_same_bytes() -> None:
    flags = {f"flag-{i}": {"state": "ENABLED", "variants": ON_OFF, "defaultVariant": "on"} for i in range(50)}
    reversed_flags = dict(reversed(flags.items()))
    assert TARGET.render(context_for(flags)) == TARGET.render(context_for(reversed_flags))


def test_importing_the_target_stays_cheap() -> None:
    # The Kubernetes target imports flag_file; that must not drag in the heavy libraries.
    code = (
        "import sys, azconf.render.flagd\n"
        "heavy = {'yaml', 'jsonschema', 'jsonschema_rs', 'ruamel', 'sqlite_utils', 'typer', 'rich'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- the golden file of examples/azora -----------------------------------------------------------------


def render_example(target_name: str, env: str, out: Path) -> dict[str, bytes]:
    """Render the example's ``env`` through the real pipeline; relative path -> bytes written."""
    project, _ = load_project(EXAMPLE)
    assert project is not None
    loaded = load_environment(project, env, today=TODAY)
    data = snapshot(loaded.resolution)
    # A fixed version label: the golden file changes when the flags do, not with every config edit.
    source = Source(env, loaded.model, data, f"{env}@golden", content_hash(data))
    render(project, source, [target_name], out=out, check=False)
    folder = out / target_name
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != RECORD_NAME
    }


def test_example_prod_matches_golden(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    actual = render_example("flagd", "prod", tmp_path)
    golden = GOLDEN / "prod"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        for relative, data in actual.items():
            (golden / relative).parent.mkdir(parents=True, exist_ok=True)
            (golden / relative).write_bytes(data)
    expected = {p.relative_to(golden).as_posix(): p.read_bytes() for p in golden.rglob("*") if p.is_file()}
    assert expected, f"{golden} is empty: run pytest with --update-golden"
    assert actual == expected, (
        f"the flagd render of examples/azora prod differs from {golden.relative_to(REPO)}; "
        "if the change is intended, rerun with --update-golden and review the diff"
    )
