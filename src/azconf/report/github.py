"""GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=T::message``.

Property values escape ``%``, CR, LF, ``:`` and ``,``; the message escapes ``%``, CR and LF (the rules of
GitHub's documented workflow-command syntax, as implemented by @actions/core).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azconf.problems import Problem

if TYPE_CHECKING:
    from azconf.validate import ValidationResult


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem) -> str:
    """One problem as a workflow command."""
    command = "error" if problem.severity.value == "error" else "warning"
    props = [f"file={escape_property(problem.location.file)}"]
    if problem.location.line:
        props += [f"line={problem.location.line}", f"col={problem.location.column}"]
    props.append(f"title={escape_property(f'{problem.code} {problem.path}'.strip())}")
    message = problem.message + (f"\n{problem.hint}" if problem.hint else "")
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def render(result: ValidationResult) -> str:
    """One annotation per problem, then a plain summary line."""
    lines = [annotation(problem) for problem in result.problems]
    lines.append(f"azconf: {'ok' if result.ok else 'failed'}, {len(result.problems)} problem(s)")
    return "\n".join(lines) + "\n"
