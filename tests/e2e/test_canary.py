"""The canary: a secret value that azconf can reach must never come out of azconf.

A random canary value is put where a developer's secrets live: the OS keyring (keyrings.alt's file
backend, through keyring's own configuration) and the shell environment (``env://``). Then every
command of the ``azconf`` CLI runs against a copy of examples/azora whose dev payments service uses
those secrets, including the error paths. Afterwards the canary (raw, base64 and hex) must appear in
no stdout or stderr, and in no file under the test's folder: the project with its rendered output
and its ``.azconf/`` database bytes, HOME, the crash-log folder (XDG_CACHE_HOME) and TMPDIR. The
only exceptions are the keyring's own store, and the file written by the child of ``azconf run``,
which must contain the canary: that proves the secret did flow, and that the scan finds it when it
is there.

Keeping it complete as commands are added
-----------------------------------------
Commands are discovered from the Typer app at test time. Every command gets ``--help``, and every
command with an ``--env`` option also runs with ``--env dev`` and with an unknown environment.
``test_every_command_is_exercised`` fails for a command that got nothing more than ``--help``:
give it real invocations in ``WORKFLOW`` below (steps of commands that do not exist yet are
skipped, so steps for planned commands can be written ahead), or, for a command that cannot run
here, an entry in ``NOT_RUN`` with the reason.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from azconf_e2e import Run
from secrets_e2e import azconf_with_input, isolated_environment, local_dev_project

from azconf.cli.app import app


@dataclass(frozen=True)
class Step:
    """One invocation: the command's name (as discovered), its arguments, stdin, the exit code expected."""

    command: str
    args: tuple[str, ...]
    stdin: str = ""
    expect: int | None = None  # None: any exit code but a crash (3)
    project: str = "project"  # "project" (the local dev copy) or "broken" (the error-path copy)
    known_leak: str = ""  # why this step is known to leak today; see test_known_leaks_are_fixed


def step(
    command: str,
    *args: str,
    stdin: str = "",
    expect: int | None = None,
    project: str = "project",
    known_leak: str = "",
) -> Step:
    return Step(command, (*command.split(), *args), stdin, expect, project, known_leak)


# A leak found by this test and not fixed yet. The step still runs; its leak is reported by an
# expected failure, which turns into a real failure once the leak is gone (then drop the mark).

