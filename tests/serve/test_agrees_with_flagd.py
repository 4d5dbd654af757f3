"""The flagd provider in file mode, on the flag file ``azconf render`` writes, agrees with the server
on the same users: OpenFeature's flagd engine and azconf's, on the same config, give the same answers."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openfeature import api
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext
from serve_helpers import Server, azconf_executable

EMAILS = ("ana@azora.dev", "ops@northwind-partners.com", "x@example.com", "audit@northwind-partners.com")
KINDS = {bool: "boolean", str: "string", int: "integer", float: "float", dict: "object"}


@pytest.fixture
def flagd_client(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("FLAGD_HOST", "flagd.invalid")  # the FILE resolver needs no daemon: make sure
    out = project / "out"
    done = subprocess.run(
        [azconf_executable(), "render", "staging", "--target", "flagd", "--out", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (path,) = out.rglob("flags.flagd.json")
    provider = FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=str(path))
    api.set_provider_and_wait(provider, "rendered")
    yield api.get_client("rendered")
    provider.shutdown()
    api.clear_providers()


def test_rendered_file_and_server_agree(serve: Callable[..., Server], flagd_client: Any) -> None:
    server = serve("--env", "staging", "--rate", "100000", "--burst", "100000")
    with server.client() as http:
        flags = http.get("/flags").json()["flags"]
        compared = 0
        for index in range(150):
            context = {"targetingKey": f"user-{index}", "email": EMAILS[index % len(EMAILS)]}
            for key, flag in flags.items():
                response = http.post(f"/ofrep/v1/evaluate/flags/{key}", json={"context": context})
                served = response.json()
                assert response.status_code == 200, served
                kind = KINDS[type(next(iter(flag["variants"].values())))]
                default = {"boolean": False, "string": "", "integer": -1, "float": -1.0, "object": {}}[kind]
                details = getattr(flagd_client, f"get_{kind}_details")(
                    key, default, EvaluationContext(context["targetingKey"], {"email": context["email"]})
                )
                assert (details.variant, str(details.reason)) == (served["variant"], served["reason"]), key
                assert details.value == served.get("value", default), key
                compared += 1
    assert compared == 150 * len(flags)
