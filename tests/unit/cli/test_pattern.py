"""The CLI keeps one pattern: a module per command in azconf.cli.commands, shared options declared once."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path
from typing import Any

import typer

import azconf.cli
import azconf.cli.commands
from azconf.cli.app import app
from azconf.cli.options import Format

CLI = Path(azconf.cli.__file__).parent


def _commands() -> dict[str, Any]:
    """Every command and group of the app by its full name ("" is the root)."""
    found: dict[str, Any] = {}

    def walk(command: Any, name: str) -> None:
        found[name] = command
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{name} {sub_name}".strip())

    walk(typer.main.get_command(app), "")
    return found


def _options(command: Any, flag: str) -> list[Any]:
    return [p for p in command.params if flag in getattr(p, "opts", [])]


def test_every_command_is_defined_in_a_command_module_and_every_module_is_used() -> None:
    callbacks = [command.callback for name, command in _commands().items() if name and command.callback]
    modules = {callback.__module__ for callback in callbacks}
    package = azconf.cli.commands.__name__
    assert all(module.startswith(f"{package}.") for module in modules), sorted(modules)
    files = {f"{package}.{info.name}" for info in pkgutil.iter_modules(azconf.cli.commands.__path__)}
    assert files == modules, f"modules without a command: {sorted(files - modules)}"


def test_db_is_an_option_of_the_root_only() -> None:
    commands = _commands()
    assert _options(commands[""], "--db")
    assert [name for name, command in commands.items() if name and _options(command, "--db")] == []


def test_every_format_option_offers_values_of_the_one_format_enum() -> None:
    offered = {}
    for name, command in _commands().items():
        for option in _options(command, "--format"):
            described = option.type_descriptor  # type: ignore[attr-defined]
            assert described.is_choice, f"{name}: --format is not a choice"
            offered[name] = described.choices
    assert "validate" in offered and "diff" in offered  # the walk sees them
    strays = {
        name: choices for name, choices in offered.items() if not all(isinstance(c, Format) for c in choices)
    }
    assert strays == {}


def test_no_command_module_declares_its_own_enum_of_choices() -> None:
    """Choices come from options.Format (or another table in options.py), not from a local enum."""
    declared = []
    for path in sorted(CLI.rglob("*.py")):
        if path.name == "options.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any("Enum" in ast.unparse(base) for base in node.bases):
                declared.append(f"{path.relative_to(CLI)}: {node.name}")
    assert declared == []
