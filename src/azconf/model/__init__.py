"""The typed model of a resolved environment, and the checks that turn it into problems."""

SECTIONS = ("flags", "routes", "secrets", "services", "settings")
"""The top-level keys of config files, in order: the one list of them (model, diff, the CLI)."""
