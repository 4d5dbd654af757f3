"""``azconf explain`` output: text for people, JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from azconf.config.located import format_path, plain
from azconf.explain import Explanation, Setting
from azconf.problems import redact, redacted

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
        lines.append("  (no layer sets this value: it comes from a default of the model)")
    if explanation.leaves:
        lines.append("")
        lines.append("values under it, and the file that set each:")
        for leaf, loc in explanation.leaves[:MAX_LEAVES]:
            where = f"{loc.file}:{loc.line}:{loc.column}" if loc else "?"
            lines.append(f"  {format_path(leaf):<48} {where}")
        if len(explanation.leaves) > MAX_LEAVES:
            lines.append(f"  ... and {len(explanation.leaves) - MAX_LEAVES} more")
    return redact("\n".join(lines)) + "\n"  # a token-shaped key or value is never echoed


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
    return json.dumps(redacted(document), indent=2, ensure_ascii=False) + "\n"