# The workflow, in order. "{canary}" and "{proof}" are filled in at run time.
CHILD = (
    "import os, sys; "
    "open(sys.argv[1], 'w').write(os.environ['DB_PASSWORD'] + ' ' + os.environ['STRIPE_API_KEY'])"
)
WORKFLOW = [
    # The test keyring is a plaintext file (the keyring's own store is not scanned): allowed explicitly.
    step(
        "secrets set",
        "keyring://azora/db-password",
        "--allow-insecure-keyring",
        stdin="{canary}\n",
        expect=0,
    ),
    step("init", "{tmp}/init-target", expect=0),
    step("validate", expect=0),
    *(step("validate", "--format", f) for f in ("json", "github", "sarif")),
    step("validate", "--verbose", expect=0),
    step("validate", "--strict", expect=1),
    step("show", "--env", "dev", expect=0),
    step("show", "--env", "dev", "secrets", "--format", "json", expect=0),
    step("show", "--env", "dev", "services.payments.env", expect=0),
    step("explain", "--env", "dev", "secrets.payments-db-password", expect=0),
    step("explain", "--env", "dev", "services.payments.env.DB_PASSWORD", "--format", "json", expect=0),
    step("explain", "--env", "no-such-env", "secrets", expect=2),
    step("explain-code", "AZC0702", expect=0),
    step("schema export", "--check"),
    step("secrets list", "--env", "dev", expect=0),
    step("secrets list", "--env", "dev", "--format", "json", expect=0),
    step("secrets check", "--env", "dev", expect=0),
    step("secrets check", "--env", "dev", "--format", "json", expect=0),
    step(
        "run", "--env", "dev", "--service", "payments", "--", sys.executable, "-c", CHILD, "{proof}", expect=0
    ),
    step("run", "--env", "dev", "--service", "web", "--", "true", expect=1),  # a Vault secret: refused
    step("run", "--env", "dev", "--service", "paymnts", "--", "true", expect=2),
    step("run", "--env", "no-such-env", "--service", "payments", "--", "true", expect=2),
    # History, edits and promotion: the .azconf/ database and the overlays they write are scanned.
    step("commit", "--message", "canary: first versions"),
    step("commit", "--env", "dev", "--message", "canary: nothing changed"),
    step("set", "dev", "services.payments.replicas", "2", "--yes", "--message", "canary"),
    step("set", "dev", "secrets.payments-db-password", "keyring://azora/db-password-2", "--yes"),
    step("set", "dev", "secrets.payments-db-password", "keyring://azora/db-password", "--yes"),
    # The canary typed as a value: it must be refused as a plaintext secret, not written or echoed.
    step(
        "set",
        "dev",
        "services.payments.env.LEGACY_DB_PASSWORD",
        "{canary}",
        "--string",
        "--yes",
    ),
    step(
        "set",
        "dev",
        "secrets.payments-db-password",
        "{canary}",
        "--string",
        "--yes",
    ),
    step("unset", "dev", "services.payments.replicas", "--yes"),
    step("commit", "--message", "canary: after edits"),
    step("promote", "dev", "staging", "--dry-run"),
    step("promote", "dev", "staging", "--yes", "--message", "canary promotion"),
    step("restore", "staging@latest~1", "--dry-run"),
    step("restore", "dev@1", "--yes", "--message", "canary restore"),
    step("log"),
    step("log", "--env", "dev", "--format", "json"),
    step("audit"),
    step("audit", "--format", "json"),
    step("audit verify"),
    step("doctor"),
    step("doctor", "--format", "json"),
    step("doctor", "dev", "--format", "prometheus"),
    step("alerts", "--all"),
    step("alerts", "--format", "json"),
    step("alerts resolve", "1", "-m", "canary: resolved by hand", expect=0),
    step("diff", "dev", "prod"),
    step("diff", "dev", "prod", "--format", "json"),
    step("diff", "dev@1", "dev"),
    step("diff", "--worktree", "dev"),
    step("render", "--env", "dev"),  # refused today: env:// secrets only resolve on a developer's machine
    step("render", "--env", "prod"),
    step("render", "--env", "prod", "--check"),
    step("render", "--env", "staging"),
    step("render", "--from", "dev@1", "--out", "{tmp}/project/deploy-from-history"),
    # Error paths on a copy with a malformed reference and the canary pasted into the config.
    step("validate", expect=1, project="broken"),
    *(step("validate", "--format", f, expect=1, project="broken") for f in ("json", "github", "sarif")),
    step("validate", "--verbose", expect=1, project="broken"),
    step("secrets list", "--env", "dev", expect=1, project="broken"),
    step("secrets check", "--env", "dev", expect=1, project="broken"),
    step("run", "--env", "dev", "--service", "payments", "--", "true", expect=1, project="broken"),
    step("render", "--env", "dev", project="broken"),
    step("diff", "dev", "prod", project="broken"),
    step("promote", "dev", "staging", "--dry-run", project="broken"),
    step("commit", "--env", "dev", "--message", "broken", project="broken"),
    step("set", "dev", "services.payments.replicas", "3", "--yes", project="broken"),
]

# Commands the canary cannot run, and why. Their --help still runs.
NOT_RUN = {
    "serve": "a long-running server: its own tests scan its HTTP responses for the canary",
}

# The broken copy: the canary pasted where a reference belongs (a reference that does not parse)
# and as a literal env value (a plaintext secret). Both must be reported without being echoed.
BROKEN_DEV_SECRETS = """\
secrets:
  stripe-api-key: env://STRIPE_TEST_API_KEY
  payments-db-password: "{canary}"
  stripe-webhook-secret: vault://kv/azora/payments
"""
# -- discovery -------------------------------------------------------------------------------------


def discovered_commands() -> dict[str, Any]:
    """Every runnable command of the CLI by its full name ("secrets check"), groups walked."""
    found: dict[str, Any] = {}

    def walk(prefix: str, command: Any) -> None:
        subcommands = getattr(command, "commands", None)  # a group (Typer vendors its own click)
        if subcommands is None or (prefix and getattr(command, "invoke_without_command", False)):
            found[prefix] = command  # a command, or a group that also runs on its own (audit)
        for name, sub in (subcommands or {}).items():
            walk(f"{prefix} {name}".strip(), sub)

    walk("", typer.main.get_command(app))
    return found


def generic_steps(name: str, command: Any) -> list[Step]:
    """--help for every command; --env dev and an unknown environment where there is --env."""
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    steps = [step(name, "--help", expect=0)]
    if "--env" in options and name not in NOT_RUN:
        # No expected exit code for the unknown environment: for history filters (log, audit) an
        # environment may have left the manifest and still have versions.
        steps += [step(name, "--env", "dev"), step(name, "--env", "no-such-env")]
    return steps


