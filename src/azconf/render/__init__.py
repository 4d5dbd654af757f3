"""Render: one resolved environment in, the files a deploy pipeline applies out.

Each target is a module with a ``TARGET`` object that follows :class:`azconf.render.base.Target`;
``TARGETS`` below is the one list of them (imported lazily: a target may need libraries the others
do not). Writing, the record of rendered files and ``--check`` live in :mod:`azconf.render.output`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azconf.render.base import Target

TARGETS: dict[str, str] = {
    "kubernetes": "azconf.render.kubernetes",
    "terraform": "azconf.render.terraform",
    "tyk": "azconf.render.tyk",
    "flagd": "azconf.render.flagd",
}
"""Target name -> the module that holds its ``TARGET``."""


def target(name: str) -> Target:
    """The target called ``name``."""
    module = import_module(TARGETS[name])
    found: Target = module.TARGET
    return found
