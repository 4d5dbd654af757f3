"""The docs stay true: every command is documented, every code is explained, codes.md is current."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from azconf.cli.app import app
from azconf.codes import CODES, codes_markdown

ROOT = Path(__file__).resolve().parents[1]


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        names += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]
    return names


def test_every_command_is_in_the_readme_with_help_text() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name in command_names():
        assert f"azconf {name}" in readme, f"README does not document `azconf {name}`"
    for command in group.commands.values():  # type: ignore[attr-defined]
        assert command.help, f"{command.name} has no help text"


def test_codes_md_is_generated_from_the_table() -> None:
    regenerate = (
        "python -c 'from azconf.codes import codes_markdown as m; print(m(), end=\"\")' > docs/codes.md"
    )
    assert (ROOT / "docs" / "codes.md").read_text(encoding="utf-8") == codes_markdown(), (
        f"docs/codes.md is stale: regenerate it with {regenerate}"
    )


def test_every_code_the_source_emits_is_documented() -> None:
    emitted: set[str] = set()
    for path in (ROOT / "src" / "azconf").rglob("*.py"):
        if path.name != "codes.py":
            emitted |= set(re.findall(r'"(AZC\d{4})"', path.read_text(encoding="utf-8")))
    assert emitted, "no codes found: the pattern is wrong"
    assert sorted(emitted - set(CODES)) == []


def test_every_documented_code_is_emitted_somewhere() -> None:
    emitted: set[str] = set()
    for path in (ROOT / "src" / "azconf").rglob("*.py"):
        if path.name != "codes.py":
            emitted |= set(re.findall(r"AZC\d{4}", path.read_text(encoding="utf-8")))
    assert sorted(set(CODES) - emitted) == []