def planned_steps(commands: dict[str, Any]) -> list[Step]:
    """The workflow's steps of commands that exist, then the generic steps of every command."""
    workflow = [s for s in WORKFLOW if s.command in commands]
    return workflow + [s for name, command in commands.items() for s in generic_steps(name, command)]


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class CanaryRun:
    """Everything the canary test looks at."""

    canary: str
    root: Path  # holds every folder azconf could write to
    keyring_store: Path
    proof: Path
    pasted: list[Path]  # files of the broken copy that hold the canary on purpose
    runs: list[tuple[Step, Run]]


def _broken_project(root: Path, canary: str) -> list[Path]:
    local_dev_project(root)
    secrets_file = root / "config/envs/dev/secrets.yaml"
    services_file = root / "config/envs/dev/services.yaml"
    secrets_file.write_text(BROKEN_DEV_SECRETS.format(canary=canary), encoding="utf-8")
    pasted = f'  payments:\n    env:\n      LEGACY_DB_PASSWORD: "{canary}"\n'
    text = services_file.read_text(encoding="utf-8").replace("  payments:\n", pasted, 1)
    services_file.write_text(text, encoding="utf-8")
    return [secrets_file, services_file]


def _fill(text: str, run: CanaryRun) -> str:
    return (
        text.replace("{canary}", run.canary)
        .replace("{proof}", str(run.proof))
        .replace("{tmp}", str(run.root))
    )


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CanaryRun]:
    root = tmp_path_factory.mktemp("canary")
    canary = "cnry" + secrets.token_hex(20)
    projects = {"project": local_dev_project(root / "project"), "broken": root / "broken"}
    pasted = _broken_project(projects["broken"], canary)
    (root / "tmp").mkdir()
    (root / "proof").mkdir()
    env = isolated_environment(root / "home") | {
        "HOME": str(root / "home"),
        "TMPDIR": str(root / "tmp"),
        "STRIPE_TEST_API_KEY": canary,  # env://STRIPE_TEST_API_KEY
        "STRIPE_WEBHOOK_SECRET": canary,  # env://STRIPE_WEBHOOK_SECRET
    }
    run = CanaryRun(canary, root, root / "home" / "data", root / "proof" / "child.txt", pasted, [])
    for planned in planned_steps(discovered_commands()):
        args = [_fill(arg, run) for arg in planned.args]
        done = azconf_with_input(
            "-C", projects[planned.project], *args, env=env, stdin=_fill(planned.stdin, run).encode()
        )
        run.runs.append((planned, done))
    yield run
    shutil.rmtree(root, ignore_errors=True)


# -- scanning --------------------------------------------------------------------------------------


def forms(canary: str) -> dict[str, bytes]:
    """The canary as bytes, and the encodings a careless serialiser might use."""
    raw = canary.encode()
    return {
        "raw": raw,
        "base64": base64.b64encode(raw),
        "base64url": base64.urlsafe_b64encode(raw),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
    }


def found_in(data: bytes, canary: str) -> list[str]:
    """Which forms of the canary ``data`` contains."""
    return [name for name, needle in forms(canary).items() if needle in data]


def scanned_files(run: CanaryRun) -> Iterator[Path]:
    excluded = [run.keyring_store, run.proof, *run.pasted]
    for path in sorted(run.root.rglob("*")):
        if path.is_file() and not any(path == e or e in path.parents for e in excluded):
            yield path


# -- the tests -------------------------------------------------------------------------------------


def test_the_workflow_ran_as_expected(canary_run: CanaryRun) -> None:
    wrong = [
        f"azconf {' '.join(s.args)} [{s.project}]: exit {r.returncode}, expected {s.expect}\n{r.stderr}"
        for s, r in canary_run.runs
        if s.expect is not None and r.returncode != s.expect
    ]
    assert wrong == []


def test_the_child_of_azconf_run_got_the_canary(canary_run: CanaryRun) -> None:
    # The secret did flow where it should, and the scan notices it where it is.
    assert canary_run.proof.read_text(encoding="utf-8") == f"{canary_run.canary} {canary_run.canary}"
    assert found_in(canary_run.proof.read_bytes(), canary_run.canary) == ["raw"]
    # The keyring store really holds it (base64 is how PlaintextKeyring writes it).
    store = b"".join(p.read_bytes() for p in canary_run.keyring_store.rglob("*") if p.is_file())
    assert "base64" in found_in(store, canary_run.canary)


