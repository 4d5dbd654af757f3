"""Golden outputs: ``azconf validate`` of tests/corpus/golden-repo in every format, byte for byte.

Run ``pytest tests/e2e/test_golden.py --update-golden`` to rewrite tests/golden/ after an intended
change, and review the diff. The fixture's expired flag expires in 2020 and its live one in 2099, so
the output does not depend on today's date; the only machine-dependent part, the absolute project
URI in SARIF's originalUriBaseIds, is normalised here, not in the product.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from azconf_e2e import REPO, RunAzconf

GOLDEN_REPO = REPO / "tests" / "corpus" / "golden-repo"
GOLDEN = REPO / "tests" / "golden"
FILES = {
    "text": "validate.txt",
    "json": "validate.json",
    "github": "validate.github.txt",
    "sarif": "validate.sarif",
}
PORTABLE_ROOT = "file:///golden-repo/"


def normalise(output: str, output_format: str, root: Path) -> str:
    """The output with the fixture's absolute location replaced by a fixed one."""
    if output_format == "sarif":
        root_uri = root.resolve().as_uri() + "/"
        assert root_uri in output, "the SARIF log no longer names the project root"
        output = output.replace(root_uri, PORTABLE_ROOT)
    return output


@pytest.mark.parametrize("output_format", list(FILES))
def test_validate_output_matches_golden(
    azconf: RunAzconf, request: pytest.FixtureRequest, output_format: str, tmp_path: Path
) -> None:
    # A copy outside any git repository (inside one, machine formats name files from the repository's
    # top: tests/e2e/test_git_versions.py covers that), run from an unrelated folder.
    project = tmp_path / "golden-repo"
    shutil.copytree(GOLDEN_REPO, project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = azconf("-C", project, "validate", "--format", output_format, cwd=elsewhere)
    assert run.returncode == 1
    assert run.stderr == ""
    actual = normalise(run.stdout, output_format, project)
    golden = GOLDEN / FILES[output_format]
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual.encode("utf-8"))
    assert golden.is_file(), f"{golden} is missing: run pytest with --update-golden"
    assert actual.encode("utf-8") == golden.read_bytes(), (
        f"azconf validate --format {output_format} differs from {golden.relative_to(REPO)}; "
        "if the change is intended, rerun with --update-golden and review the diff"
    )


def test_strict_turns_the_golden_warnings_into_failures(azconf: RunAzconf) -> None:
    relaxed = azconf("-C", GOLDEN_REPO, "validate", "--format", "json").json()
    strict = azconf("-C", GOLDEN_REPO, "validate", "--format", "json", "--strict").json()
    assert relaxed["summary"] == strict["summary"] == {"errors": 7, "warnings": 2}
    assert strict["strict"] is True
    assert [p["code"] for p in strict["problems"]] == [p["code"] for p in relaxed["problems"]]
