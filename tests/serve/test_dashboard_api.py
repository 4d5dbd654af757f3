"""The dashboard's JSON API against a live server: sessions and CSRF, scopes, plans before writes,
promotion and bulk changes recorded with the token's name, and every bad input a JSON error."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
from serve_helpers import READER, SECRET_VALUES, WRITER, Server, azconf_executable, commit_all, write_tokens
from sse_reader import EventReader

API = "/dashboard/api"


def signed_in(server: Server, token: str | None) -> tuple[httpx.Client, str]:
    """A client holding a session cookie, and the session's CSRF token."""
    client = server.client()
    if token is None:
        answer = client.get(f"{API}/session")
    else:
        answer = client.post(f"{API}/signin", json={"token": token})
    assert answer.status_code == 200, answer.text
    return client, answer.json()["csrf"]


def post(client: httpx.Client, path: str, csrf: str, body: Any) -> httpx.Response:
    return client.post(f"{API}{path}", json=body, headers={"X-CSRF-Token": csrf})


def audit(project: Path) -> str:
    done = subprocess.run(
        [azconf_executable(), "audit", "--resource", "flags", "--format", "json"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def test_page_and_static_files(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--tokens", str(write_tokens(tmp_path)))
    with server.client() as client:
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert client.get("/dashboard/static/app.js").status_code == 200
        for name in ("index.py", "..%2F..%2Fapp.py", "%2e%2e"):
            answer = client.get(f"/dashboard/static/{name}")
            assert answer.status_code == 404 and answer.json()["errorCode"] == "NOT_FOUND"


def test_sign_in(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--tokens", str(write_tokens(tmp_path)))
    with server.client() as client:
        assert client.get(f"{API}/flags").status_code == 401
        assert client.get(f"{API}/session").json()["errorCode"] == "UNAUTHORIZED"
        assert client.post(f"{API}/signin", json={"token": "guess"}).status_code == 401
        assert client.post(f"{API}/signin", content=b"{not json").status_code == 400
        answer = client.post(f"{API}/signin", json={"token": WRITER})
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        body = answer.json()
        assert body["actor"] == "writer" and body["write"] == ["staging", "prod"]
        assert WRITER not in answer.text  # the token is never echoed
        assert client.get(f"{API}/flags").status_code == 200
        assert client.post(f"{API}/signout", headers={"X-CSRF-Token": body["csrf"]}).status_code == 200
        assert client.get(f"{API}/flags").status_code == 401


def test_every_write_needs_the_csrf_token(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, WRITER)
    change = {"action": "set", "env": "prod", "flags": {"dark-mode": {"state": "DISABLED"}}, "etag": "x"}
    with closing(client):
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            for path in ("/plan", "/apply", "/flags/dark-mode/evaluate", "/signout"):
                answer = client.post(f"{API}{path}", json=change, headers=headers)
                assert answer.status_code == 403 and answer.json()["errorCode"] == "CSRF", path
        assert post(client, "/plan", csrf, change).status_code == 200


def test_read_only_token_cannot_plan_or_write(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, READER)
    change = {"action": "set", "env": "prod", "flags": {"dark-mode": {"state": "DISABLED"}}, "etag": "x"}
    with closing(client):
        assert client.get(f"{API}/session").json()["write"] == []
        for path in ("/plan", "/apply"):
            answer = post(client, path, csrf, change)
            assert answer.status_code == 403 and answer.json()["errorCode"] == "FORBIDDEN"


def test_bad_input_is_a_json_error(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, WRITER)
    cases: list[tuple[Any, int, str]] = [
        ({"action": "drop"}, 400, "INVALID_REQUEST"),
        ({"action": "set", "env": "nowhere", "flags": {"a": {"state": "ENABLED"}}}, 404, "ENV_NOT_FOUND"),
        ({"action": "set", "env": "prod", "flags": {}}, 400, "INVALID_REQUEST"),
        ({"action": "set", "env": "prod", "flags": {"dark-mode": {"targeting": {}}}}, 400, "INVALID_REQUEST"),
        (
            {"action": "set", "env": "prod", "flags": {"no-such-flag": {"state": "ENABLED"}}},
            404,
            "FLAG_NOT_FOUND",
        ),
        ({"action": "promote", "flag": "dark-mode", "from": "prod"}, 400, "INVALID_REQUEST"),
        ({"action": "promote", "flag": "dark-mode"}, 400, "INVALID_REQUEST"),
        ([1, 2], 400, "INVALID_REQUEST"),
    ]
    with closing(client):
        for body, status, code in cases:
            answer = post(client, "/plan", csrf, body)
            assert (answer.status_code, answer.json()["errorCode"]) == (status, code), body
        change = {"action": "set", "env": "prod", "flags": {"dark-mode": {"state": "DISABLED"}}}
        assert post(client, "/apply", csrf, change).json()["errorCode"] == "PRECONDITION_REQUIRED"
        assert client.get(f"{API}/flags/no-such-flag").status_code == 404
        assert client.get(f"{API}/stale?days=soon").status_code == 400
        answer = post(client, "/flags/dark-mode/evaluate", csrf, {"context": [1]})
        assert answer.json()["errorCode"] == "INVALID_CONTEXT"


def assert_answers_what_the_table_shows(
    client: httpx.Client, done: dict[str, Any], before: dict[str, Any]
) -> None:
    """An Apply's ``rows`` and ``etags`` are what ``GET /flags`` shows after it: the rows of the
    flags it names (in name order), the new ETag of the one environment it wrote."""
    after = client.get(f"{API}/flags").json()
    [written] = done["etags"]
    assert written == done["env"] and done["etags"][written] != before["etags"][written]
    assert after["etags"] == {**before["etags"], **done["etags"]}
    names = [row["name"] for row in done["rows"]]
    assert names == sorted(names) and done["rows"] == [row for row in after["flags"] if row["name"] in names]


def test_bulk_change_is_one_recorded_version(
    serve: Callable[..., Server], project: Path, tmp_path: Path
) -> None:
    commit_all(project)
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, WRITER)
    change = {
        "action": "set",
        "env": "staging",
        "flags": {"dark-mode": {"state": "DISABLED"}, "beta-banner": {"state": "DISABLED"}},
    }
    events = EventReader(
        f"{server.base}{API}/events", {"Cookie": f"azconf_session={client.cookies['azconf_session']}"}
    )
    with closing(client):
        before = client.get(f"{API}/flags").json()
        plan = post(client, "/plan", csrf, change).json()
        # both were shorthand flags (true/false): the changes read field by field
        assert plan["problems"] == [] and sorted(plan["changes"]) == [
            "flags.beta-banner.state",
            "flags.dark-mode.state",
        ]
        assert "+    state: DISABLED" in plan["files"][0]["diff"]
        assert plan["etag"] == before["etags"]["staging"]
        done = post(client, "/apply", csrf, {**change, "etag": plan["etag"]})
        assert done.status_code == 200, done.text
        assert done.json()["version"] == "staging@2"
        assert_answers_what_the_table_shows(client, done.json(), before)
        rows = done.json()["rows"]
        assert [r["name"] for r in rows] == ["beta-banner", "dark-mode"]
        assert {r["cells"]["staging"]["state"] for r in rows} == {"DISABLED"}
        # The change stream announces the ETag the Apply answered: the page knows it already shows it.
        assert events.wait_for(1)[0]["etag"] == done.json()["etags"]["staging"]
        again = post(client, "/apply", csrf, {**change, "etag": plan["etag"]})
        assert again.status_code == 409 and again.json()["errorCode"] == "CONFLICT"
    entries = audit(project)
    assert entries.count('"actor": "writer"') == 2


def test_promote_one_flag(serve: Callable[..., Server], project: Path, tmp_path: Path) -> None:
    commit_all(project)
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, WRITER)
    change = {"action": "promote", "flag": "ai-recommendations", "from": "staging"}
    with closing(client):
        before = client.get(f"{API}/flags").json()
        plan = post(client, "/plan", csrf, change).json()
        assert plan["env"] == "prod" and plan["changes"] == ["flags.ai-recommendations.state"]
        done = post(client, "/apply", csrf, {**change, "etag": plan["etag"]})
        assert done.status_code == 200, done.text
        assert_answers_what_the_table_shows(client, done.json(), before)
        [row] = done.json()["rows"]  # the destination's row, every readable environment's cell
        assert row["name"] == "ai-recommendations" and list(row["cells"]) == ["staging", "prod"]
        assert row["cells"]["prod"]["state"] == row["cells"]["staging"]["state"] == "ENABLED"
        detail = client.get(f"{API}/flags/ai-recommendations").json()
        prod = next(e for e in detail["envs"] if e["env"] == "prod")
        assert prod["flag"]["state"] == "ENABLED"
        assert prod["history"][0]["actor"] == "writer" and prod["history"][0]["action"] == "promote"
        assert any(
            s["path"] == "state" and s["file"] == "config/envs/prod/flags.yaml" for s in prod["sources"]
        )


def test_open_service_needs_no_sign_in(serve: Callable[..., Server]) -> None:
    server = serve("--env", "prod")
    client, csrf = signed_in(server, None)
    with closing(client):
        body = client.get(f"{API}/session").json()
        assert body["actor"] is None and body["envs"] == ["prod"] and body["write"] == ["prod"]
        table = client.get(f"{API}/flags").json()
        assert table["envs"] == ["prod"] and len(table["flags"]) == 10
        results = post(client, "/flags/staff-tools/evaluate", csrf, {"context": {"email": "ana@azora.dev"}})
        assert results.json()["results"][0]["reason"] == "TARGETING_MATCH"


def test_no_token_or_secret_reaches_the_page(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, _ = signed_in(server, READER)
    with closing(client):
        bodies = [
            client.get(f"{API}{path}").text for path in ("/flags", "/flags/new-checkout", "/stale", "/alerts")
        ]
    for body in bodies:
        assert not any(value in body for value in SECRET_VALUES)
        assert "secrets" not in body  # the dashboard reads flags only; secrets are never in its answers


def add_dotted_flag(project: Path, name: str = "ui.dark-mode") -> None:
    """A flag whose name holds a dot (audited as ``flags."ui.dark-mode"``), used by the web service."""
    flags = project / "config/base/flags.yaml"
    flags.write_text(flags.read_text().replace("flags:\n", f"flags:\n  {name}: false\n", 1))
    services = project / "config/base/services.yaml"
    services.write_text(services.read_text().replace("flags: [dark-mode,", f"flags: [{name}, dark-mode,", 1))


def test_a_dotted_flag_has_its_history_and_can_be_unchanged(
    serve: Callable[..., Server], project: Path, tmp_path: Path
) -> None:
    add_dotted_flag(project)
    commit_all(project)
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, _ = signed_in(server, WRITER)
    with closing(client):
        detail = client.get(f"{API}/flags/ui.dark-mode")
        assert detail.status_code == 200, detail.text
        for env in detail.json()["envs"]:
            [entry] = env["history"]
            assert (entry["action"], entry["resource"]) == ("commit", 'flags."ui.dark-mode"'), env["env"]
        stale = {row["name"]: row["reasons"] for row in client.get(f"{API}/stale?days=0").json()["flags"]}
        assert stale["ui.dark-mode"] == ["unchanged", "identical"]  # used by web, never expires


def last_message(project: Path, env: str) -> str:
    done = subprocess.run(
        [azconf_executable(), "log", "--env", env, "-n", "1", "--format", "json"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    message: str = json.loads(done.stdout)["versions"][0]["message"]
    return message


def test_promoting_a_dotted_flag_names_its_path_as_the_cli_reads_it(
    serve: Callable[..., Server], project: Path, tmp_path: Path
) -> None:
    add_dotted_flag(project)
    staging = project / "config/envs/staging/flags.yaml"
    staging.write_text(staging.read_text().replace("flags:\n", "flags:\n  ui.dark-mode: true\n", 1))
    commit_all(project)
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, WRITER)
    change = {"action": "promote", "flag": "ui.dark-mode", "from": "staging"}
    with closing(client):
        plan = post(client, "/plan", csrf, change).json()
        assert plan["changes"] == ['flags."ui.dark-mode"']
        done = post(client, "/apply", csrf, {**change, "etag": plan["etag"]})
        assert done.status_code == 200, done.text
    # The path in the message can be pasted into the CLI: azconf show prod 'flags."ui.dark-mode"'.
    assert last_message(project, "prod") == 'dashboard: promote staging -> prod flags."ui.dark-mode"'


def test_promoting_a_flag_kept_in_the_destination_says_so(
    serve: Callable[..., Server], project: Path, tmp_path: Path
) -> None:
    prod = project / "config/envs/prod/flags.yaml"
    kept = "flags:\n  ai-recommendations:   # azconf:keep launches with the campaign\n    state: DISABLED\n"
    prod.write_text(prod.read_text().replace("flags:\n", kept, 1))
    commit_all(project)
    server = serve("--tokens", str(write_tokens(tmp_path)))
    client, csrf = signed_in(server, WRITER)
    change = {"action": "promote", "flag": "ai-recommendations", "from": "staging"}
    with closing(client):
        etag = client.get(f"{API}/flags").json()["etags"]["prod"]
        for path, body in (("/plan", change), ("/apply", {**change, "etag": etag})):
            answer = post(client, path, csrf, body)
            assert (answer.status_code, answer.json()["errorCode"]) == (409, "HELD_BACK"), answer.text
            details = answer.json()["errorDetails"]
            assert "flags.ai-recommendations is kept in prod" in details, details
            assert "config/envs/prod/flags.yaml:3 (launches with the campaign)" in details, details
