"""Diff: the two sides of a comparison (:mod:`~azconf.diff.sides`: a working tree or a recorded
version) and the semantic changes between them (:mod:`~azconf.diff.changes`: ``diff(old, new)``).

No formatting here: :mod:`azconf.report.diff_report` renders changes.
"""

from __future__ import annotations

from azconf.diff.changes import Change, Kind, diff, in_long_form, list_delta, select

__all__ = ["Change", "Kind", "diff", "in_long_form", "list_delta", "select"]
