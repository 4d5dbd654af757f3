"""Printing styled lines: colour on a terminal, plain text when piped or when ``NO_COLOR`` is set."""

from __future__ import annotations

import os
import sys


def print_lines(lines: list[tuple[str, str]]) -> None:
    """Print each ``(text, rich style)`` line; styles only on a terminal and without ``NO_COLOR``.

    (rich alone keeps bold and dim under NO_COLOR; no-color.org asks for no ANSI codes at all.)
    """
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        sys.stdout.write("".join(text + "\n" for text, _ in lines))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    for text, style in lines:
        console.print(Text(text, style=style or ""))
