"""Benchmarks of ``azconf serve`` against its floors, side by side in one run (loopback only, bounded).

    python benchmarks/serve_bench.py [--requests 4000] [--connections 8] [--json FILE]

Cases (server CPU is read from /proc/<pid>/stat around each batch, so a slow client does not count):

* ``single``: OFREP single evaluation of a targeted flag vs a bare Starlette app on uvicorn returning
  fixed JSON (the floor), CPU ms per request and requests per second; target <= 2x the floor.
* ``bulk``: OFREP bulk evaluation of 50 flags, CPU ms per request; target <= 0.25 ms.
* ``sse``: a change to an SSE event at the client, p50/p99 over 100 REST writes and 100 file saves
  (with fewer, "p99" is the slowest one);
  target p99 <= 100 ms.
* ``large``: the large corpus's prod (3,000+ flags): start to the first answer and RSS; targets
  <= 1.5 s and <= 80 MB; then three REST writes (ms each) and the RSS after them.

Every server listens on 127.0.0.1 only, every loop is bounded in count, and every process started
here is stopped here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import corpus

HERE = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

FLOOR_APP = """\
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"key":"f","reason":"STATIC","variant":"on","metadata":{},"value":true}'


async def fixed(request):
    await request.body()
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/ofrep/v1/evaluate/flags/{key}", fixed, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident set size of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def server(
    argv: list[str], port: int, cwd: Path, ready_path: str = "/healthz"
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process; yield it once ``ready_path`` answers; stop it (SIGTERM) afterwards."""
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(port, ready_path, process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_ready(port: int, path: str, process: subprocess.Popen[bytes], timeout: float = 60) -> float:
    """Poll until ``path`` answers 200 (GET, or POST for OFREP paths); seconds waited."""
    started = time.perf_counter()
    method = "POST" if "ofrep" in path else "GET"
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            status, _ = asyncio.run(one_request(port, method, path))
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.005)
    raise SystemExit(f"server on port {port} did not answer within {timeout} s")


# -- a minimal keep-alive HTTP/1.1 client: the load generator must cost less than the server ----------


def request_bytes(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    if body:
        lines.append("Content-Type: application/json")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length) if length else b""


async def one_request(port: int, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_bytes(method, path, body))
        return await read_response(reader)
    finally:
        writer.close()


async def hammer(port: int, payload: bytes, total: int, connections: int) -> tuple[float, int]:
    """Send ``total`` copies of ``payload`` over ``connections`` keep-alive connections; (seconds, errors)."""
    errors = 0

    async def worker(count: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(count):
            writer.write(payload)
            status, _ = await read_response(reader)
            errors += status not in (200, 304)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(total // connections) for _ in range(connections)))
    return time.perf_counter() - started, errors


def measure_batch(pid: int, port: int, payload: bytes, total: int, connections: int) -> dict[str, float]:
    """Server CPU ms per request and requests per second for one batch (after a warm-up)."""
    asyncio.run(hammer(port, payload, min(500, total), connections))
    before = cpu_seconds(pid)
    seconds, errors = asyncio.run(hammer(port, payload, total, connections))
    if errors:
        raise SystemExit(f"{errors} requests failed")
    used = cpu_seconds(pid) - before
    return {"cpu_ms_per_request": used * 1000 / total, "requests_per_second": total / seconds}


def median_of(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


# -- cases -----------------------------------------------------------------------------------------


def throughput_cases(azconf: str, project: Path, args: argparse.Namespace) -> dict[str, Any]:
    """single vs the floor, and bulk, interleaved round by round."""
    context = json.dumps({"context": {"targetingKey": "user-42", "email": "a@partner.example"}}).encode()
    flag = targeted_flag(project)
    single = request_bytes("POST", f"/ofrep/v1/evaluate/flags/{flag}", context)
    bulk = request_bytes("POST", "/ofrep/v1/evaluate/flags", context)
    floor_port, serve_port = free_port(), free_port()
    results: dict[str, list[dict[str, float]]] = {"floor": [], "single": [], "bulk": []}
    serve_argv = [
        azconf,
        "serve",
        "--env",
        "prod",
        "--port",
        str(serve_port),
        "--rate",
        "1e9",
        "--burst",
        "1000000000",
    ]
    floor_argv = [sys.executable, "-c", FLOOR_APP, str(floor_port)]
    with (
        server(floor_argv, floor_port, project, "/ofrep/v1/evaluate/flags/f") as floor,
        server(serve_argv, serve_port, project) as served,
    ):
        for _ in range(args.rounds):
            results["floor"].append(
                measure_batch(floor.pid, floor_port, single, args.requests, args.connections)
            )
            results["single"].append(
                measure_batch(served.pid, serve_port, single, args.requests, args.connections)
            )
            results["bulk"].append(
                measure_batch(served.pid, serve_port, bulk, args.requests, args.connections)
            )
        flags = count_flags(serve_port)
    summary = {name: median_of(samples) for name, samples in results.items()}
    summary["single"]["ratio_to_floor"] = (
        summary["single"]["cpu_ms_per_request"] / summary["floor"]["cpu_ms_per_request"]
    )
    summary["bulk"]["flags"] = flags
    summary["single"]["flag"] = flag
    return summary


def targeted_flag(project: Path) -> str:
    """A flag of prod with a targeting rule (so single evaluation runs a rule, not a lookup)."""
    out = subprocess.run(
        [sys.executable, "-m", "azconf", "show", "--env", "prod", "flags", "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    flags = json.loads(out.stdout)
    return next(name for name, flag in flags.items() if isinstance(flag, dict) and flag.get("targeting"))


def count_flags(port: int) -> int:
    _, body = asyncio.run(one_request(port, "POST", "/ofrep/v1/evaluate/flags"))
    return len(json.loads(body)["flags"])


def sse_case(azconf: str, project: Path, samples: int) -> dict[str, Any]:
    """Latency from a change (REST write acknowledged / file saved) to its SSE event at a client."""
    port = free_port()
    argv = [azconf, "serve", "--env", "prod", "--port", str(port), "--rate", "1e9", "--burst", "1000000000"]
    with server(argv, port, project) as _:
        events: list[float] = []
        listener = threading.Thread(target=listen, args=(port, events), daemon=True)
        listener.start()
        time.sleep(0.3)
        rest = [rest_change(port, events, i) for i in range(samples)]
        saves = [file_change(project, events, i) for i in range(samples)]
    return {"rest_write": percentiles(rest), "file_save": percentiles(saves), "samples": samples}


def listen(port: int, events: list[float]) -> None:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request_bytes("GET", "/ofrep/v1/events"))
        buffer = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                if b"refetchEvaluation" in event:
                    events.append(time.perf_counter())


def wait_event(events: list[float], count: int, timeout: float = 10) -> float:
    deadline = time.perf_counter() + timeout
    while len(events) < count and time.perf_counter() < deadline:
        time.sleep(0.0005)
    if len(events) < count:
        raise SystemExit("an SSE event did not arrive")
    return events[count - 1]


def rest_change(port: int, events: list[float], index: int) -> float:
    """One toggle through the REST API: ms from sending the write to its event at the client."""

    async def run() -> float:
        _, listing = await one_request(port, "GET", "/flags")
        etag = json.loads(listing)["etag"]
        body = json.dumps({"state": "DISABLED" if index % 2 == 0 else "ENABLED"}).encode()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        expected = len(events) + 1
        started = time.perf_counter()
        writer.write(request_bytes("POST", "/flags/bench-toggle", body, {"If-Match": etag}))
        status, answer = await read_response(reader)
        writer.close()
        if status != 200:
            raise SystemExit(f"write failed: {status} {answer[:300]!r}")
        return (wait_event(events, expected) - started) * 1000

    return asyncio.run(run())


def file_change(project: Path, events: list[float], index: int) -> float:
    """One edit saved to disk (atomically, as editors do): ms from the rename to the event."""
    path = project / "config" / "envs" / "prod" / "bench.yaml"
    expected = len(events) + 1
    scratch = path.with_suffix(".tmp")
    scratch.write_text(
        f"flags:\n  bench-file:\n    state: ENABLED\n    variants: {{a: {index}, b: -1}}\n"
        "    defaultVariant: a\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    os.replace(scratch, path)
    return (wait_event(events, expected) - started) * 1000


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered), "p99_ms": p99, "max_ms": ordered[-1]}


def large_case(azconf: str, root: Path, runs: int) -> dict[str, Any]:
    """The large corpus's prod: spawn to the first bulk answer, RSS after it, flags served."""
    starts, rss, rss_written, writes = [], [], [], []
    flags = 0
    for _ in range(runs):
        port = free_port()
        started = time.perf_counter()
        process = subprocess.Popen(
            [azconf, "serve", "--env", "prod", "--port", str(port)],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_ready(port, "/ofrep/v1/evaluate/flags", process)
            starts.append(time.perf_counter() - started)
            rss.append(rss_mb(process.pid))
            flags = count_flags(port)
            writes += toggles(port, 3)
            rss_written.append(rss_mb(process.pid))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    return {
        "start_to_first_answer_s": statistics.median(starts),
        "rss_mb": statistics.median(rss),
        "rss_after_writes_mb": statistics.median(rss_written),
        "write_ms": percentiles(writes),
        "flags": flags,
    }


def toggles(port: int, count: int) -> list[float]:
    """``count`` REST writes toggling one flag of a running server: ms from request to answer each."""

    async def run() -> list[float]:
        _, listing = await one_request(port, "GET", "/flags")
        body = json.loads(listing)
        etag, (name, flag) = body["etag"], next(iter(body["flags"].items()))
        state, times = flag["state"], []
        for _ in range(count):
            state = "DISABLED" if state == "ENABLED" else "ENABLED"
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            change = json.dumps({"state": state}).encode()
            writer.write(request_bytes("POST", f"/flags/{name}", change, {"If-Match": etag}))
            status, answer = await read_response(reader)
            times.append((time.perf_counter() - started) * 1000)
            writer.close()
            if status != 200:
                raise SystemExit(f"write failed: {status} {answer[:300]!r}")
            etag = json.loads(answer)["etag"]
        return times

    return asyncio.run(run())


# -- the run -----------------------------------------------------------------------------------------


def fifty_flag_project(folder: Path) -> Path:
    """A corpus whose prod has about 50 flags (the size the competitor figures were measured on),
    plus a boolean flag the SSE case toggles."""
    root = folder / "fifty"
    corpus.generate(root, "small", 7, flags=45, adds=3, deletes=1)
    extra = root / "config" / "envs" / "prod" / "toggle.yaml"
    extra.write_text("flags:\n  bench-toggle: true\n", encoding="utf-8")
    return root


def large_corpus(folder: Path) -> Path:
    root = folder / "large"
    corpus.generate(root, "large", 7)
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests per batch")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections per batch")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians reported)")
    parser.add_argument("--sse-samples", type=int, default=100)
    parser.add_argument("--large-runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    azconf = str(Path(sys.executable).with_name("azconf"))
    folder = Path(tempfile.mkdtemp(prefix="azconf-serve-bench-"))
    try:
        project = fifty_flag_project(folder)
        results: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}}
        results.update(throughput_cases(azconf, project, args))
        results["sse"] = sse_case(azconf, project, args.sse_samples)
        results["large"] = large_case(azconf, large_corpus(folder), args.large_runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def print_results(r: dict[str, Any]) -> None:
    floor, single, bulk, sse, large = r["floor"], r["single"], r["bulk"], r["sse"], r["large"]
    rows = [
        (
            "bare Starlette floor (fixed JSON)",
            f"{floor['cpu_ms_per_request']:.3f} ms CPU",
            f"{floor['requests_per_second']:,.0f} req/s",
            "",
        ),
        (
            f"OFREP single ({single['flag']})",
            f"{single['cpu_ms_per_request']:.3f} ms CPU",
            f"{single['requests_per_second']:,.0f} req/s",
            f"{single['ratio_to_floor']:.2f}x the floor (target <= 2x)",
        ),
        (
            f"OFREP bulk, {bulk['flags']} flags",
            f"{bulk['cpu_ms_per_request']:.3f} ms CPU",
            f"{bulk['requests_per_second']:,.0f} req/s",
            "target <= 0.25 ms",
        ),
        (
            "REST write -> SSE event",
            f"p50 {sse['rest_write']['p50_ms']:.1f} ms",
            f"p99 {sse['rest_write']['p99_ms']:.1f} ms",
            "target p99 <= 100 ms",
        ),
        (
            "file save -> SSE event",
            f"p50 {sse['file_save']['p50_ms']:.1f} ms",
            f"p99 {sse['file_save']['p99_ms']:.1f} ms",
            "target p99 <= 100 ms",
        ),
        (
            f"large corpus prod, {large['flags']} flags",
            f"start {large['start_to_first_answer_s']:.2f} s",
            f"RSS {large['rss_mb']:.0f} MB",
            "targets <= 1.5 s, <= 80 MB",
        ),
        (
            "large corpus prod, REST writes",
            f"p50 {large['write_ms']['p50_ms']:.0f} ms",
            f"RSS {large['rss_after_writes_mb']:.0f} MB",
            "request -> answer (written, recorded, served); RSS after 3 writes",
        ),
    ]
    width = max(len(row[0]) for row in rows)
    for name, first, second, note in rows:
        print(f"{name:<{width}}  {first:>16}  {second:>14}  {note}")


if __name__ == "__main__":
    sys.exit(main())
