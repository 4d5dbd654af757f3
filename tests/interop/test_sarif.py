"""``--format sarif`` checked by Microsoft's own SARIF validator, ``sarif-multitool validate``.

The tool is the npm package @microsoft/sarif-multitool (a self-contained .NET program in its
per-platform package), pinned in tests/interop/node/package-lock.json and installed by
tests/interop/install.sh. It is driven as ``npx --no-install @microsoft/sarif-multitool validate``.

How it reports: it always exits 0 once it has analysed its input, problems or not ("Analysis completed
successfully"), and prints each finding as ``FILE(LINE,COL): error RULE: message``. With ``--output
LOG`` it also writes its findings as a SARIF log, one result per finding (``ruleId`` such as JSON1002
for a schema violation or SARIF1002 for a bad URI, ``level`` error/warning/note), which is what these
tests read. ``--level`` picks the levels reported; notes (advice such as "provide a help URI") are
left out. Its bin script runs through a shell, so every argument is shell-quoted.

Without the tool installed the tests skip, except under CI (the CI variable set), where they fail.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
NODE = REPO / "tests" / "interop" / "node"
PACKAGE = NODE / "node_modules" / "@microsoft" / "sarif-multitool"
GOLDEN_REPO = REPO / "tests" / "corpus" / "golden-repo"
EXAMPLE = REPO / "examples" / "azora"

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def npx() -> str:
    """The npx command, once the validator is known to be installed."""
    found = shutil.which("npx")
    missing = (
        "npx is not on PATH"
        if found is None
        else None
        if PACKAGE.is_dir()
        else f"@microsoft/sarif-multitool is not installed in {NODE}"
    )
    if missing:
        message = f"{missing}: run tests/interop/install.sh"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{message} (CI is set: the interop tests may not skip)")
        pytest.skip(message)
    assert found is not None
    return found


def multitool_validate(npx: str, sarif: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """The errors and warnings sarif-multitool finds in ``sarif`` (its SARIF log's results)."""
    log = tmp_path / f"{sarif.stem}.validation.sarif"
    args = ["validate", "--output", str(log), "--level", "Error;Warning", str(sarif)]
    command = [npx, "--no-install", "@microsoft/sarif-multitool", *map(shlex.quote, args)]
    done = subprocess.run(command, cwd=NODE, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"sarif-multitool failed to run:\n{done.stdout}\n{done.stderr}"
    assert "1 files scanned" in done.stdout, done.stdout
    document = json.loads(log.read_text(encoding="utf-8-sig"))
    run = document["runs"][0]
    assert all(invocation["executionSuccessful"] for invocation in run["invocations"])
    return list(run.get("results", []))


def describe(results: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{r['ruleId']} {r.get('level', 'warning')}: {r['message'].get('arguments')}" for r in results
    )


def azconf_sarif(root: Path, target: Path, *extra: str) -> Path:
    """Write ``azconf -C root validate --format sarif`` to ``target``."""
    azconf = Path(sys.executable).with_name("azconf")
    done = subprocess.run(
        [str(azconf), "-C", str(root), "validate", "--format", "sarif", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    target.write_text(done.stdout, encoding="utf-8")
    return target


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith("/"):
            path.mkdir(exist_ok=True)
        else:
            path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("root", "extra"),
    [(GOLDEN_REPO, ()), (GOLDEN_REPO, ("--strict",)), (EXAMPLE, ())],
    ids=["golden-repo", "golden-repo-strict", "azora"],
)
def test_our_sarif_is_valid(npx: str, tmp_path: Path, root: Path, extra: tuple[str, ...]) -> None:
    sarif = azconf_sarif(root, tmp_path / "azconf.sarif", *extra)
    assert json.loads(sarif.read_text())["runs"][0]["results"], "the fixture should report something"
    results = multitool_validate(npx, sarif, tmp_path)
    assert results == [], describe(results)


def test_sarif_of_a_valid_project_is_valid(npx: str, tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "clean",
        {
            "azconf.yaml": "version: 1\nproject: clean\nenvironments: [dev]\n",
            "config/base/": "",
            "config/envs/dev/": "",
        },
    )
    sarif = azconf_sarif(root, tmp_path / "clean.sarif")
    assert json.loads(sarif.read_text())["runs"][0]["results"] == []
    results = multitool_validate(npx, sarif, tmp_path)
    assert results == [], describe(results)


def test_file_names_that_need_percent_encoding(npx: str, tmp_path: Path) -> None:
    # SARIF's artifactLocation.uri is an RFC 3986 URI reference: a space, "%" or "é" in a file name
    # must be percent-encoded in it.
    root = write_repo(
        tmp_path / "odd names",
        {
            "azconf.yaml": "version: 1\nproject: odd\nenvironments: [dev]\n",
            "config/base/100% café.yaml": "settings:\n  debug: yes\n",
            "config/envs/dev/": "",
        },
    )
    sarif = azconf_sarif(root, tmp_path / "odd.sarif")
    results = multitool_validate(npx, sarif, tmp_path)
    assert results == [], describe(results)


def test_a_broken_log_is_rejected(npx: str, tmp_path: Path) -> None:
    """The validator really runs: the same log, broken three ways, gets three schema errors."""
    sarif = azconf_sarif(GOLDEN_REPO, tmp_path / "golden.sarif")
    log = json.loads(sarif.read_text())
    run = log["runs"][0]
    del run["tool"]["driver"]["name"]  # required
    run["results"][0]["level"] = "fatal"  # not one of none, note, warning, error
    run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0  # minimum 1
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log, indent=2))

    results = multitool_validate(npx, broken, tmp_path)
    found = sorted((r["ruleId"], r["level"], r["message"]["arguments"][0]) for r in results)
    assert found == [
        ("JSON1002", "error", "runs[0].tool.driver"),
        ("JSON1008", "error", "runs[0].results[0].locations[0].physicalLocation.region.startLine"),
        ("JSON1019", "error", "runs[0].results[0].level"),
    ], describe(results)


def test_a_truncated_log_is_rejected(npx: str, tmp_path: Path) -> None:
    sarif = azconf_sarif(GOLDEN_REPO, tmp_path / "golden.sarif")
    truncated = tmp_path / "truncated.sarif"
    truncated.write_text(sarif.read_text()[:300])
    results = multitool_validate(npx, truncated, tmp_path)
    assert [r["ruleId"] for r in results] == ["JSON0001"], describe(results)
