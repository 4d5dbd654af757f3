"""Plain text, one problem a line as ``file:line:col: severity CODE path: message``, for people and grep."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azconf.problems import Problem

if TYPE_CHECKING:
    from azconf.validate import ValidationResult


def format_problem(problem: Problem, *, hints: bool = True) -> str:
    """One problem as text, with its hint on an indented second line."""
    path = f"{problem.path}: " if problem.path else ""
    env = f" [{problem.env}]" if problem.env else ""
    line = f"{problem.location}: {problem.severity.value} {problem.code} {path}{problem.message}{env}"
    if hints and problem.hint:
        line += f"\n    hint: {problem.hint}"
    return line


def render(result: ValidationResult) -> str:
    """Every problem, then a summary line."""
    lines = [format_problem(problem) for problem in result.problems]
    errors = sum(1 for p in result.problems if p.severity.value == "error")
    warnings = len(result.problems) - errors
    envs = ", ".join(result.environments)
    if result.ok:
        verdict = f"ok: {len(result.environments)} environment(s) valid ({envs})"
    else:
        failing = {env for p in result.errors for env in (p.env.split(",") if p.env else result.environments)}
        named = [e for e in result.environments if e in failing]
        # No environment to name: the manifest itself could not be read, so none was resolved.
        where = f" in {', '.join(named)}" if named else " in azconf.yaml"
        verdict = f"failed: {len(result.errors)} problem(s){where}"
    lines += _reviewed_exceptions(result) if result.verbose else []
    lines.append(f"{verdict}; {errors} error(s), {warnings} warning(s){_exceptions_note(result)}")
    return "\n".join(lines) + "\n"


def _reviewed_exceptions(result: ValidationResult) -> list[str]:
    """``allowed`` lines: each reviewed plaintext-secret exception's path and reason, never its value."""
    return [f"allowed {item.path}: reviewed secret exception: {item.reason}" for item in result.allowed]


def _exceptions_note(result: ValidationResult) -> str:
    # Kept visible without -v, so that an allow-listed secret is never silently invisible.
    count = len(result.allowed)
    if not count or result.verbose:
        return ""
    return f"; {count} reviewed secret exception(s) (--verbose lists them)"


def styled(report: str) -> list[tuple[str, str]]:
    """The lines of a text report, each with a rich style: errors red, warnings yellow, the verdict
    green or red (for a terminal; the words carry the meaning, colour only helps the eye)."""
    lines = []
    for line in report.rstrip("\n").split("\n"):
        style = ""
        if ": error " in line or line.startswith("failed:"):
            style = "bold red" if line.startswith("failed:") else "red"
        elif ": warning " in line:
            style = "yellow"
        elif line.startswith("ok:"):
            style = "bold green"
        elif line.startswith("    hint: "):
            style = "dim"
        lines.append((line, style))
    return lines
