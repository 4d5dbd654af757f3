"""``azconf explain`` output: text for people, JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from azconf.config.located import format_path, plain
from azconf.explain import Explanation, Setting, VersionExplanation

MAX_LEAVES = 200


def _show(value: Any) -> str:
    if isinstance(value, dict | list):
        kind = "mapping" if isinstance(value, dict) else "list"
        if not value:
            return "{}" if kind == "mapping" else "[]"
        text = json.dumps(plain(value), ensure_ascii=False)
        return text if len(text) <= 60 else f"({kind} of {len(value)})"
    return json.dumps(value, ensure_ascii=False)


def render_text(explanation: Explanation) -> str:
    """The winner, then each overridden setting, each with its file:line:col and source line."""
    path = format_path(explanation.path) or "(everything)"
    lines = []
    if explanation.exists:
        lines.append(f"{path} = {_show(explanation.value)}   [{explanation.env}]")
    else:
        lines.append(f"{path} is deleted   [{explanation.env}]")
    for index, setting in enumerate(explanation.settings):
        lines += _setting_lines(setting, index, explanation.exists)
    if not explanation.settings:
        lines.append("  default: no layer sets it (docs/config-model.md lists every default)")
    if explanation.leaves:
        lines.append("")
        lines.append("values under it, and the file that set each:")
        for leaf, loc in explanation.leaves[:MAX_LEAVES]:
            where = f"{loc.file}:{loc.line}:{loc.column}" if loc else "?"
            lines.append(f"  {format_path(leaf):<48} {where}")
        if len(explanation.leaves) > MAX_LEAVES:
            lines.append(f"  ... and {len(explanation.leaves) - MAX_LEAVES} more")
    return "\n".join(lines) + "\n"


def _setting_lines(setting: Setting, index: int, exists: bool) -> list[str]:
    loc = setting.loc
    role = ("set by" if exists else "deleted by") if index == 0 else "overrode"
    value = "null (delete)" if setting.value is None else _show(setting.value)
    line, column = setting.position
    lines = [f"  {role:<10} {loc.file}:{line}:{column}  ({setting.layer})  {value}"]
    if setting.line_text:
        lines.append(f"  {'':<10} {loc.key_line:>5} | {setting.line_text.rstrip()}")
    return lines


def render_json(explanation: Explanation) -> str:
    """The explanation as a versioned JSON document."""
    document = {
        "version": 1,
        "env": explanation.env,
        "path": format_path(explanation.path),
        "exists": explanation.exists,
        "default": explanation.default,
        "value": plain(explanation.value),
        "settings": [
            {
                "file": s.loc.file,
                "line": s.position[0],
                "column": s.position[1],
                "layer": s.layer,
                "value": plain(s.value),
                "winner": index == 0,
            }
            for index, s in enumerate(explanation.settings)
        ],
        "leaves": [
            {
                "path": format_path(leaf),
                "file": loc.file if loc else None,
                "line": loc.line if loc else None,
                "column": loc.column if loc else None,
            }
            for leaf, loc in explanation.leaves
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_version_text(explanation: VersionExplanation) -> str:
    """A recorded value, and who changed it last (history keeps values, not file locations)."""
    lines = [f"{format_path(explanation.path)} = {_show(explanation.value)}   [{explanation.ref}]"]
    entry = explanation.changed_by
    if entry is None:
        lines.append("  no recorded change touched it (set before the first version, or by a default)")
    else:
        note = f", {entry.note}" if entry.note else ""
        lines.append(
            f"  last changed in {entry.version} by {entry.actor} at {entry.time} ({entry.action}{note})"
        )
    lines.append(
        "  (history keeps values, not the file and line that set them; explain the working tree for those)"
    )
    return "\n".join(lines) + "\n"


def render_version_json(explanation: VersionExplanation) -> str:
    """The same as JSON: ``version``, ``path``, ``value`` and ``changed_by`` (an audit entry or null)."""
    entry = explanation.changed_by
    changed = None
    if entry is not None:
        changed = {k: getattr(entry, k) for k in ("version", "actor", "time", "action", "note", "seq")}
    document = {
        "version": explanation.ref,
        "path": format_path(explanation.path),
        "value": plain(explanation.value),
        "changed_by": changed,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
