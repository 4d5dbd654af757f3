"""Benchmarks of azconf against the floors it is measured by, side by side in one run.

    python benchmarks/run.py [--preset large] [--runs 5] [--azconf PATH] [--case NAME] [--json FILE]

Each case is a few commands timed in fresh child processes, interleaved round by round so that
drift on the machine hits every command alike, plus the ratios that have targets. Wall time is
measured around the child; peak memory is the child's own ``ru_maxrss`` as reported by ``os.wait4``
for that child (the largest resident set of the process or of any child it waited for). To add a
benchmark, write a function that returns its commands and add a :class:`Case` to ``CASES``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import corpus

HERE = Path(__file__).resolve().parent
CORPUS_ROOT = HERE / ".corpus"
RESULT_FORMAT = "azconf-bench/1"

# The floor of validate: what the plainest Python program does with the same files, run as azconf
# runs (the cyclic GC off): read every YAML file once with libyaml's C loader, merge each
# environment's layers (maps by key, the rest replaced), and write each environment as JSON. A
# floor, not a rival: it checks nothing and knows no provenance.
FLOOR_CODE = """\
import gc, json, pathlib, sys, yaml
gc.disable()
root = pathlib.Path(sys.argv[1])
def load(path):
    return yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader) or {}
def merge(base, top):
    if not (isinstance(base, dict) and isinstance(top, dict)):
        return top
    merged = dict(base)
    for key, value in top.items():
        merged[key] = merge(base[key], value) if key in base else value
    return merged
manifest = load(root / "azconf.yaml")
parsed = {}
for env in manifest["environments"]:
    data = {}
    for layer in manifest["layers"]:
        folder = root / layer.replace("{env}", env)
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path.suffix in (".yaml", ".yml"):
                if path not in parsed:
                    parsed[path] = load(path)
                data = merge(data, parsed[path])
    json.dumps(data, default=str)
"""
FLOOR = "floor: load, merge, dump (CSafeLoader)"

TYPER_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
'''


class BenchError(Exception):
    """A problem that stops the run; printed as one message."""


# --------------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Command:
    """One command to time; ``azconf`` marks the ones that run the tool under test."""

    label: str
    argv: list[str]
    azconf: bool = False
    # Forks a worker for the second core: its wall time holds only where that core is idle; on a
    # busy machine compare CPU time (the worker costs CPU and buys no wall time there).
    idle_core: bool = False
    ok_codes: tuple[int, ...] = (0,)
    hint: str = ""  # printed when the command fails


@dataclass(frozen=True)
class Ratio:
    """``numerator`` median / ``denominator`` median; ``target`` is the highest acceptable value."""

    numerator: str
    denominator: str
    target: float | None = None

    @property
    def name(self) -> str:
        return f"{self.numerator} / {self.denominator}"


@dataclass
class Context:
    """What cases build their commands from."""

    python: str  # the interpreter for floors and reference programs
    azconf: list[str]  # the argv prefix that runs azconf ([] with --baselines-only)
    corpus: Path | None  # the generated corpus, when a selected case needs one
    environments: list[str]  # the corpus's environments, in promotion order
    scratch: Path  # a temporary folder, removed after the run
    kustomize: bool = True  # time kubectl kustomize beside render


@dataclass(frozen=True)
class Case:
    """A named benchmark: commands timed side by side, and the ratios between them that matter."""

    name: str
    title: str
    commands: Callable[[Context], list[Command]]
    ratios: tuple[Ratio, ...] = ()
    needs_corpus: bool = False
    memory: bool = False  # show peak RSS in the table


def validate_commands(ctx: Context) -> list[Command]:
    assert ctx.corpus is not None
    root = str(ctx.corpus)
    return [
        Command(
            "azconf validate",
            [*ctx.azconf, "-C", root, "validate"],
            azconf=True,
            idle_core=True,
            hint="the generated corpus is meant to be valid: a problem here is a bug in "
            "benchmarks/corpus.py or in azconf",
        ),
        Command(FLOOR, [ctx.python, "-c", FLOOR_CODE, root]),
    ]


def startup_commands(ctx: Context) -> list[Command]:
    app = ctx.scratch / "typer_app.py"
    app.write_text(TYPER_APP, encoding="utf-8")
    return [
        Command("azconf --help", [*ctx.azconf, "--help"], azconf=True),
        Command("azconf --version", [*ctx.azconf, "--version"], azconf=True),
        Command("python -c pass", [ctx.python, "-c", "pass"]),
        Command("minimal Typer app --help", [ctx.python, str(app), "--help"]),
    ]


# Resolving environments through azconf's own API, and nothing else: the floor of diff and render.
RESOLVE_CODE = """
import sys
from pathlib import Path
from azconf.config.project import load_project
from azconf.config.resolve import Resolver
project, _ = load_project(Path(sys.argv[1]))
resolver = Resolver(project)
for env in sys.argv[2:]:
    resolver.resolve(env)
