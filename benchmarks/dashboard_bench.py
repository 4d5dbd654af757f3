"""The dashboard of ``azconf serve`` on the large corpus (3,000+ flags per environment), in headless
Chromium (Debian's, driven by npm ``playwright-core`` from tests/interop/dashboard):

* first load: navigation start -> the first page of the flags list on screen (the page's own
  ``performance.mark`` in the frame after rendering); target <= 1 s;
* toggle: a toggle click -> its plan shown (the plan is validated server-side), then the Apply click ->
  the row showing the new state (written, validated, recorded, re-served); target <= 300 ms;
* the JSON of one flag's page (``GET /dashboard/api/flags/NAME``: provenance and history in every
  environment) and of the Stale page (``GET /dashboard/api/stale``), timed over HTTP after the page
  runs (the first flag page then parses the files no write has parsed).

    python benchmarks/dashboard_bench.py [--runs 5] [--env prod] [--preset large] [--json FILE]

The server listens on 127.0.0.1 without tokens (the page then needs no sign-in); every process
started here is stopped here. Medians are reported, with each run's figures in --json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import corpus
from serve_bench import free_port, server

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE.parent / "tests" / "interop" / "dashboard"


def run(project: Path, runs: int, env: str) -> dict[str, Any]:
    """Serve ``project`` and time the page ``runs`` times."""
    azconf = str(Path(sys.executable).with_name("azconf"))
    subprocess.run([azconf, "commit", "-m", "baseline"], cwd=project, check=True, capture_output=True)
    port = free_port()
    with server([azconf, "serve", "--port", str(port)], port, project):
        done = subprocess.run(
            ["node", str(NODE_DIR / "dashboard-bench.mjs"), f"http://127.0.0.1:{port}", str(runs), env],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=NODE_DIR,
        )
        api = api_times(port, runs) if done.returncode == 0 else {}
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("error"):
        raise SystemExit(result["error"])
    return {**result, **api}


def api_times(port: int, runs: int) -> dict[str, list[float]]:
    """Milliseconds of ``runs`` answers each of one flag's page (a flag of the middle of the table)
    and of the Stale page, over HTTP (the open service gives a session without sign-in)."""
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}/dashboard/api", timeout=60) as client:
        client.get("/session").raise_for_status()
        names = [row["name"] for row in client.get("/flags").json()["flags"]]
        paths = {"flagPage": f"/flags/{names[len(names) // 2]}", "stalePage": "/stale"}
        times: dict[str, list[float]] = {key: [] for key in paths}
        for key, path in paths.items():
            for _ in range(runs):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times[key].append(round((time.perf_counter() - started) * 1000, 1))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--env", default="prod", help="the environment whose toggle is timed")
    parser.add_argument("--preset", default="large", help="corpus size: small, medium or large")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    subprocess.run(["bash", str(NODE_DIR.parent / "install-dashboard.sh")], check=True, capture_output=True)
    folder = Path(tempfile.mkdtemp(prefix="azconf-dashboard-bench-"))
    try:
        project = folder / args.preset
        corpus.generate(project, args.preset, 7)
        result = run(project, args.runs, args.env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    medians = {
        key: statistics.median(result[key]) for key in ("firstLoad", "plan", "apply", "flagPage", "stalePage")
    }
    print(f"dashboard, {args.preset} corpus ({result['flags']}), {args.runs} runs, medians:")
    print(f"  first load, navigation start -> list shown   {medians['firstLoad']:7.0f} ms   (target <= 1000)")
    print(f"  toggle click -> plan shown                   {medians['plan']:7.0f} ms")
    print(f"  Apply click -> updated row                   {medians['apply']:7.0f} ms   (target <= 300)")
    first = f"(first: {result['flagPage'][0]:.0f} ms)"
    print(f"  one flag's page, its JSON {first:>18}  {medians['flagPage']:7.0f} ms")
    print(f"  the Stale page, its JSON                     {medians['stalePage']:7.0f} ms")
    if args.json:
        args.json.write_text(
            json.dumps({"medians_ms": medians, "runs": result}, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
