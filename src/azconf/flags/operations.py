"""flagd's own targeting operations: ``fractional``, ``sem_ver``, ``starts_with``, ``ends_with``.

They follow https://flagd.dev/reference/custom-operations/ as flagd's reference evaluators implement
them: ``fractional`` hashes the canonical CBOR of the bucketing value (by default
``[flagKey, targetingKey]``) with MurmurHash3 (32 bits, seed 0) and maps it onto the summed weights;
``sem_ver`` accepts a ``v`` prefix and a missing minor or patch number. Any argument it cannot use
makes the operation return null, so the flag falls back to its default variant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cbor2
import mmh3
import semver

MAX_WEIGHT_SUM = 2**31 - 1  # flagd adds the weights up in an int32


def fractional(data: Any, *args: Any) -> Any:
    """``fractional``: the variant of the bucket the bucketing value hashes into, or null."""
    if not args:
        return None
    if isinstance(args[0], list | tuple):  # no bucketing expression: flag key and targeting key
        key = data.get("targetingKey")
        if not isinstance(key, str) or not key:
            return None
        bucket_by: Any = [data.get("$flagd", {}).get("flagKey", ""), key]
        buckets = args
    else:
        bucket_by, buckets = args[0], args[1:]
    if bucket_by is None:
        return None
    try:
        encoded = cbor2.dumps(_whole_numbers(bucket_by), canonical=True)
    except Exception:  # what CBOR cannot encode buckets nowhere, as in the reference
        return None
    parsed = _weights(buckets)
    if parsed is None:
        return None
    total = sum(weight for _, weight in parsed)
    if total > MAX_WEIGHT_SUM or total <= 0:
        return None
    bucket = (mmh3.hash(encoded, signed=False) * total) >> 32
    end = 0
    for variant, weight in parsed:
        end += weight
        if bucket < end:
            return variant
    return None


def _weights(buckets: tuple[Any, ...]) -> list[tuple[Any, int]] | None:
    """``[variant, weight?]`` pairs; a negative weight counts as 0 (rollout arithmetic may go below)."""
    parsed: list[tuple[Any, int]] = []
    for bucket in buckets:
        if not isinstance(bucket, list | tuple) or not bucket or len(bucket) > 2:
            return None
        weight = 1
        if len(bucket) == 2:
            if isinstance(bucket[1], bool) or not isinstance(bucket[1], int):
                return None
            weight = max(0, bucket[1])
        parsed.append((bucket[0], weight))
    return parsed


def _whole_numbers(value: Any) -> Any:
    """Floats without a fraction become integers, so 1.0 and 1 hash alike (flagd's CBOR rule)."""
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, float) and value.is_integer() and -(2**63) <= value <= 2**64 - 1:
        return int(value)
    return value


def _string_test(test: Callable[[str, str], bool]) -> Callable[..., bool | None]:
    def run(data: Any, *args: Any) -> bool | None:
        if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], str):
            return None
        return test(args[0], args[1])

    return run


starts_with = _string_test(str.startswith)
ends_with = _string_test(str.endswith)

_SEMVER_TESTS: dict[str, Callable[[semver.Version, semver.Version], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "^": lambda a, b: a.major == b.major,
    "~": lambda a, b: a.major == b.major and a.minor == b.minor,
}


def sem_ver(data: Any, *args: Any) -> bool | None:
    """``sem_ver [value, operator, version]``; null for a bad version or operator."""
    if len(args) != 3:
        return None
    left, operator, right = args
    try:
        first, second = version(left), version(right)
    except ValueError:
        return None
    test = _SEMVER_TESTS.get(operator) if isinstance(operator, str) else None
    return None if test is None else test(first, second)


def version(value: Any) -> semver.Version:
    """A semantic version from ``v1.2``, ``1``, ``1.2.3-rc.1``...; raises ValueError otherwise."""
    text = str(value)
    if text.startswith(("v", "V")):
        text = text[1:]
    numbers = text.split("-")[0].split("+")[0]
    dots = numbers.count(".")
    if dots < 2:
        text = numbers + ".0" * (2 - dots) + text[len(numbers) :]
    return semver.Version.parse(text)


FLAGD_OPERATIONS: dict[str, Callable[..., Any]] = {
    "fractional": fractional,
    "sem_ver": sem_ver,
    "starts_with": starts_with,
    "ends_with": ends_with,
}
