"""The flags table's cells: chain order, differences from the previous environment, expiry; the rows
an Apply answers are the table's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from azconf.flags.evaluate import FlagSet
from azconf.server.dashboard.views import flag_rows, flags_table, value_diff
from azconf.server.source import Served, document_etag


def served(env: str, flags: dict[str, Any]) -> Served:
    """What the service would serve for ``env`` with these flags."""
    document = {"flags": flags}
    return Served(env, "working tree", document, FlagSet(document), document_etag(document), 0.0)


ON = {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "on"}
OFF = {**ON, "state": "DISABLED"}


def test_cells_differing_from_the_previous_environment_are_marked() -> None:
    envs = {"dev": served("dev", {"a": ON, "b": ON}), "staging": served("staging", {"a": OFF, "b": ON})}
    envs["prod"] = served("prod", {"a": OFF, "b": ON})
    rows = {row["name"]: row for row in flags_table(envs, dt.date(2026, 1, 1))["flags"]}
    assert [rows["a"]["cells"][e]["changed"] for e in ("dev", "staging", "prod")] == [False, True, False]
    assert rows["a"]["differs"] is True and rows["b"]["differs"] is False


def test_a_flag_absent_from_an_environment_and_expiry() -> None:
    late = {**ON, "metadata": {"expires": "2025-06-30", "owner": "team-web"}}
    envs = {"dev": served("dev", {"old": late}), "prod": served("prod", {})}
    (row,) = flags_table(envs, dt.date(2026, 1, 1))["flags"]
    assert row["cells"]["prod"] == {"state": None, "variant": None, "changed": True}
    assert row["expired"] is True and row["owner"] == "team-web"


NAMES = st.sampled_from(["a", "b", "c", "d"])
ENVS = st.dictionaries(NAMES, st.sampled_from([ON, OFF, {**ON, "defaultVariant": "off"}]), max_size=4)


@given(st.lists(ENVS, min_size=1, max_size=3), st.lists(NAMES, unique=True).map(sorted))
def test_flag_rows_are_the_tables_rows_of_those_names(flags: list[dict[str, Any]], names: list[str]) -> None:
    envs = {f"env{i}": served(f"env{i}", each) for i, each in enumerate(flags)}
    table = flags_table(envs, dt.date(2026, 1, 1))
    assert flag_rows(envs, names, dt.date(2026, 1, 1)) == [r for r in table["flags"] if r["name"] in names]
    assert table["etags"] == {env: s.etag for env, s in envs.items()}


def test_value_diff_is_a_unified_diff() -> None:
    assert value_diff(True, {"state": "DISABLED"}).splitlines()[2:] == [
        "@@ -1 +1,3 @@", "-true", "+{", '+  "state": "DISABLED"', "+}",
    ]  # fmt: skip