def output_leaks(run: CanaryRun, *, known: bool) -> list[str]:
    """``azconf ARGS stream: forms`` for each output holding the canary, of known leaks or of others."""
    return [
        f"azconf {' '.join(s.args)} [{s.project}] {stream}: {found}"
        for s, r in run.runs
        if bool(s.known_leak) == known
        for stream, text in (("stdout", r.stdout), ("stderr", r.stderr))
        if (found := found_in(text.encode(), run.canary))
    ]


def test_no_output_contains_the_canary(canary_run: CanaryRun) -> None:
    assert output_leaks(canary_run, known=False) == []


def test_known_leaks_are_fixed(canary_run: CanaryRun) -> None:
    assert output_leaks(canary_run, known=True) == []


def test_no_file_contains_the_canary(canary_run: CanaryRun) -> None:
    files = list(scanned_files(canary_run))
    commands = discovered_commands()
    # Make sure the scan covers what the commands write, not an empty folder.
    assert any(".azconf" in p.parts for p in files) or "commit" not in commands, "no .azconf/ to scan"
    assert any("deploy" in p.parts for p in files) or "render" not in commands, "no rendered files to scan"
    leaks = [
        f"{p.relative_to(canary_run.root)}: {found}"
        for p in files
        if (found := found_in(p.read_bytes(), canary_run.canary))
    ]
    assert leaks == []


def test_every_command_is_exercised(canary_run: CanaryRun) -> None:
    ran = {s.command for s, _ in canary_run.runs if "--help" not in s.args}
    missing = sorted(set(discovered_commands()) - ran - set(NOT_RUN))
    assert missing == [], (
        f"the canary test does not run {missing} beyond --help: add steps to WORKFLOW "
        "in tests/e2e/test_canary.py (or an entry in NOT_RUN with the reason)"
    )


def test_the_error_paths_were_reported(canary_run: CanaryRun) -> None:
    broken = {" ".join(s.args): r for s, r in canary_run.runs if s.project == "broken"}
    validate = broken["validate"].stdout
    assert "AZC0701 secrets.payments-db-password" in validate
    assert "AZC0702 services.payments.env.LEGACY_DB_PASSWORD" in validate
    assert "AZC0701 secrets.stripe-webhook-secret" in validate
    for command in ("show", "explain", "secrets list", "secrets check", "run"):
        stderrs = [r.stderr for s, r in canary_run.runs if s.command == command and "no-such-env" in s.args]
        assert any('unknown environment "no-such-env"' in e for e in stderrs), command


# -- secret-shaped text typed where a value, key or name belongs -----------------------------------
#
# A GitHub token and an AWS access key ID pasted by mistake into 23 positions of a config (and of the
# command line) must be masked in every message that quotes them: validate in every format, render,
# commit, diff, show and explain. The canary above is random text, which no detector recognises;
# these have the shapes azconf's detector knows, which is what lets messages mask them.

SHAPED_POSITIONS = {
    # position -> (file under config/base, YAML text with {gh} and {aws} for the tokens)
    "services": (
        "canary-services.yaml",
        """\
services:
  canary-a:
    image: ghcr.io/azora/canary:1
    replicas: {gh}                  # 1 an integer field
    port: {aws}                     # 2 a port
    {gh}: 1                         # 3 an unknown key
    flags: [{gh}]                   # 4 an unknown flag
    secrets: [{aws}]                # 5 an unknown secret
    routes: [{gh}]                  # 6 an unknown route
  {aws}:                            # 7 a service name that is no DNS label
    image: {gh}                     # 8 an image
    port: 80
""",
    ),
    "routes": (
        "canary-routes.yaml",
        """\
routes:
  canary-r:
    path: {gh}                      # 9 a route path
    service: {aws}                  # 10 an unknown service
    methods: [{gh}]                 # 11 a method
    auth: {aws}                     # 12 an auth mode
    timeout_seconds: {gh}           # 13 a timeout
    rate_limit: {{rate: {aws}, per: 1}}  # 14 a rate
""",
    ),
    "flags": (
        "canary-flags.yaml",
        """\
flags:
  canary-f:
    state: {gh}                     # 15 a flag state
    variants: {{"on": true, "off": false}}
    defaultVariant: {aws}           # 16 an unknown variant
""",
    ),
    "settings": (
        "canary-settings.yaml",
        """\
settings:
  region: {gh}                      # 17 a value the settings schema's pattern refuses
  maintenance_mode: {aws}           # 18 a value of the wrong type
  {gh}: 1                           # 19 a key the settings schema does not allow
""",
    ),
    "duplicate": ("canary-duplicate.yaml", "settings:\n  {aws}: 1\n  {aws}: 2   # 20 a duplicate key\n"),
    "tag": ("canary-tag.yaml", "settings:\n  tagged: !{gh} x   # 21 a tag\n"),
    "secret": ("canary-secret.yaml", "secrets:\n  canary-s: {gh}   # 22 a reference that is a token\n"),
}
# 23: an environment name (and a config path) on the command line.
SHAPED_STEPS = [
    ("validate",),
    ("validate", "--format", "json"),
    ("validate", "--format", "github"),
    ("validate", "--format", "sarif"),
    ("validate", "--env", "{gh}"),
    ("render", "--env", "prod", "--out", "{tmp}/out"),
    ("render", "--env", "{aws}"),
    ("commit", "-m", "canary"),
    ("diff", "dev", "prod"),
    ("diff", "{gh}", "prod"),
    ("show", "--env", "{aws}"),
    ("show", "--env", "prod", "services.{gh}"),
    ("explain", "--env", "prod", "settings.{gh}"),
]
# In a valid project, a token as a name azconf accepts: an environment variable's, in prod.
VALID_ANCHOR = "  web:\n    replicas: 6\n"
VALID_ENV = '    env:\n      {gh}: "1"\n'

