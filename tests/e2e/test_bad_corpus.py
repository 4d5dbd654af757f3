"""The bad-input corpus: every case of tests/corpus/bad/expected.yaml, run through ``azconf validate``.

Each case gets a fresh fixture repository (written by :func:`fixture_repo`), its bad input dropped into
config/base/ (or written as azconf.yaml), and must produce exactly the listed problems, at the listed
file:line:col, with the listed exit code, in the JSON and in the text report alike.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from azconf_e2e import REPO, Run, RunAzconf, azconf_executable, write_tree

CORPUS = REPO / "tests" / "corpus" / "bad"

MANIFEST = """\
version: 1
project: demo
environments: [dev]
layers:
  - config/base
  - config/envs/{env}
schemas:
  settings: schemas/settings.schema.json
"""

# The names the bad inputs refer to, or collide with; expected.yaml names some of these lines.
COMMON = """\
# The fixture's shared items: the names the bad inputs refer to (and collide with).
services:
  payments:
    image: ghcr.io/example/payments:1.0.0
    port: 8080
    flags: [new-checkout]
    secrets: [db-password]
    routes: [payments]
routes:
  payments:
    path: /api/payments
    service: payments
    methods: [GET, POST]
flags:
  new-checkout:
    state: ENABLED
    variants: {"on": true, "off": false}
    defaultVariant: "off"
secrets:
  db-password: vault://kv/demo/db#password
settings:
  port: 8080
"""

SETTINGS_SCHEMA = """\
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "port": {"type": "integer"},
    "name": {"type": "string"},
    "limits": {
      "type": "object",
      "properties": {"max_connections": {"type": "integer", "minimum": 0}},
      "additionalProperties": false
    }
  }
}
"""

# Valid JSON, but "type" must be a type name or a list of them: not a Draft 2020-12 schema.
INVALID_SCHEMA = '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "text"}\n'


def fixture_repo(root: Path) -> Path:
    """The small valid repository every case starts from."""
    return write_tree(
        root,
        {
            "azconf.yaml": MANIFEST,
            "config/base/common.yaml": COMMON,
            "config/envs/dev/": "",
            "schemas/settings.schema.json": SETTINGS_SCHEMA,
            "schemas/invalid.schema.json": INVALID_SCHEMA,
        },
    )


# -- inputs a committed file cannot carry --------------------------------------------------------


def _deep_nesting(base: Path) -> None:
    depth = 250
    (base / "deep.yaml").write_text("settings:\n  a: " + "[" * depth + "]" * depth + "\n")


def _invalid_utf8(base: Path) -> None:
    # Latin-1 "café": 0xe9 is not valid UTF-8; it is the 13th character of line 2.
    (base / "latin1.yaml").write_bytes(b'settings:\n  name: "caf\xe9"\n')


def _utf8_bom(base: Path) -> None:
    (base / "bom.yaml").write_bytes(b"\xef\xbb\xbfsettings:\n  name: caf\xc3\xa9\n")


def _utf8_bom_with_trap(base: Path) -> None:
    # The BOM is not a character of line 1: the column of `yes` must not move.
    (base / "bom.yaml").write_bytes(b"\xef\xbb\xbfsettings:\n  name: yes\n")


def _oversized(base: Path) -> None:
    line = b"  key%07d: " + b"x" * 60 + b"\n"
    count = (8 * 1024 * 1024) // len(line % 0) + 10
    with (base / "huge.yaml").open("wb") as handle:
        handle.write(b"settings:\n")
        handle.writelines(line % index for index in range(count))
    assert (base / "huge.yaml").stat().st_size > 8 * 1024 * 1024


def _unreadable(base: Path) -> None:
    locked = base / "locked.yaml"
    locked.write_text("settings:\n  name: locked\n")
    locked.chmod(0)


def _folder_named_yaml(base: Path) -> None:
    (base / "folder.yaml").mkdir()


def _dangling_symlink(base: Path) -> None:
    (base / "moved.yaml").symlink_to(base / "gone" / "moved.yaml")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "deep-nesting": _deep_nesting,
    "invalid-utf8": _invalid_utf8,
    "utf8-bom": _utf8_bom,
    "utf8-bom-with-trap": _utf8_bom_with_trap,
    "oversized": _oversized,
    "unreadable": _unreadable,
    "folder-named-yaml": _folder_named_yaml,
    "dangling-symlink": _dangling_symlink,
}


def drop_file_permission_override() -> None:
    """Run as root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so that chmod 000 is obeyed.

    Called in the child between fork and exec: dropping the capabilities from the bounding set means
    the exec'd azconf, although uid 0, gets neither of them.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _permission_preexec() -> Callable[[], None] | None:
    return drop_file_permission_override if os.geteuid() == 0 else None


