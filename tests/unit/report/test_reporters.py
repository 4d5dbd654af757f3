"""The validate reporters in-process: one result, rendered as text, JSON, GitHub annotations, SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azconf.check.engine import ReviewedException
from azconf.problems import Location, Problem, Severity
from azconf.report import FORMATS, reporter
from azconf.validate import ValidationResult

ERROR = Problem(
    "AZC0301",
    'unknown flag "dark-mode"',
    Location("config/base/services.yaml", 7, 13),
    path="services.web.flags[0]",
    hint="define it under flags:",
    env="prod",
)
WARNING = Problem(
    "AZC0404", "flag expired", Location("config/base/flags.yaml", 3, 5), Severity.WARNING, path="flags.old"
)


def result(*problems: Problem, allowed: list[ReviewedException] | None = None) -> ValidationResult:
    return ValidationResult(Path("/srv/shop"), ["dev", "prod"], list(problems), allowed=allowed or [])


def test_every_format_has_a_reporter() -> None:
    assert FORMATS == ("text", "json", "github", "sarif")
    assert all(callable(reporter(name)) for name in FORMATS)


def test_text_lists_each_problem_then_names_the_failing_environment() -> None:
    lines = reporter("text")(result(ERROR, WARNING)).splitlines()
    assert lines[-1] == "failed: 1 problem(s) in prod; 1 error(s), 1 warning(s)"
    assert any("config/base/services.yaml:7:13" in line and "AZC0301" in line for line in lines)


def test_text_of_a_clean_result_says_ok_and_counts_reviewed_exceptions() -> None:
    allowed = [ReviewedException("settings.token", "a public test token")]
    text = reporter("text")(result(WARNING, allowed=allowed))
    assert text.splitlines()[-1] == (
        "ok: 2 environment(s) valid (dev, prod); 0 error(s), 1 warning(s); "
        "1 reviewed secret exception(s) (--verbose lists them)"
    )


def test_json_holds_each_problem_with_its_place() -> None:
    document = json.loads(reporter("json")(result(ERROR)))
    (problem,) = document["problems"]
    assert (problem["code"], problem["path"], problem["line"], problem["column"]) == (
        "AZC0301", "services.web.flags[0]", 7, 13,
    )  # fmt: skip


def test_github_annotations_escape_what_workflow_commands_would_misread() -> None:
    tricky = Problem("AZC0501", "50% off,\nnow", Location("a,b:c.yaml", 2, 1))
    first, summary = reporter("github")(result(tricky)).splitlines()
    assert first == "::error file=a%2Cb%3Ac.yaml,line=2,col=1,title=AZC0501::50%25 off,%0Anow"
    assert summary == "azconf: failed, 1 problem(s)"


@pytest.mark.parametrize("problems", [(ERROR, WARNING), ()])
def test_sarif_lists_each_used_code_once_as_a_rule(problems: tuple[Problem, ...]) -> None:
    run = json.loads(reporter("sarif")(result(*problems)))["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == sorted(p.code for p in problems)
    assert [item["ruleId"] for item in run["results"]] == [p.code for p in problems]
