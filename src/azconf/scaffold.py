"""The files ``azconf init`` writes: a small project that validates cleanly and shows every section."""

from __future__ import annotations

import json
from pathlib import Path

from azconf.atomic import write_atomic
from azconf.config.manifest import MANIFEST_NAME
from azconf.errors import UsageError

MANIFEST = """\
# azconf project manifest: https://github.com/azconf/azconf/blob/main/docs/config-model.md
version: 1
project: {project}
environments: [dev, staging, prod]   # promotion order
layers:
  - config/base
  - config/envs/{env}
schemas:
  settings: schemas/settings.schema.json
history:
  path: .azconf/history.db
promotion:
  exclude: ["services.*.replicas"]
"""

GITIGNORE = ".gitignore"
FILES = {
    ".gitignore": """\
# azconf's history database and edit lock: one per checkout, never committed.
.azconf/
# Rendered output. Delete this line to commit it (GitOps: a controller applies what is in git).
/deploy/
""",
    "config/base/flags.yaml": """\
flags:
  dark-mode: false            # shorthand for a boolean flag that defaults to off
  new-checkout:
    state: ENABLED
    variants: {"on": true, "off": false}
    defaultVariant: "off"
    targeting:                # staff see the new checkout first
      if:
        - ends_with: [{var: email}, "@example.com"]
        - "on"
    description: The new checkout flow
    owner: team-web
""",
    "config/base/routes.yaml": """\
routes:
  web:
    path: /
    service: web
    methods: [GET]
    auth: none
    rate_limit: {rate: 100, per: 60}
""",
    "config/base/secrets.yaml": """\
secrets:
  session-key: vault://kv/{name}/web#session_key
""",
    "config/base/services.yaml": """\
services:
  web:
    image: ghcr.io/example/web:1.0.0
    port: 8080
    replicas: 1
    env:
      LOG_LEVEL: info
      SESSION_KEY: {secret: session-key}
      NEW_CHECKOUT: {flag: new-checkout}
    flags: [new-checkout]
    secrets: [session-key]
    routes: [web]
""",
    "config/base/settings.yaml": """\
settings:
  region: eu-west-1
  support_email: support@example.com
""",
    "config/envs/dev/settings.yaml": """\
settings:
  public_hostname: dev.example.com
""",
    "config/envs/staging/settings.yaml": """\
settings:
  public_hostname: staging.example.com   # azconf:keep each environment has its own hostname
""",
    "config/envs/prod/settings.yaml": """\
settings:
  public_hostname: example.com           # azconf:keep each environment has its own hostname
""",
    "config/envs/prod/services.yaml": """\
services:
  web:
    replicas: 3               # azconf:keep sized for production traffic
""",
    "schemas/settings.schema.json": """\
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "region": {"type": "string"},
    "support_email": {"type": "string", "format": "email"},
    "public_hostname": {"$ref": "#/$defs/hostname"}
  },
  "required": ["region", "public_hostname"],
  "additionalProperties": false,
  "$defs": {
    "hostname": {"type": "string", "pattern": "^[a-z0-9.-]+$"}
  }
}
""",
}


def create_project(directory: Path, name: str) -> list[Path]:
    """Write a new project into ``directory``; refuses to overwrite an existing one or to nest in one."""
    if (directory / MANIFEST_NAME).exists():
        raise UsageError(
            f"{directory / MANIFEST_NAME} already exists",
            hint="choose an empty folder for a new project",
        )
    outer = _enclosing_project(directory)
    if outer is not None:
        # Commands run in the new project's subfolders would silently use it instead of the outer one.
        raise UsageError(
            f"{directory} is inside the azconf project at {outer}",
            hint=f"choose a folder outside {outer}, or add environments or layers to that project",
        )
    clashes = [relative for relative in FILES if (directory / relative).exists() and relative != GITIGNORE]
    if clashes:
        raise UsageError(f"{directory / clashes[0]} already exists", hint="choose an empty folder")
    written = []
    for relative, template in {MANIFEST_NAME: MANIFEST, **FILES}.items():
        target = directory / relative
        text = template.replace("{project}", _yaml_string(name)).replace("{name}", name)
        if relative == GITIGNORE and target.exists():  # an existing repository's: add what is missing
            current = target.read_text(encoding="utf-8")
            if ".azconf/" in current.split():
                continue
            text = current + ("" if current.endswith("\n") or not current else "\n") + text
        write_atomic(target, text)
        written.append(target)
    return written


def _enclosing_project(directory: Path) -> Path | None:
    """The nearest folder above ``directory`` that holds an azconf project, if any."""
    for parent in directory.resolve().parents:
        if (parent / MANIFEST_NAME).is_file():
            return parent
    return None


def _yaml_string(name: str) -> str:
    """``name`` as a YAML scalar that every YAML version reads as that string (``y``, ``off`` and
    ``0755`` are booleans or numbers to some readers, so they are quoted)."""
    from azconf.config.yaml_io import parse_yaml

    document = parse_yaml(f"project: {name}\n".encode(), MANIFEST_NAME)
    plain = not document.problems and isinstance(document.data, dict) and document.data.get("project") == name
    return name if plain else json.dumps(name)
