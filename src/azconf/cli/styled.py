"""Printing styled lines: colour on a terminal, plain text when piped (rich decides; NO_COLOR works)."""

from __future__ import annotations


def print_lines(lines: list[tuple[str, str]]) -> None:
    """Print each ``(text, rich style)`` line."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    for text, style in lines:
        console.print(Text(text, style=style or ""))