"""


def diff_commands(ctx: Context) -> list[Command]:
    assert ctx.corpus is not None
    root, first, last = str(ctx.corpus), ctx.environments[0], ctx.environments[-1]
    return [
        Command(
            f"azconf diff {first} {last} --stat",
            [*ctx.azconf, "-C", root, "diff", first, last, "--stat"],
            azconf=True,
        ),
        Command(
            f"azconf diff {first} {last} --format json",
            [*ctx.azconf, "-C", root, "diff", first, last, "--format", "json"],
            azconf=True,
        ),
        Command(f"resolve {first} and {last}", [ctx.python, "-c", RESOLVE_CODE, root, first, last]),
    ]


def render_commands(ctx: Context) -> list[Command]:
    assert ctx.corpus is not None
    root, out = str(ctx.corpus), ctx.scratch / "rendered"
    # Renders are recorded in history: keep that out of the cached corpus (the history case copies it).
    db = f"AZCONF_DB={ctx.scratch / 'render-history.db'}"
    every_env = ["env", db, *ctx.azconf, "-C", root, "render", "--out", str(out / "{env}")]
    # The same output, one process per environment: what a pipeline that renders each env does.
    one_by_one = "; ".join(
        f"{db} {' '.join(ctx.azconf)} -C {root} render --env {env} --out {out / env} >/dev/null"
        for env in ctx.environments
    )
    kustomize = "; ".join(
        f"kubectl kustomize {out / env / 'kubernetes'} >/dev/null" for env in ctx.environments
    )
    commands = [
        Command("azconf render (all targets, every env)", every_env, azconf=True, idle_core=True),
        Command(
            "azconf render --env E, once per env",
            ["bash", "-c", f"set -e; {one_by_one}"],
            azconf=True,
            idle_core=True,
        ),
        Command("resolve every env", [ctx.python, "-c", RESOLVE_CODE, root, *ctx.environments]),
        Command(
            "azconf validate (every env)", [*ctx.azconf, "-C", root, "validate"], azconf=True, idle_core=True
        ),
    ]
    if ctx.kustomize:  # about a minute a run on the large corpus
        commands.append(Command("kubectl kustomize (every env)", ["bash", "-c", f"set -e; {kustomize}"]))
    return commands


PROMOTE_SIZES = (300, 3000)


def promote_commands(ctx: Context) -> list[Command]:
    """Plans of promotions that change 300 and 3,000 values (planning must be linear): the
    description and the owner of 150 and of 1,500 flags.

    The changed paths are named on the command line: the corpus's other flag differences between
    the two environments stay out of the plan.
    """
    assert ctx.corpus is not None
    src, dst = ctx.environments[-2], ctx.environments[-1]
    commands = []
    for size in PROMOTE_SIZES:
        copy = ctx.scratch / f"promote-{size}"
        shutil.copytree(ctx.corpus, copy, ignore=shutil.ignore_patterns(".azconf"))
        # A flag is defined once per layer, and the destination may delete some: use the others.
        overridden = {name for env in (src, dst) for name in _flag_names(copy / "config" / "envs" / env)}
        flags = [
            name
            for name in _flag_names(copy / "config" / "base", long_form_only=True)
            if name not in overridden
        ][: size // 2]
        entries = (
            f"  {json.dumps(name)}:\n    description: promoted\n    owner: team-bench" for name in flags
        )
        (copy / "config" / "envs" / src / "bench-promote.yaml").write_text(
            "flags:\n" + "\n".join(entries) + "\n"
        )
        paths = [f"flags.{json.dumps(name)}.{key}" for name in flags for key in ("description", "owner")]
        argv = [*ctx.azconf, "-C", str(copy), "promote", src, dst, *paths, "--dry-run"]
        commands.append(Command(f"azconf promote: plan {size:,} changes", argv, azconf=True))
    return commands


def _flag_names(folder: Path, *, long_form_only: bool = False) -> list[str]:
    """The names of the flags a layer folder defines (only those not written ``name: true``), in order."""
    names: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        flags = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("flags") or {}
        names += [name for name, flag in flags.items() if isinstance(flag, dict) or not long_form_only]
    return names


# Figures a case computes while setting up (beyond wall times), by case name: printed by the case,
# added to its JSON record, and their ratios count towards --fail-on-target.
EXTRAS: dict[str, dict[str, Any]] = {}
HISTORY_COMMITS = 1000


def history_commands(ctx: Context) -> list[Command]:
    """1,000 commits of prod in a copy of the corpus (history_bench.py), then show of old and new versions."""
    assert ctx.corpus is not None
    if not ctx.azconf:
        return []
    env = "prod" if "prod" in ctx.environments else ctx.environments[-1]
    copy = ctx.scratch / "history-corpus"
    shutil.copytree(ctx.corpus, copy, ignore=shutil.ignore_patterns(".azconf"))  # no history from elsewhere
    figures_file = ctx.scratch / "history.json"
    script = [str(HERE / "history_bench.py"), str(copy), "--env", env, "--commits", str(HISTORY_COMMITS)]
    print(f"history: building {HISTORY_COMMITS:,} versions of {env} (history_bench.py) ...", file=sys.stderr)
    done = subprocess.run(
        [sys.executable, *script, "--json", str(figures_file)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"history_bench.py failed (azconf must be importable here):\n{indent(done.stderr)}")
    figures = json.loads(figures_file.read_text(encoding="utf-8"))
    print(f"history: setup\n{done.stdout.rstrip()}\n")
    ratio = figures["database_to_unique_content"]
    EXTRAS["history"] = {
        "figures": figures,
        "ratios": [{"name": "database / unique content", "value": ratio, "target": 2.0, "met": ratio <= 2.0}],
    }

    def azconf(label: str, *args: str) -> Command:
        return Command(label, [*ctx.azconf, "-C", str(copy), *args], azconf=True)

    last, early = f"{env}@{HISTORY_COMMITS}", f"{env}@10"
    return [
        azconf(f"azconf show {last}", "show", "--env", last),
        azconf(f"azconf show {early}", "show", "--env", early),
        azconf(f"azconf log {env} (first 20)", "log", "--env", env, "--limit", "20"),
        azconf(f"azconf show {env} (working tree)", "show", "--env", env),
    ]


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        Case(
            "validate",
            "validate every environment of the corpus",
            validate_commands,
            (Ratio("azconf validate", FLOOR, 1.5),),
            needs_corpus=True,
            memory=True,
        ),
        Case(
            "history",
            f"{HISTORY_COMMITS:,} commits of prod, ~1% of items changed each; show of version 1,000 vs 10",
            history_commands,
            (
                Ratio(f"azconf show prod@{HISTORY_COMMITS}", "azconf show prod@10", 1.2),
                Ratio(f"azconf show prod@{HISTORY_COMMITS}", "azconf show prod (working tree)"),
            ),
            needs_corpus=True,
        ),
        Case(
            "diff",
            "semantic diff of the first and last environments of the corpus",
            diff_commands,
            (
                Ratio("azconf diff dev prod --stat", "resolve dev and prod", 2.0),
                Ratio("azconf diff dev prod --format json", "resolve dev and prod"),
            ),
            needs_corpus=True,
        ),
        Case(
            "render",
            "render every target for every environment (kubectl kustomize side by side)",
            render_commands,
            (
                Ratio("azconf render (all targets, every env)", "resolve every env", 2.0),
                Ratio("azconf render (all targets, every env)", "azconf validate (every env)"),
                Ratio("azconf render --env E, once per env", "resolve every env"),
                Ratio("kubectl kustomize (every env)", "resolve every env"),
                Ratio("kubectl kustomize (every env)", "azconf render (all targets, every env)"),
            ),
            needs_corpus=True,
        ),
        Case(
            "promote",
            "planning a promotion of 300 and of 3,000 changes (linear: at most 12x)",
            promote_commands,
            (Ratio("azconf promote: plan 3,000 changes", "azconf promote: plan 300 changes", 12.0),),
            needs_corpus=True,
        ),
        Case(
            "startup",
            "start-up of the CLI",
            startup_commands,
            (
                Ratio("azconf --help", "minimal Typer app --help", 1.0),
                Ratio("azconf --help", "python -c pass"),
                Ratio("azconf --version", "python -c pass"),
                Ratio("azconf --version", "minimal Typer app --help"),
            ),
        ),
    )
}


# --------------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Sample:
    """The runs of one command."""

    command: Command
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system time of the command's process tree
    maxrss_kib: list[int] = field(default_factory=list)
    launcher_maxrss_kib: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "argv": self.command.argv,
            "wall_s": [round(w, 6) for w in self.wall],
            "median_s": round(statistics.median(self.wall), 6),
            "min_s": round(min(self.wall), 6),
            "max_s": round(max(self.wall), 6),
            "cpu_s": [round(c, 6) for c in self.cpu],
            "median_cpu_s": round(statistics.median(self.cpu), 6),
            "maxrss_kib": self.maxrss_kib,
            "median_maxrss_kib": statistics.median(self.maxrss_kib) if self.maxrss_kib else None,
            "launcher_maxrss_kib": self.launcher_maxrss_kib,
        }


@dataclass
class Run:
    """One child process: wall time, peak RSS, exit code and the start of its output."""

    wall: float
    cpu: float
    maxrss_kib: int
    launcher_maxrss_kib: int
    returncode: int
    output: str


# Each command runs under a fresh, small launcher (``python -I -S``: no site, no imports beyond os,
# time and resource) that times it and takes its rusage from ``os.wait4``. Why not spawn from this
# process: on Linux a child's ru_maxrss starts at its parent's high-water mark (the kernel records
# the old memory map's peak at exec), so children of this process, which holds a generated corpus,
# would all report at least this process's peak. The launcher's own peak (VmHWM, about 8 MiB) is
# recorded too: an RSS at or below it is a bound, not a measurement.
LAUNCHER_CODE = """\
import os, sys, time
result, argv = sys.argv[1], sys.argv[2:]
try:  # the peak of this memory map, which the child inherits (Linux)
    with open("/proc/self/status") as status_file:
        own = next(int(line.split()[1]) for line in status_file if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(result, "w") as out:
    cpu = usage.ru_utime + usage.ru_stime  # the child and every process it waited for
    out.write(f"{wall!r} {cpu!r} {usage.ru_maxrss} {own} {os.waitstatus_to_exitcode(status)}")
"""


def run_once(argv: list[str], env: dict[str, str], scratch: Path) -> Run:
    """Run ``argv`` in a fresh child of a fresh launcher; see ``LAUNCHER_CODE``."""
    result = scratch / "result.txt"
    result.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER_CODE, str(result), *argv]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(
            launcher,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
        out.seek(0)
        output = out.read(4000).decode("utf-8", errors="replace")
    if proc.returncode != 0 or not result.is_file():
        raise BenchError(f"cannot run {argv[0]}:\n{indent(output)}")
    wall, cpu, rss, own, code = result.read_text(encoding="utf-8").split()
    scale = 1024 if sys.platform == "darwin" else 1  # ru_maxrss is in bytes on macOS, KiB elsewhere
    return Run(float(wall), float(cpu), int(rss) // scale, int(own) // scale, int(code), output)


def measure(
    commands: list[Command], runs: int, warmup: int, env: dict[str, str], scratch: Path
) -> dict[str, Sample]:
    """Warm up, check exit codes, then time ``runs`` interleaved rounds of all commands."""
    samples = {c.label: Sample(c) for c in commands}
    for command in commands:
        for _ in range(max(1, warmup)):
            result = run_once(command.argv, env, scratch)
            if result.returncode not in command.ok_codes:
                shown = " ".join(a if len(a) <= 60 else a[:40] + "..." for a in command.argv)
                hint = f"\n  ({command.hint})" if command.hint else ""
                raise BenchError(
                    f"{command.label!r} exited with {result.returncode} "
                    f"(expected {', '.join(map(str, command.ok_codes))}):\n"
                    f"  $ {shown}\n{indent(result.output)}{hint}"
                )
    for _ in range(runs):
        for command in commands:
            result = run_once(command.argv, env, scratch)
            sample = samples[command.label]
            sample.wall.append(result.wall)
            sample.cpu.append(result.cpu)
            sample.maxrss_kib.append(result.maxrss_kib)
            sample.launcher_maxrss_kib = max(sample.launcher_maxrss_kib, result.launcher_maxrss_kib)
    return samples


def indent(text: str, prefix: str = "    ") -> str:
    lines = text.rstrip().splitlines()[:25]
    return "\n".join(prefix + line for line in lines) or prefix + "(no output)"


# --------------------------------------------------------------------------------------------------
# The corpus cache


def ensure_corpus(preset: str, seed: int, regenerate: bool) -> tuple[Path, dict[str, Any]]:
    """The corpus for ``preset`` and ``seed`` under benchmarks/.corpus/, generated when missing.

    A stamp next to it records the preset, the seed and a hash of corpus.py; any change regenerates.
    """
    target = CORPUS_ROOT / preset
    stamp_path = CORPUS_ROOT / f"{preset}.stamp.json"
    fingerprint = {
        "preset": preset,
        "seed": seed,
        "generator": corpus.GENERATOR_VERSION,
        "source_sha256": hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest(),
    }
    if not regenerate and target.is_dir() and stamp_path.is_file():
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if stamp.get("fingerprint") == fingerprint:
            return target, stamp["stats"]
    print(f"generating the {preset} corpus (seed {seed}) in {target} ...", file=sys.stderr)
    CORPUS_ROOT.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{preset}-", dir=CORPUS_ROOT))
    try:
        stats = corpus.generate(staging / "repo", preset, seed).to_dict()
        stats["root"] = str(target)
        stamp_path.unlink(missing_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        (staging / "repo").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stamp_path.write_text(
        json.dumps({"fingerprint": fingerprint, "stats": stats}, indent=2) + "\n", encoding="utf-8"
    )
    return target, stats


# --------------------------------------------------------------------------------------------------
# Finding azconf


def find_azconf(explicit: str | None) -> list[str] | None:
    """The argv prefix that runs azconf: --azconf, else next to this Python, else on PATH."""
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BenchError(f"--azconf {explicit}: not an executable file")
        return [str(path.resolve())]
    beside = Path(sys.executable).parent / "azconf"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("azconf")
    return [found] if found else None


# --------------------------------------------------------------------------------------------------
# Reporting


def compile_bytecode(pythons: list[str]) -> None:
    """Compile azconf's modules for each interpreter in ``pythons``, as installing a wheel does.

    An editable install has no bytecode until a run writes it, and where PYTHONDONTWRITEBYTECODE is
    set (some CI images, this project's build machines) no run ever does: every command would
    compile each module it imports, which a user's installed azconf never does. An install that
    cannot be written to is measured as it is, with a note.
    """
    for python in dict.fromkeys(pythons):
        where = subprocess.run(
            [python, "-c", "import azconf, pathlib; print(pathlib.Path(azconf.__file__).parent)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if where.returncode != 0:
            continue  # this interpreter has no azconf (the floors' Python may not)
        done = subprocess.run([python, "-m", "compileall", "-q", where.stdout.strip()], check=False)
        if done.returncode != 0:
            print(f"note: could not compile azconf's bytecode for {python}", file=sys.stderr)


def interpreter_of(executable: str) -> str | None:
    """The Python that a console script runs (its ``#!`` line), or None."""
    try:
        with open(executable, "rb") as script:
            first = script.readline(4096)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return words[0] if words and "python" in Path(words[0]).name else None


def ratio_value(ratio: Ratio, samples: dict[str, Sample]) -> float | None:
    if ratio.numerator not in samples or ratio.denominator not in samples:
        return None
    return statistics.median(samples[ratio.numerator].wall) / statistics.median(
        samples[ratio.denominator].wall
    )


def fmt_seconds(value: float) -> str:
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def print_header(args: argparse.Namespace, stats: dict[str, Any] | None, azconf: list[str] | None) -> None:
    print(
        f"azconf benchmarks: median of {args.runs} runs per command, preset {args.preset}, "
        f"seed {args.seed}; Python {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"azconf: {' '.join(azconf) if azconf else '(not used: --baselines-only)'}")
    if stats:
        base = stats["base_items"]
        print(
            f"corpus: {stats['root']}: {stats['files']:,} files ({stats['yaml_files']:,} YAML), "
            f"{stats['bytes']:,} bytes, {stats['items']:,} items "
            f"({base['flags']:,} flags, {base['services']:,} services, {base['routes']:,} routes, "
            f"{base['secrets']:,} secrets), environments: {', '.join(stats['environments'])}"
        )
    print()


def print_case(case: Case, samples: dict[str, Sample]) -> list[dict[str, Any]]:
    """Print one case's table and its ratios; return the ratios as data."""
    print(f"{case.name}: {case.title}")
    width = max(len(label) for label in samples) + 2
    head = f"  {'command':<{width}}{'median':>10}{'min':>10}{'max':>10}{'CPU':>10}"
    print(head + (f"{'peak RSS':>12}" if case.memory else ""))
    marks: list[bool] = []
    for label, sample in samples.items():
        line = (
            f"  {label:<{width}}{fmt_seconds(statistics.median(sample.wall)):>10}"
            f"{fmt_seconds(min(sample.wall)):>10}{fmt_seconds(max(sample.wall)):>10}"
            f"{fmt_seconds(statistics.median(sample.cpu)):>10}"
        )
        marks.append(sample.command.idle_core)
        if case.memory:
            peak = max(sample.maxrss_kib)
            bound = "*" if peak <= sample.launcher_maxrss_kib else " "
            line += f"{peak / 1024:>8,.1f} MiB{bound}"
        print(line + ("   [wall: needs an idle 2nd core]" if marks[-1] else ""))
    results = []
    for ratio in case.ratios:
        value = ratio_value(ratio, samples)
        if value is None:
            continue
        met = None if ratio.target is None else value <= ratio.target
        verdict = "" if met is None else f"   target <= {ratio.target:.2f}x: {'met' if met else 'MISSED'}"
        cpu = statistics.median(samples[ratio.numerator].cpu) / max(
            statistics.median(samples[ratio.denominator].cpu), 1e-9
        )
        print(f"  ratio {ratio.name}: {value:.2f}x{verdict}   (CPU time: {cpu:.2f}x)")
        results.append(
            {
                "name": ratio.name,
                "value": round(value, 4),
                "cpu_value": round(cpu, 4),
                "target": ratio.target,
                "met": met,
            }
        )
    print()
    return results


# The README's speed table: (case, command, reference command, what the row says).
README_ROWS = (
    ("validate", "azconf validate", FLOOR, "`validate`, all 4 environments"),
    ("diff", "azconf diff dev prod --stat", "resolve dev and prod", "`diff dev prod --stat`"),
    (
        "history",
        f"azconf show prod@{HISTORY_COMMITS}",
        "azconf show prod@10",
        "`show prod@1000` after 1,000 commits",
    ),
    (
        "render",
        "azconf render (all targets, every env)",
        "resolve every env",
        "`render`, all targets, 4 environments",
    ),
    (
        "render",
        "kubectl kustomize (every env)",
        "azconf render (all targets, every env)",
        "`kubectl kustomize`, the same output",
    ),
    ("startup", "azconf --help", "minimal Typer app --help", "`azconf --help`"),
)


def print_readme_table(report: dict[str, Any], args: argparse.Namespace) -> None:
    """The README's speed table, CPU time first, from this run's medians."""
    repeat = " ".join(word for word in sys.argv[1:] if not word.startswith("/"))  # no local paths
    print(f"\nREADME table (python benchmarks/run.py {repeat}):\n")
    print("| case | azconf: CPU (wall) | reference: CPU (wall) | ratio: CPU (wall) |")
    print("|---|---|---|---|")
    for case, label, reference, words in README_ROWS:
        commands = report["cases"].get(case, {}).get("commands", {})
        if label not in commands or reference not in commands:
            continue
        mine, theirs = commands[label], commands[reference]
        cpu = mine["median_cpu_s"] / max(theirs["median_cpu_s"], 1e-9)
        wall = mine["median_s"] / max(theirs["median_s"], 1e-9)
        mark = " †" if label.startswith("azconf") and case in ("validate", "render") else ""
        print(
            f"| {words}{mark} | {fmt_seconds(mine['median_cpu_s'])} ({fmt_seconds(mine['median_s'])}) | "
            f"{reference}: {fmt_seconds(theirs['median_cpu_s'])} ({fmt_seconds(theirs['median_s'])}) | "
            f"{cpu:.2f}× ({wall:.2f}×) |"
        )
    print("\n† forks a worker for the second core: its wall time holds only where that core is idle.")


# --------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark azconf against its floors.")
    parser.add_argument("--preset", choices=list(corpus.PRESETS), default="large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs per command first (default 1)")
    parser.add_argument("--azconf", help="the azconf executable (default: next to this Python, or on PATH)")
    parser.add_argument(
        "--python", default=sys.executable, help="Python for the floors (needs PyYAML, Typer)"
    )
    parser.add_argument(
        "--case",
        action="append",
        choices=list(CASES),
        help="run only this case (repeatable; default all)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the corpus even if cached")
    parser.add_argument(
        "--baselines-only",
        action="store_true",
        help="skip the azconf commands (measure the floors alone)",
    )
    parser.add_argument("--fail-on-target", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--without-kustomize", action="store_true", help="leave kubectl kustomize out of the render case"
    )
    parser.add_argument(
        "--readme-table", action="store_true", help="also print the README's speed table from this run"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BenchError as error:
        print(f"run.py: error: {error}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    cases = [CASES[name] for name in (args.case or list(CASES))]
    azconf: list[str] | None = None
    if not args.baselines_only:
        azconf = find_azconf(args.azconf)
        if azconf is None:
            raise BenchError(
                "azconf not found (looked next to this Python and on PATH). Install the package "
                "(`pip install -e .` in the repository, or `make bench`), pass --azconf PATH, or "
                "measure the floors alone with --baselines-only."
            )
    if azconf is not None:
        compile_bytecode([args.python, *filter(None, [interpreter_of(azconf[0])])])
    stats: dict[str, Any] | None = None
    corpus_dir: Path | None = None
    if any(case.needs_corpus for case in cases):
        corpus_dir, stats = ensure_corpus(args.preset, args.seed, args.regenerate)
    env = {**os.environ, "COLUMNS": "100"}  # the same help layout for azconf and the Typer app
    print_header(args, stats, azconf)
    report: dict[str, Any] = {
        "format": RESULT_FORMAT,
        "preset": args.preset,
        "seed": args.seed,
        "runs": args.runs,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "azconf": azconf,
        "corpus": stats,
        "cases": {},
    }
    missed = False
    with tempfile.TemporaryDirectory(prefix="azconf-bench-") as scratch:
        envs = list(stats["environments"]) if stats else []
        ctx = Context(args.python, azconf or [], corpus_dir, envs, Path(scratch), not args.without_kustomize)
        for case in cases:
            commands = [c for c in case.commands(ctx) if not (c.azconf and azconf is None)]
            samples = measure(commands, args.runs, args.warmup, env, ctx.scratch)
            ratios = print_case(case, samples)
            ratios += EXTRAS.get(case.name, {}).get("ratios", [])
            missed = missed or any(r["met"] is False for r in ratios)
            report["cases"][case.name] = {
                "title": case.title,
                "commands": {label: s.to_dict() for label, s in samples.items()},
                "ratios": ratios,
                **({"figures": EXTRAS[case.name]["figures"]} if case.name in EXTRAS else {}),
            }
    if args.readme_table:
        print_readme_table(report, args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 1 if missed and args.fail_on_target else 0


if __name__ == "__main__":
    sys.exit(main())
