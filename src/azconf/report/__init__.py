"""Reporters: a validation result in, text out. All formatting of problems lives here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azconf.validate import ValidationResult

Reporter = Callable[["ValidationResult"], str]


def reporter(name: str) -> Reporter:
    """The reporter called ``name`` (text, json, github or sarif)."""
    from azconf.report import github, json_report, sarif, text

    reporters: dict[str, Reporter] = {
        "text": text.render,
        "json": json_report.render,
        "github": github.render,
        "sarif": sarif.render,
    }
    return reporters[name]


FORMATS = ("text", "json", "github", "sarif")