# -- the table --------------------------------------------------------------------------------------


def load_cases() -> list[dict[str, Any]]:
    table = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    return list(table["cases"])


CASES = load_cases()


def parse_at(at: str, own_file: str) -> tuple[str, int, int]:
    """``LINE:COL``, ``FILE:LINE:COL`` or ``FILE`` as (file, line, column); no line is 0:0."""
    match = re.fullmatch(r"(?:(.+):)?(\d+):(\d+)", at)
    if match is None:
        return at, 0, 0
    file, line, column = match.groups()
    return file or own_file, int(line), int(column)


def prepare(case: dict[str, Any], root: Path) -> str:
    """Write the case into a fresh fixture at ``root``; the display name of the case's own file."""
    fixture_repo(root)
    if "generate" in case:
        GENERATORS[case["generate"]](root / "config" / "base")
        return ""
    source = CORPUS / case["file"]
    if case.get("as") == "manifest":
        shutil.copyfile(source, root / "azconf.yaml")
        return "azconf.yaml"
    shutil.copyfile(source, root / "config" / "base" / case["file"])
    return f"config/base/{case['file']}"


def run_case(azconf: RunAzconf, case: dict[str, Any], root: Path, output: str) -> Run:
    preexec = _permission_preexec() if case.get("generate") == "unreadable" else None
    args = ["-C", root, "validate", "--format", output, *case.get("args", [])]
    return azconf(*args, preexec_fn=preexec, timeout=60)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(azconf: RunAzconf, tmp_path: Path, case: dict[str, Any]) -> None:
    own_file = prepare(case, tmp_path / "repo")
    root = tmp_path / "repo"
    expected = [
        (p["code"], p.get("severity", "error"), *parse_at(p["at"], own_file)) for p in case["problems"]
    ]

    report = run_case(azconf, case, root, "json")
    assert report.returncode == case["exit"], report.stdout + report.stderr
    document = report.json()
    found = [(p["code"], p["severity"], p["file"], p["line"], p["column"]) for p in document["problems"]]
    assert found == expected
    assert document["valid"] is (case["exit"] == 0)
    for want, got in zip(case["problems"], document["problems"], strict=True):
        assert want.get("message", "") in got["message"]
        if "related" in want:
            related = [f"{r['file']}:{r['line']}:{r['column']}" for r in got["related"]]
            assert related == want["related"]

    text = run_case(azconf, case, root, "text")
    assert text.returncode == case["exit"]
    for code, severity, file, line, column in expected:
        where = f"{file}:{line}:{column}" if line else file
        assert f"{where}: {severity} {code} " in text.stdout, text.stdout


def test_every_file_of_the_corpus_is_a_case() -> None:
    used = {case["file"] for case in CASES if "file" in case}
    present = {path.name for path in CORPUS.glob("*.yaml")} - {"expected.yaml"}
    assert present == used


def test_the_corpus_covers_every_front_end_code() -> None:
    codes = {problem["code"] for case in CASES for problem in case["problems"]}
    front_end = {f"AZC01{n:02d}" for n in range(1, 17)}
    model = {"AZC0201", "AZC0202", "AZC0203", "AZC0204", "AZC0301", "AZC0302", "AZC0303"}
    flags_and_schemas = {"AZC0401", "AZC0402", "AZC0403", "AZC0404", "AZC0501", "AZC0502", "AZC0601"}
    assert front_end | model | flags_and_schemas <= codes


def test_billion_laughs_stops_fast_in_bounded_memory(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    shutil.copyfile(CORPUS / "billion-laughs.yaml", root / "config" / "base" / "laughs.yaml")
    # A parent of its own, so that the peak RSS of its children is azconf's alone.
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, elapsed, peak)\n"
        "sys.stderr.write(done.stdout + done.stderr)\n"
    )
    argv = [azconf_executable(), "-C", str(root), "validate", "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        preexec_fn=_limit_address_space,
    )
    returncode, elapsed, peak_kib = done.stdout.split()
    assert int(returncode) == 1, done.stderr
    assert '"code": "AZC0112"' in done.stderr
    assert "Traceback" not in done.stderr
    assert float(elapsed) < 5.0
    assert int(peak_kib) < 256 * 1024


def _limit_address_space() -> None:
    # A runaway expansion would hit this limit (MemoryError) instead of the machine's memory.
    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
