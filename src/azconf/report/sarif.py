"""SARIF 2.1.0, for code-scanning UIs (GitHub code scanning, VS Code's SARIF viewer)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from azconf.codes import CODES
from azconf.problems import Problem

if TYPE_CHECKING:
    from azconf.validate import ValidationResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: ValidationResult) -> str:
    """One SARIF run whose rules are every code that occurs in the result."""
    from azconf import __version__

    used = sorted({problem.code for problem in result.problems})
    rules = [_rule(code) for code in used]
    index = {code: position for position, code in enumerate(used)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "azconf",
                        "version": __version__,
                        "informationUri": "https://github.com/azconf/azconf",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"PROJECTROOT": {"uri": result.root.resolve().as_uri() + "/"}},
                "results": [_result(problem, index[problem.code]) for problem in result.problems],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str) -> dict[str, Any]:
    entry = CODES.get(code)
    title = entry.title if entry else code
    rule: dict[str, Any] = {
        "id": code,
        "name": "".join(word.capitalize() for word in title.replace("-", " ").split() if word.isalnum()),
        "shortDescription": {"text": title},
    }
    if entry:
        rule["fullDescription"] = {"text": entry.explanation}
        rule["help"] = {"text": entry.fix}
    return rule


def _result(problem: Problem, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "artifactLocation": {"uri": quote(problem.location.file), "uriBaseId": "PROJECTROOT"},
    }
    if problem.location.line:
        location["region"] = {
            "startLine": problem.location.line,
            "startColumn": max(problem.location.column, 1),
        }
    text = f"{problem.path}: {problem.message}" if problem.path else problem.message
    result: dict[str, Any] = {
        "ruleId": problem.code,
        "ruleIndex": rule_index,
        "level": "error" if problem.severity.value == "error" else "warning",
        "message": {"text": text + (f" ({problem.hint})" if problem.hint else "")},
        "locations": [{"physicalLocation": location}],
    }
    if problem.env:
        result["properties"] = {"environments": problem.env.split(",")}
    return result
