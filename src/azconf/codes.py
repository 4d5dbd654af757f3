"""Every problem code azconf reports, with what it means and how to fix it.

``azconf explain-code CODE`` prints one entry; ``docs/codes.md`` is generated from this table (a test
fails when it is stale). Codes are stable: a retired code is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """One problem code."""

    code: str
    title: str
    explanation: str
    fix: str


_TABLE: list[tuple[str, str, str, str]] = [
    # -- reading files: AZC01xx ------------------------------------------------------------------
    (
        "AZC0101",
        "File cannot be read",
        "A file or folder azconf needs could not be opened (missing, a permission problem, or a folder "
        "where a file was expected).",
        "Check the path and its permissions.",
    ),
    (
        "AZC0102",
        "Invalid UTF-8",
        "YAML files must be UTF-8. The position is the first byte that is not valid UTF-8. A UTF-8 byte "
        "order mark is accepted.",
        "Re-save the file as UTF-8.",
    ),
    (
        "AZC0103",
        "File too large",
        "Files above 8 MiB are refused, so that a stray generated file cannot exhaust memory.",
        "Split the content into several files of the same layer folder.",
    ),
    (
        "AZC0104",
        "YAML syntax error",
        "libyaml could not parse the file at this position, or the file holds a control character "
        "YAML does not allow (reported at its line and column).",
        "Fix the syntax; the message names what the parser expected.",
    ),
    (
        "AZC0105",
        "Tab in indentation",
        "YAML forbids tab characters for indentation.",
        "Indent with spaces.",
    ),
    (
        "AZC0106",
        "More than one document",
        "A file holds exactly one YAML document; a second `---` starts another, which other tools would "
        "silently ignore or merge.",
        "Remove the separator or move the second document to its own file.",
    ),
    (
        "AZC0107",
        "Top level is not a mapping",
        "Every config file is a mapping of sections (and azconf.yaml a mapping of settings).",
        "Start the file with a key such as `flags:`.",
    ),
    (
        "AZC0108",
        "Duplicate key",
        "The same key appears twice in one mapping. Most YAML parsers silently keep the last one; azconf "
        "names both places.",
        "Remove or rename one of them.",
    ),
    (
        "AZC0109",
        "YAML 1.1 boolean",
        "`yes`, `no`, `on`, `off`, `y` and `n` are booleans for YAML 1.1 parsers (PyYAML, older Go and "
        "Ruby libraries) and strings for YAML 1.2 parsers; the meaning would depend on the tool.",
        'Quote the value ("on") for a string, or write true/false for a boolean.',
    ),
    (
        "AZC0110",
        "Number read differently by YAML 1.1 and 1.2",
        "Scalars such as `0755` (octal 493 in 1.1, 755 in 1.2), `1_000`, `0b101`, `08`, `0o17` or `1e5` "
        "change type or value between YAML versions.",
        "Quote the value for a string, or write a plain decimal number.",
    ),
    (
        "AZC0111",
        "Base-60 number",
        "YAML 1.1 reads `1:30` as 90 (sexagesimal); YAML 1.2 reads a string.",
        'Quote it ("1:30").',
    ),
    (
        "AZC0112",
        "Alias expansion or nesting limit",
        "Aliases expanding to more than 100,000 nodes (a billion-laughs document), a recursive alias, or "
        "nesting deeper than 200 levels stops reading the file, in bounded time and memory.",
        "Write the values out instead of aliasing them.",
    ),
    ("AZC0113", "Invalid key", "Keys must be scalars and not null.", "Use a string key."),
    (
        "AZC0114",
        "Merge key not supported",
        "YAML 1.1 merge keys (`<<: *anchor`) are not part of YAML 1.2 and behave differently across tools.",
        "Write the keys out, or move shared values into the base layer.",
    ),
    (
        "AZC0115",
        "Unsupported tag",
        "Only the standard scalar, mapping and sequence types are read.",
        "Remove the tag.",
    ),
    (
        "AZC0116",
        "Item defined in two files of one layer",
        "Several files of one layer may share a section, but each item must live in one file.",
        "Keep the item in one file.",
    ),
    (
        "AZC0117",
        "Not a finite number",
        "`.nan`, `.inf` and `-.inf` (or a float too large to hold) are numbers in YAML, but JSON has no "
        "such values, and every consumer of the config reads JSON: flagd, Terraform, Tyk and history. "
        "The same goes for an integer of more than 308 digits (JavaScript reads it as Infinity).",
        "Write a finite number, or quote the value for a string.",
    ),
    # -- structure: AZC02xx ----------------------------------------------------------------------
    (
        "AZC0201",
        "Unknown key",
        "The key is not part of the model at this place; typos are errors, never silently ignored.",
        "Use one of the allowed keys listed in the hint (a close match is suggested).",
    ),
    ("AZC0202", "Missing required key", "The model requires this key.", "Add it."),
    (
        "AZC0205",
        "Overlay item matches nothing below",
        "An environment's overlay names an item (a service, a route ...) that no lower layer defines, "
        "and a lower layer defines one with a similar name: most likely a typo, reported instead of "
        "every required key the new item would lack.",
        "Fix the name to the one suggested, or define the new item whole in the overlay.",
    ),
    (
        "AZC0203",
        "Invalid value",
        "The value has the wrong type or is outside the allowed range.",
        'Change the value as the message says; types are strict (`replicas: "3"` is a string).',
    ),
    (
        "AZC0204",
        "Unknown section",
        "Top-level keys of config files are sections: flags, routes, secrets, services, settings.",
        "Rename the section or move its content under settings.",
    ),
    # -- references: AZC03xx ---------------------------------------------------------------------
    (
        "AZC0301",
        "Unknown reference",
        "A route's service, a service's flags, secrets or routes, or an env value `{secret: x}` / "
        "`{flag: x}` names an item that does not exist in this environment.",
        "Fix the name (a close match is suggested) or define the item.",
    ),
    (
        "AZC0302",
        "Route conflict",
        "Two routes claim the same path and HTTP method in one environment.",
        "Change one path or split the methods.",
    ),
    (
        "AZC0303",
        "Invalid Kubernetes name",
        "Service names become Kubernetes Service names (DNS-1035 labels); route and secret names become "
        "object names (DNS-1123 labels).",
        "Use lowercase letters, digits and '-', at most 63 characters.",
    ),
    (
        "AZC0304",
        "Route points elsewhere",
        "A service lists a route whose `service` is a different service (warning).",
        "Remove the route from the service's list or fix the route's service.",
    ),
    (
        "AZC0305",
        "Route bypasses the API gateway",
        "A route with `expose: direct` has its HTTPRoute send traffic straight to the service, so the "
        "authentication, rate limit and CORS rules that only the Tyk gateway applies are not applied "
        "(warning).",
        "Remove `expose: direct`: the route's HTTPRoute then targets the Tyk gateway.",
    ),
    # -- flags: AZC04xx --------------------------------------------------------------------------
    (
        "AZC0401",
        "Variants of mixed types",
        "flagd requires every variant of a flag to have one type: boolean, string, number or object.",
        "Make all variant values the same type.",
    ),
    (
        "AZC0402",
        "Unknown default variant",
        "`defaultVariant` must be a key of `variants` (or null).",
        "Use one of the variant names.",
    ),
    (
        "AZC0403",
        "Invalid targeting rule",
        "The JsonLogic targeting rule is malformed: an unknown operation, a custom operation (fractional, "
        "sem_ver, starts_with, ends_with) with the wrong shape, or a returned variant that does not exist.",
        "Fix the rule as the message says; see flagd's targeting documentation.",
    ),
    (
        "AZC0404",
        "Flag expired",
        "The flag's `expires` date is in the past (a warning; an error with --strict).",
        "Remove the flag or move the date.",
    ),
    (
        "AZC0405",
        "Invalid flag key",
        "Flag keys must start with a letter or digit.",
        "Rename the flag.",
    ),
    # -- user schemas: AZC05xx -------------------------------------------------------------------
    (
        "AZC0501",
        "Schema violation",
        "A value does not satisfy the JSON Schema bound to it in azconf.yaml.",
        "Change the value (or the schema).",
    ),
    (
        "AZC0502",
        "Unusable schema",
        "A schema bound in azconf.yaml cannot be read (or is not a regular file), is not JSON, is not a "
        "valid Draft 2020-12 schema, is nested more than 128 levels deep, or has a `pattern` (or "
        "`patternProperties` key) that cannot be matched in linear time. azconf matches every pattern "
        "with a linear-time engine, so no value can make validation hang; that engine has no "
        "look-around and no back-references. The message names the pattern and its JSON pointer.",
        "Fix the schema file or the binding; rewrite a look-around pattern without it.",
    ),
    # -- the project: AZC06xx --------------------------------------------------------------------
    (
        "AZC0601",
        "Missing layer folder",
        "A layer folder named in azconf.yaml (after replacing {env}) does not exist.",
        "Create the folder (it may be empty) or fix `layers`.",
    ),
    # -- secrets: AZC07xx ------------------------------------------------------------------------
    (
        "AZC0701",
        "Malformed secret reference",
        "A secret reference does not follow its scheme's grammar: vault://MOUNT/PATH#KEY, "
        "k8s://SECRET/KEY, env://VAR or keyring://SERVICE/USERNAME.",
        "Fix the reference.",
    ),
    (
        "AZC0702",
        "Plaintext secret",
        "A literal value looks like a secret (its key names a secret, or it has the shape of a known token "
        "or a private key). Secrets belong in a vault, referenced from the config.",
        "Move the value to a secret store and use a reference, or allow-list it in azconf.yaml "
        "with a reason.",
    ),
]

CODES: dict[str, Code] = {row[0]: Code(*row) for row in _TABLE}


def codes_markdown() -> str:
    """``docs/codes.md``: every code with its explanation and fix."""
    lines = [
        "# Problem codes",
        "",
        "Generated from `src/azconf/codes.py`; `azconf explain-code CODE` prints one entry.",
        "",
    ]
    for code in CODES.values():
        lines += [
            f"## {code.code}: {code.title}",
            "",
            code.explanation,
            "",
            f"**Fix:** {code.fix}",
            "",
        ]
    return "\n".join(lines)