VALID_STEPS = [
    ("commit", "-m", "canary"),
    ("diff", "dev", "prod"),
    ("diff", "dev", "prod", "--format", "json"),
    ("render", "--env", "prod", "--out", "{tmp}/valid-out"),
    ("diff", "prod@1", "prod"),
    ("log",),
    ("audit",),
    ("explain", "--env", "prod", "services.web.env"),
    ("explain", "--env", "prod", "services.web.env", "--format", "json"),
]


def shaped_tokens() -> dict[str, str]:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    gh = "ghp_" + "".join(secrets.choice(alphabet) for _ in range(36))
    aws = "AKIA" + "".join(secrets.choice(alphabet[:26] + alphabet[52:]) for _ in range(16))
    return {"gh": gh, "aws": aws}


@pytest.fixture(scope="module")
def shaped_runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Run]]:
    root = tmp_path_factory.mktemp("shaped")
    tokens = shaped_tokens() | {"tmp": str(root)}
    env = isolated_environment(root / "home") | {"AZCONF_DB": str(root / "history.db")}
    broken = local_dev_project(root / "broken")
    for file, text in SHAPED_POSITIONS.values():
        (broken / "config" / "base" / file).write_text(text.format(**tokens), encoding="utf-8")
    valid = local_dev_project(root / "valid")
    services = valid / "config" / "envs" / "prod" / "services.yaml"
    text = services.read_text(encoding="utf-8")
    assert VALID_ANCHOR in text
    services.write_text(text.replace(VALID_ANCHOR, VALID_ANCHOR + VALID_ENV.format(**tokens), 1))
    runs = []
    for project, steps, db in ((broken, SHAPED_STEPS, "broken.db"), (valid, VALID_STEPS, "valid.db")):
        for args in steps:
            filled = [arg.format(**tokens) for arg in args]
            done = azconf_with_input("-C", project, *filled, env=env | {"AZCONF_DB": str(root / db)})
            runs.append((" ".join(args), done))
    runs.append(("tokens", Run((), 0, tokens["gh"], tokens["aws"], 0.0)))
    return runs


def test_secret_shaped_text_is_masked_in_every_message(shaped_runs: list[tuple[str, Run]]) -> None:
    *runs, (_, tokens) = shaped_runs
    leaks = [
        f"azconf {args}: {stream}"
        for args, run in runs
        for stream, text in (("stdout", run.stdout), ("stderr", run.stderr))
        if tokens.stdout in text or tokens.stderr in text
    ]
    assert leaks == []


def test_the_shaped_positions_were_reported_masked(shaped_runs: list[tuple[str, Run]]) -> None:
    runs = dict(shaped_runs[:-1])
    validate = runs["validate"].stdout
    assert validate.count("ghp_…(40 chars)") >= 8 and validate.count("AKIA…(20 chars)") >= 5, validate
    for file, _ in SHAPED_POSITIONS.values():
        assert f"config/base/{file}:" in validate, file
    assert 'unknown environment "ghp_…(40 chars)"' in runs["validate --env {gh}"].stderr
    assert "services.web.env.ghp_…(40 chars)" in runs["diff dev prod"].stdout
