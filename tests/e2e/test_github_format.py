"""``--format github`` against GitHub's documented workflow-command syntax.

https://docs.github.com/actions/reference/workflow-commands-for-github-actions: a line
``::error file=F,line=L,col=C,title=T::MESSAGE``. As @actions/core implements it (``command.ts``),
the message escapes ``%``, CR and LF as ``%25``, ``%0D`` and ``%0A``; property values escape those
and also ``:`` and ``,`` as ``%3A`` and ``%2C``. Every line azconf prints must be such a command or
the closing summary, and unescaping each command must give back exactly the problem of the JSON
report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from azconf_e2e import EXAMPLE, REPO, RunAzconf, write_tree

COMMAND = re.compile(r"::(?P<command>error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)")
PROPERTY_NAMES = ("file", "line", "col", "endLine", "endColumn", "title")
ESCAPED_MESSAGE = re.compile(r"(?:[^%\r\n]|%25|%0D|%0A)*")
ESCAPED_PROPERTY = re.compile(r"(?:[^%\r\n:,]|%25|%0D|%0A|%3A|%2C)*")
SUMMARY = re.compile(r"azconf: (?:ok|failed), \d+ problem\(s\)")

# A file name, a flag key and a route path full of the characters that must be escaped.
ODD_FILE = "config/base/odd,name:100%.yaml"
ODD_CONFIG = """\
flags:
  "rollout,phase:2":
    state: ENABLED
    variants: {"on": true, "off": false}
  theme:
    state: ENABLED
    variants: {light: "light", dark: 2}
services:
  web:
    image: ghcr.io/example/web:1.0.0
    port: 8080
routes:
  promo:
    path: "/50% off,now:\\r\\nnext"
    service: web
"""


def unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def parse_annotations(output: str) -> list[dict[str, str]]:
    """Every workflow command of ``output``, checked against the syntax, with its fields unescaped."""
    assert "\r" not in output, "a raw carriage return would break the command"
    lines = output.removesuffix("\n").split("\n")
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]
    annotations = []
    for line in lines[:-1]:
        match = COMMAND.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        assert ESCAPED_MESSAGE.fullmatch(match["message"]), f"unescaped message: {line!r}"
        fields = {"command": match["command"], "message": unescape(match["message"])}
        for item in match["properties"].split(","):
            name, equals, value = item.partition("=")
            assert equals and name in PROPERTY_NAMES, f"bad property {item!r} in {line!r}"
            assert ESCAPED_PROPERTY.fullmatch(value), f"unescaped property {item!r} in {line!r}"
            assert name not in fields, f"property {name} given twice in {line!r}"
            fields[name] = unescape(value)
        annotations.append(fields)
    return annotations


def expected_annotation(problem: dict[str, object]) -> dict[str, str]:
    message = str(problem["message"]) + (f"\n{problem['hint']}" if problem["hint"] else "")
    fields = {"command": str(problem["severity"]), "message": message, "file": str(problem["file"])}
    if problem["line"]:
        fields |= {"line": str(problem["line"]), "col": str(problem["column"])}
    fields["title"] = f"{problem['code']} {problem['path']}".strip()
    return fields


def assert_github_matches_json(azconf: RunAzconf, root: Path) -> list[dict[str, str]]:
    github = azconf("-C", root, "validate", "--format", "github")
    report = azconf("-C", root, "validate", "--format", "json")
    assert github.returncode == report.returncode
    annotations = parse_annotations(github.stdout)
    assert annotations == [expected_annotation(p) for p in report.json()["problems"]]
    verdict = "ok" if report.returncode == 0 else "failed"
    assert github.stdout.endswith(f"azconf: {verdict}, {len(annotations)} problem(s)\n")
    return annotations


def test_escaping_of_commas_colons_percents_and_newlines(azconf: RunAzconf, tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "azconf.yaml": "version: 1\nproject: demo\nenvironments: [dev]\n",
            ODD_FILE: ODD_CONFIG,
            "config/envs/dev/": "",
        },
    )
    annotations = assert_github_matches_json(azconf, root)
    assert {a["file"] for a in annotations} == {ODD_FILE}
    raw = azconf("-C", root, "validate", "--format", "github").stdout
    assert "file=config/base/odd%2Cname%3A100%25.yaml,line=" in raw
    # A title (a property) with a comma and a colon, and messages (data) with a comma, a colon,
    # a percent sign and a CR LF inside the offending value.
    assert "title=AZC0405 flags.rollout%2Cphase%3A2::" in raw
    assert "(light: string, dark: number)" in raw
    assert '(got "/50%25 off,now:%0D%0Anext")' in raw
    by_code = {a["title"].split()[0]: a for a in annotations}
    assert by_code["AZC0203"]["message"].startswith("must start with / and contain no spaces")
    assert '"/50% off,now:\r\nnext"' in by_code["AZC0203"]["message"]


@pytest.mark.parametrize(
    "root",
    [REPO / "tests" / "corpus" / "golden-repo", EXAMPLE],
    ids=["golden-repo", "azora"],
)
def test_every_line_is_a_workflow_command_or_the_summary(azconf: RunAzconf, root: Path) -> None:
    annotations = assert_github_matches_json(azconf, root)
    assert annotations, "the fixture should have at least one problem"
    assert {"warning"} <= {a["command"] for a in annotations}
