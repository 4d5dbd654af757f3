"""The user's JSON Schemas, in azconf's words: messages without raw patterns or jsonschema's phrasing,
and ``format`` checked the same way by both validators.

jsonschema-rs (the fast validator) checks every format of Draft 2020-12 itself; jsonschema (the one
that explains) checks some only with extra packages installed. So the explaining validator asks
jsonschema-rs too: both always agree on whether a value is valid.
"""

from __future__ import annotations

import functools
import json
from typing import Any

FORMAT_WORDS = {
    "email": "an e-mail address such as ops@example.com",
    "idn-email": "an e-mail address",
    "hostname": "a host name such as api.example.com",
    "idn-hostname": "a host name",
    "ipv4": "an IPv4 address such as 10.0.0.1",
    "ipv6": "an IPv6 address such as 2001:db8::1",
    "uri": "an absolute URI such as https://example.com/path",
    "uri-reference": "a URI or a relative reference",
    "iri": "an absolute IRI",
    "iri-reference": "an IRI or a relative reference",
    "uri-template": "a URI template",
    "date": "a date such as 2027-01-31",
    "date-time": "a date and time such as 2027-01-31T09:30:00Z",
    "time": "a time such as 09:30:00Z",
    "duration": "an ISO 8601 duration such as P1DT2H",
    "uuid": "a UUID",
    "regex": "a regular expression",
    "json-pointer": "a JSON pointer such as /a/b",
    "relative-json-pointer": "a relative JSON pointer",
}
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@functools.lru_cache(maxsize=64)
def _format_validator(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for({"format": name}, validate_formats=True)


def format_checker() -> Any:
    """A jsonschema ``FormatChecker`` whose every format is decided by jsonschema-rs."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name in FORMAT_WORDS:
        checker.checks(name)(functools.partial(_valid_format, name))
    return checker


def _valid_format(name: str, instance: object) -> bool:
    return not isinstance(instance, str) or bool(_format_validator(name).is_valid(instance))


def schema_message(error: Any) -> str:
    """One jsonschema error in azconf's words ("must be an e-mail address ..."), never a pattern."""
    rule, value = error.validator, error.validator_value
    words = {
        "format": lambda: f"must be {FORMAT_WORDS.get(str(value), 'a valid ' + str(value))}",
        "type": lambda: f"must be {_types(value)}",
        "pattern": lambda: (
            "does not have the form the schema requires"
            + (
                f" ({error.schema['description']})"
                if isinstance(error.schema.get("description"), str)
                else ""
            )
        ),
        "enum": lambda: f"must be one of {', '.join(json.dumps(v) for v in value)}",
        "const": lambda: f"must be {json.dumps(value)}",
        "minimum": lambda: f"must be at least {value}",
        "maximum": lambda: f"must be at most {value}",
        "exclusiveMinimum": lambda: f"must be greater than {value}",
        "exclusiveMaximum": lambda: f"must be less than {value}",
        "minLength": lambda: f"must have at least {value} character(s)",
        "maxLength": lambda: f"must have at most {value} character(s)",
        "minItems": lambda: f"must have at least {value} item(s)",
        "maxItems": lambda: f"must have at most {value} item(s)",
        "required": lambda: _missing(error),
    }
    message = words[rule]() if rule in words else str(error.message)
    return message + _got(error.instance) if rule not in ("required",) else message


def _types(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    return " or ".join(_TYPE_WORDS.get(str(name), str(name)) for name in names)


def _missing(error: Any) -> str:
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [str(key) for key in error.validator_value if key not in instance]
    return f'missing required key "{missing[0]}"' if missing else str(error.message)


def _got(instance: Any) -> str:
    if isinstance(instance, str):
        shown = instance if len(instance) <= 60 else instance[:57] + "..."
        return f" (got {json.dumps(shown, ensure_ascii=False)})"
    if isinstance(instance, bool | int | float) or instance is None:
        return f" (got {json.dumps(instance)})"
    return ""
