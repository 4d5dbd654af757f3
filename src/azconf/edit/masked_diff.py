"""The text diff of a planned file edit, with every secret-shaped literal masked.

``azconf set/promote/restore`` print it before asking, and the dashboard shows it before a change is
confirmed; both must hide the same values, so they share this one function.
"""

from __future__ import annotations

import difflib
from typing import Any

from azconf.config.project import Parse
from azconf.config.yaml_io import parse_yaml
from azconf.edit.plan import FileEdit


def masked_diff(edit: FileEdit, parse: Parse = parse_yaml) -> str:
    """The unified diff of one file edit; literals that look like secrets read ``<sensitive value>``.

    ``parse``: how the texts are parsed to find them (a long-running process passes its kept parses).
    """
    from azconf.problems import redact
    from azconf.report.diff_report import SENSITIVE

    sides = (edit.before or "", edit.after)
    found = {literal for side in sides for literal in _secret_literals(side, edit.file, parse)}
    hidden = sorted(found, key=len, reverse=True)
    old = (edit.before or "").splitlines(keepends=True)
    new = edit.after.splitlines(keepends=True)
    lines = []
    for raw in difflib.unified_diff(old, new, f"a/{edit.file}", f"b/{edit.file}"):
        line = raw
        # Longest first, so a secret that contains another is masked whole.
        for value in hidden:
            line = line.replace(value, SENSITIVE)
        lines.append(redact(line if line.endswith("\n") else line + "\n"))
    return "".join(lines)


def _secret_literals(text: str, file: str, parse: Parse) -> set[str]:
    """The string literals in a YAML text that look like secrets."""
    from azconf.secrets import iter_plaintext_secrets

    data = parse(text.encode("utf-8"), file).data
    found: set[str] = set()
    for path, _ in iter_plaintext_secrets(data):
        value: Any = data
        for part in path:
            value = value[part]
        if isinstance(value, str):
            found.add(value)
    return found
