"""JSON Schemas of azconf's own files, for editors (yaml-language-server) and other tools.

- ``azconf-manifest.schema.json``: ``azconf.yaml``;
- ``azconf-config.schema.json``: one config file of any layer, where every key is optional and
  ``null`` is allowed anywhere (an overlay sets a few values and deletes others);
- ``azconf-resolved.schema.json``: a resolved environment (``azconf show --format json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_BASE = "https://azconf.dev/schemas/"


def build_schemas() -> dict[str, str]:
    """File name -> JSON text of every exported schema (deterministic)."""
    from azconf.config.manifest import Manifest
    from azconf.model.sections import ConfigFile

    resolved = ConfigFile.model_json_schema(by_alias=True, mode="validation")
    manifest = Manifest.model_json_schema(by_alias=True)
    manifest["properties"]["render"] = _render_schema(manifest.setdefault("$defs", {}))
    schemas = {
        "azconf-manifest.schema.json": _document(manifest, "azconf.yaml, the project manifest"),
        "azconf-config.schema.json": _document(
            _partial(json.loads(json.dumps(resolved))),
            "A config file of one layer (base or overlay)",
        ),
        "azconf-resolved.schema.json": _document(resolved, "A resolved environment"),
    }
    return {name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n" for name, schema in schemas.items()}


def _render_schema(defs: dict[str, Any]) -> dict[str, Any]:
    """``render``: each target's options model, and the per-environment block (targets, and each
    target's options as an override: every key optional, ``null`` allowed)."""
    from azconf.render import TARGETS, target

    options: dict[str, Any] = {}
    for name in TARGETS:
        schema = target(name).options_model.model_json_schema(by_alias=True)
        defs.update(schema.pop("$defs", {}))
        options[name] = schema
    block = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "targets": {"type": "array", "items": {"enum": list(TARGETS)}},
            **{name: _partial(schema) for name, schema in options.items()},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {**options, "environments": {"type": "object", "additionalProperties": block}},
        "description": "Each target's options; render.environments.<env> overrides them per environment",
    }


def _document(schema: dict[str, Any], title: str) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}


def _partial(schema: Any) -> Any:
    """Every key optional and every value nullable: the shape of an overlay."""
    if isinstance(schema, list):
        return [_partial(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _partial(value) for key, value in schema.items() if key != "required"}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: _nullable(value) for name, value in out["properties"].items()}
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _nullable(out["additionalProperties"])
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]} if schema else schema


def export(out: Path, *, check: bool) -> list[str]:
    """Write the schemas into ``out`` (or, with ``check``, only compare); the names that differed."""
    from azconf.atomic import write_atomic

    stale = []
    for name, text in build_schemas().items():
        target = out / name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            stale.append(name)
            if not check:
                write_atomic(target, text)
    return stale
