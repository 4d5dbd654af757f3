"""OFREP over plain HTTP against a live server: bulk and ETags, every error code and status, the
stream advertised in ``eventStreams``, the multi-environment layout, and the safety limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from serve_helpers import READER, WRITER, Server, write_tokens
from sse_reader import EventReader

SINGLE = "/ofrep/v1/evaluate/flags/"
BULK = "/ofrep/v1/evaluate/flags"


def test_bulk_etag_and_304(serve: Callable[..., Server]) -> None:
    server = serve("--env", "prod")
    with server.client() as client:
        first = client.post(BULK, json={"context": {"targetingKey": "u-1", "email": "a@azora.dev"}})
        assert first.status_code == 200
        body = first.json()
        keys = [flag["key"] for flag in body["flags"]]
        assert keys == sorted(keys) and "staff-tools" in keys
        for flag in body["flags"]:
            assert "variant" in flag and "reason" in flag
        etag = first.headers["etag"]
        again = client.post(
            BULK,
            json={"context": {"targetingKey": "u-1", "email": "a@azora.dev"}},
            headers={"If-None-Match": etag},
        )
        assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
        other = client.post(BULK, json={"context": {"targetingKey": "u-2"}}, headers={"If-None-Match": etag})
        assert other.status_code == 200 and other.headers["etag"] != etag
        assert client.post(BULK).status_code == 200  # no body, no context: tolerated
        stream = body["eventStreams"][0]
        assert stream["type"] == "sse" and stream["url"] == server.base + "/ofrep/v1/events"
        metrics = client.get("/metrics").text
        assert (
            'azconf_flag_evaluations_total{env="prod",flag="staff-tools",reason="TARGETING_MATCH"} 4.0'
            in metrics
        )
        assert 'azconf_config_info{env="prod",etag=' in metrics and 'version="working tree"} 1.0' in metrics
        assert 'azconf_http_request_duration_seconds_count{api="ofrep_bulk",status="304"} 1.0' in metrics


def test_error_codes_and_statuses(serve: Callable[..., Server]) -> None:
    server = serve("--env", "prod")
    with server.client() as client:
        cases = [
            (client.post(SINGLE + "nope", json={}), 404, "FLAG_NOT_FOUND"),
            (client.post(SINGLE + "dark-mode", content=b"{not json"), 400, "PARSE_ERROR"),
            (client.post(SINGLE + "dark-mode", json=[1, 2]), 400, "PARSE_ERROR"),
            (client.post(SINGLE + "dark-mode", json={"context": "x"}), 400, "INVALID_CONTEXT"),
            (
                client.post(SINGLE + "dark-mode", json={"context": {"targetingKey": 7}}),
                400,
                "INVALID_CONTEXT",
            ),
            (
                client.post(SINGLE + "dark-mode", json={"context": {"targetingKey": ""}}),
                400,
                "TARGETING_KEY_MISSING",
            ),
            (client.post(BULK, json={"context": []}), 400, "INVALID_CONTEXT"),
            (client.get("/nowhere"), 404, "NOT_FOUND"),
            (client.get(SINGLE + "dark-mode"), 405, "METHOD_NOT_ALLOWED"),
            (client.post(SINGLE + "dark-mode", content=b"x" * 70_000), 413, "PAYLOAD_TOO_LARGE"),
        ]
        for response, status, code in cases:
            assert response.status_code == status, (code, response.text)
            assert response.json()["errorCode"] == code
            assert "Traceback" not in response.text
        found = client.post(SINGLE + "nope").json()
        assert found == {
            "key": "nope",
            "errorCode": "FLAG_NOT_FOUND",
            "errorDetails": 'flag "nope" not found',
        }


def test_tokens_scopes_and_the_stream(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--env", "prod", "--tokens", str(write_tokens(tmp_path)), "--access-log")
    with server.client() as client:
        assert client.post(SINGLE + "dark-mode").status_code == 401
        assert client.post(SINGLE + "dark-mode", headers={"X-API-Key": "nope"}).status_code == 401
        assert client.post(SINGLE + "dark-mode", headers={"X-API-Key": READER}).status_code == 200
        bulk = client.post(BULK, headers={"Authorization": f"Bearer {READER}"})
        assert bulk.status_code == 200
        assert READER not in bulk.text  # the stream URL carries a ticket, never the token
        url = bulk.json()["eventStreams"][0]["url"]
        assert "?ticket=reader." in url
        assert client.get(f"/ofrep/v1/events?token={WRITER}").status_code == 403  # writers stay out of URLs
        assert client.get("/ofrep/v1/events?ticket=reader.forged").status_code == 401
    by_ticket = EventReader(url)
    by_token = EventReader(f"{server.base}/ofrep/v1/events?token={READER}")
    assert by_ticket.status == by_token.status == 200
    log = server.stop()  # SIGTERM: both streams end cleanly, the process exits 0; no token in the log
    assert by_ticket.ended.wait(10) and by_token.ended.wait(10)
    assert server.process.returncode == 0
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    streams = [line for line in lines if line["path"] == "/ofrep/v1/events"]
    assert {line["status"] for line in streams} == {200, 401, 403}
    assert "ticket=" not in log and "token=" not in log  # paths only, never a query string


def test_several_environments_each_under_its_base_url(serve: Callable[..., Server]) -> None:
    server = serve("--env", "dev", "--env", "prod")
    with server.client() as client:
        dev = client.post("/envs/dev" + SINGLE + "debug-toolbar").json()
        prod = client.post("/envs/prod" + SINGLE + "debug-toolbar").json()
        assert (dev["value"], prod["value"]) == (True, False)
        assert client.post(SINGLE + "debug-toolbar").status_code == 404
        assert client.post("/envs/qa" + SINGLE + "x").json()["errorCode"] == "ENV_NOT_FOUND"
        stream = client.post("/envs/dev" + BULK).json()["eventStreams"][0]["url"]
        assert stream == server.base + "/envs/dev/ofrep/v1/events"
        assert "/envs/{env}/flags" in client.get("/openapi.json").json()["paths"]


def test_cors_is_off_unless_asked(serve: Callable[..., Server]) -> None:
    closed = serve("--env", "prod")
    opened = serve("--env", "prod", "--cors-origin", "https://dash.example")
    preflight = {"Origin": "https://dash.example", "Access-Control-Request-Method": "POST"}
    with closed.client() as client:
        response = client.options(BULK, headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    with opened.client() as client:
        response = client.options(BULK, headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://dash.example"


def test_failed_authentication_is_rate_limited_per_address(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    server = serve("--env", "prod", "--tokens", str(write_tokens(tmp_path)), "--rate", "0.01", "--burst", "3")
    with server.client(headers={"X-API-Key": "guess"}) as client:
        statuses = [client.post(SINGLE + "dark-mode").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        assert int(client.post(SINGLE + "dark-mode").headers["retry-after"]) >= 1
