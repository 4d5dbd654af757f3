"""The text diff of a planned file edit, with every secret-shaped literal masked.

``azconf set/promote/restore`` print it before asking, and the dashboard shows it before a change is
confirmed; both must hide the same values, so they share this one function.
"""

from __future__ import annotations

import difflib
from typing import Any

from azconf.edit.plan import FileEdit


def masked_diff(edit: FileEdit) -> str:
    """The unified diff of one file edit; literals that look like secrets read ``<sensitive value>``."""
    from azconf.problems import redact
    from azconf.report.diff_report import SENSITIVE

    hidden = sorted(_secret_literals(edit.before or "") | _secret_literals(edit.after), key=len, reverse=True)
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


def _secret_literals(text: str) -> set[str]:
    """The string literals in a YAML text that look like secrets."""
    from azconf.config.yaml_io import parse_yaml
    from azconf.secrets import iter_plaintext_secrets

    data = parse_yaml(text.encode("utf-8"), "plan").data
    found: set[str] = set()
    for path, _ in iter_plaintext_secrets(data):
        value: Any = data
        for part in path:
            value = value[part]
        if isinstance(value, str):
            found.add(value)
    return found
