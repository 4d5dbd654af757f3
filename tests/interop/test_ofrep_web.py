"""The OpenFeature web SDK with npm ``@openfeature/ofrep-web-provider`` in headless Chromium (Debian's,
driven by ``playwright-core``) against a live ``azconf serve``: bulk load, 304 on an SSE-triggered
re-fetch whose answer did not change, and a REST toggle reaching the page as ConfigurationChanged.

The page is served from another loopback origin, so CORS (``--cors-origin``) and the stream ticket in
the ``eventStreams`` URL (an EventSource sends no headers) are exercised as a real dashboard would.
Installed by tests/interop/install-ofrep-web.sh; skipped without node or Chromium, except under CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from interop_tools import missing_tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))
from serve_helpers import READER, WRITER, copy_example, free_port, start_server, write_tokens

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "ofrep-web"
INSTALL = HERE / "install-ofrep-web.sh"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def harness() -> Path:
    if shutil.which("node") is None or not CHROMIUM.is_file():
        missing_tool("node and /usr/bin/chromium are needed (apt-get install nodejs npm chromium)")
    if not (NODE_DIR / "node_modules" / "playwright-core").is_dir():
        subprocess.run(["bash", str(INSTALL)], check=True, timeout=600)
    return NODE_DIR / "browser-check.mjs"


def test_web_provider_in_chromium(harness: Path, tmp_path: Path) -> None:
    project = copy_example(tmp_path)
    page_port = free_port()
    server = start_server(
        project,
        "--env",
        "staging",
        "--tokens",
        str(write_tokens(tmp_path)),
        "--cors-origin",
        f"http://127.0.0.1:{page_port}",
    )
    try:
        done = subprocess.run(
            ["node", str(harness), server.base, READER, WRITER],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=NODE_DIR,
            env={**os.environ, "PAGE_PORT": str(page_port)},
        )
    finally:
        log = server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen.get("error") is None and seen.get("failed") is None, (seen, log)
    assert seen["ready"] == {
        "banner": False,
        "staff": {"value": True, "variant": "on", "reason": "TARGETING_MATCH"},
        "layout": "classic",
    }
    assert seen["sameAnswerWrite"] == 200 and seen["toggleWrite"] == 200
    bulk = seen["seen"]["bulk"]
    assert bulk[0] == 200 and 304 in bulk, bulk  # the first load, then a re-fetch that changed nothing
    assert bulk[-1] == 200  # the toggle's re-fetch
    (change,) = seen["changes"]
    assert "beta-banner" in change["flags"]
    assert change["banner"] is True  # DISABLED: the page's own default (true) applies now
    assert seen["banner"] == "true"
    assert seen["errors"] == []
