"""azconf: one layered, validated, versioned source of truth for a microservices system's configuration.

The public API is small and stable; the CLI (:mod:`azconf.cli`) is built on it and is never imported
from here.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
