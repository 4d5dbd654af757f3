"""``azconf diff`` output: coloured text on a terminal (plain when piped), a stat table, or JSON.

Sensitive values (literals that look like secrets, allowed or not) are never printed: the change is
shown, the value is not.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from azconf.config.located import plain
from azconf.diff import Change, Kind, in_long_form, list_delta
from azconf.diff.sides import Side
from azconf.problems import redact, redacted
from azconf.secrets import iter_plaintext_secrets

SENSITIVE = "<sensitive value>"
FORMAT_VERSION = 1


def is_sensitive(change_path: tuple[str | int, ...], value: Any) -> bool:
    """Whether ``value`` (or anything inside it) looks like a secret."""
    key = next((str(p) for p in reversed(change_path) if isinstance(p, str)), "")
    return any(True for _ in iter_plaintext_secrets(value, (key,)))


def shown(change: Change, value: Any) -> Any:
    """``value`` as it may be shown: plain data, or the sensitive marker."""
    return SENSITIVE if is_sensitive(change.path, value) else plain(value)


def _text(value: Any) -> str:
    if value == SENSITIVE:
        return SENSITIVE
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 70 else text[:67] + "..."


def _where(side: Side, change: Change) -> str:
    origin = side.origin(change.path)
    return f"{origin.file}:{origin.line}" if origin else ""


def render_text(old: Side, new: Side, changes: list[Change]) -> list[tuple[str, str]]:
    """Lines of text, each with a style name for rich (``""`` for none).

    A token-shaped key or value (an env var named like a GitHub token) is masked in every line. A flag
    that changed between its shorthand and its full form is shown field by field (``in_long_form``).
    """
    lines: list[tuple[str, str]] = [(f"--- {old.label}", "bold red"), (f"+++ {new.label}", "bold green")]
    changes = in_long_form(changes)
    if not changes:
        return [*lines, ("no differences", "")]
    section = ""
    for change in changes:
        if change.section != section:
            section = change.section
            count = sum(1 for c in changes if c.section == section)
            lines.append((f"{section} ({count} change{'s' if count != 1 else ''})", "bold"))
        lines += _change_lines(old, new, change)
    return [(redact(text), style) for text, style in lines]


def _change_lines(old: Side, new: Side, change: Change) -> list[tuple[str, str]]:
    before, after = shown(change, change.old), shown(change, change.new)
    if change.kind is Kind.ADDED:
        return [(f"  + {change.dotted}: {_text(after)}{_at(_where(new, change))}", "green")]
    if change.kind is Kind.REMOVED:
        return [(f"  - {change.dotted}: {_text(before)}{_at(_where(old, change))}", "red")]
    lines = [(f"  ~ {change.dotted}: {_text(before)} -> {_text(after)}", "yellow")]
    if isinstance(before, list) and isinstance(after, list):
        added, removed = list_delta(before, after)
        lines += [(f"      + {_text(item)}", "green") for item in added]
        lines += [(f"      - {_text(item)}", "red") for item in removed]
    origins = [w for w in (_where(old, change), _where(new, change)) if w]
    if origins:
        lines.append((f"      {' -> '.join(origins)}", "dim"))
    return lines


def _at(where: str) -> str:
    return f"   ({where})" if where else ""


def stat(changes: list[Change]) -> dict[str, dict[str, int]]:
    """Counts of added, removed and changed paths per section."""
    counts: dict[str, Counter[str]] = {}
    for change in changes:
        counts.setdefault(change.section, Counter())[change.kind.value] += 1
    return {
        section: {kind.value: counter[kind.value] for kind in Kind} for section, counter in counts.items()
    }


def render_stat(changes: list[Change]) -> str:
    """One line per section: ``flags  +2 -1 ~3``, then the total."""
    table = stat(changes)
    lines = [f"{section:<10} +{c['added']} -{c['removed']} ~{c['changed']}" for section, c in table.items()]
    lines.append(f"{len(changes)} change(s) in {len(table)} section(s)")
    return "\n".join(lines) + "\n"


def render_json(old: Side, new: Side, changes: list[Change]) -> str:
    """The versioned JSON document (docs/output.md)."""
    document = {
        "version": FORMAT_VERSION,
        "from": {"label": old.label, "env": old.env},
        "to": {"label": new.label, "env": new.env},
        "stat": stat(changes),
        "changes": [_change_json(old, new, c) for c in changes],
    }
    return json.dumps(redacted(document), indent=2, ensure_ascii=False) + "\n"


def _change_json(old: Side, new: Side, change: Change) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": change.dotted,
        "section": change.section,
        "kind": change.kind.value,
        "old": shown(change, change.old) if change.kind is not Kind.ADDED else None,
        "new": shown(change, change.new) if change.kind is not Kind.REMOVED else None,
        "sensitive": is_sensitive(change.path, change.old) or is_sensitive(change.path, change.new),
    }
    for name, side in (("from_origin", old), ("to_origin", new)):
        origin = side.origin(change.path)
        entry[name] = {"file": origin.file, "line": origin.line, "column": origin.column} if origin else None
    return entry


def render_markdown(old: Side, new: Side, changes: list[Change]) -> str:
    """A GitHub-flavoured Markdown table, for a pull-request comment (``--format markdown``)."""
    head = f"### azconf diff: `{old.label}` → `{new.label}`\n\n"
    if not changes:
        return head + "No differences.\n"
    sections = ", ".join(f"{section} ({sum(c.values())})" for section, c in stat(changes).items())
    lines = [
        f"**{len(changes)} change(s)**: {sections}",
        "",
        "| | path | before | after | set in |",
        "|---|---|---|---|---|",
    ]
    marks = {Kind.ADDED: "➕", Kind.REMOVED: "➖", Kind.CHANGED: "✏️"}
    for change in changes:
        before = _cell(shown(change, change.old)) if change.kind is not Kind.ADDED else ""
        after = _cell(shown(change, change.new)) if change.kind is not Kind.REMOVED else ""
        where = _where(new, change) or _where(old, change)
        lines.append(f"| {marks[change.kind]} | `{change.dotted}` | {before} | {after} | {_code(where)} |")
    return redact(head + "\n".join(lines)) + "\n"  # a token-shaped key or value is never echoed


def _cell(value: Any) -> str:
    return _code(_text(value))


def _code(text: str) -> str:
    """``text`` as a code span inside a table cell (pipes escaped, backticks kept out)."""
    escaped = text.replace("`", "'").replace("|", "\\|")
    return f"`{escaped}`" if text else ""
