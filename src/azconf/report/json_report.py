"""The versioned JSON envelope of ``azconf validate --format json`` (documented in docs/output.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from azconf.problems import Problem

if TYPE_CHECKING:
    from azconf.validate import ValidationResult

SCHEMA_ID = "https://azconf.dev/schemas/validate-result/v1"
FORMAT_VERSION = 1


def problem_dict(problem: Problem) -> dict[str, Any]:
    """One problem as a JSON object; the keys are part of the versioned contract."""
    return {
        "code": problem.code,
        "severity": problem.severity.value,
        "message": problem.message,
        "path": problem.path,
        "file": problem.location.file,
        "line": problem.location.line,
        "column": problem.location.column,
        "environments": problem.env.split(",") if problem.env else [],
        "hint": problem.hint,
        "related": [{"file": loc.file, "line": loc.line, "column": loc.column} for loc in problem.related],
    }


def render(result: ValidationResult) -> str:
    """The whole result as one JSON document."""
    from azconf import __version__

    document = {
        "$schema": SCHEMA_ID,
        "version": FORMAT_VERSION,
        "tool": {"name": "azconf", "version": __version__},
        "valid": result.ok,
        "strict": result.strict,
        "environments": result.environments,
        "summary": {
            "errors": sum(1 for p in result.problems if p.severity.value == "error"),
            "warnings": sum(1 for p in result.problems if p.severity.value == "warning"),
        },
        "problems": [problem_dict(problem) for problem in result.problems],
        "allowed": [{"path": item.path, "reason": item.reason} for item in result.allowed],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
