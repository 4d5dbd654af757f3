"""The OpenFeature Python SDK with PyPI ``openfeature-provider-ofrep`` against a live ``azconf serve``.

The provider is the real client: it POSTs single evaluations, requires ``variant`` and ``reason``,
maps 404 to FLAG_NOT_FOUND and 401/403 to errors, and pauses after a 429 until Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason
from serve_helpers import DEV_ONLY, READER, Server, write_tokens


@pytest.fixture(autouse=True)
def clean_api() -> Iterator[None]:
    yield
    api.shutdown()
    api.clear_providers()


def client_for(server: Server, token: str | None = None) -> api.OpenFeatureClient:
    headers = (lambda: {"Authorization": f"Bearer {token}"}) if token else None
    api.set_provider(OFREPProvider(server.base, headers_factory=headers, timeout=5))
    return api.get_client()


def test_values_variants_and_reasons(serve: Callable[..., Server]) -> None:
    client = client_for(serve("--env", "prod"))

    dark = client.get_boolean_details("dark-mode", False)
    assert (dark.value, dark.variant, dark.reason, dark.error_code) == (True, "on", Reason.STATIC, None)

    staff = EvaluationContext("user-1", {"email": "lena@azora.dev"})
    details = client.get_boolean_details("staff-tools", False, staff)
    assert (details.value, details.variant, details.reason) == (True, "on", Reason.TARGETING_MATCH)
    outsider = client.get_boolean_details(
        "staff-tools", True, EvaluationContext("user-2", {"email": "x@y.org"})
    )
    assert (outsider.value, outsider.variant, outsider.reason) == (False, "off", Reason.TARGETING_MATCH)

    assert client.get_string_value("homepage-layout", "none") == "classic"
    assert client.get_integer_value("payment-retry-limit", 0) == 3
    assert client.get_boolean_details("ai-recommendations", False).reason == Reason.DISABLED
    # no context at all: tolerated, the fractional rollout falls back to the default variant
    rollout = client.get_boolean_details("new-checkout", True)
    assert (rollout.value, rollout.variant, rollout.reason) == (False, "off", Reason.DEFAULT)
    assert rollout.flag_metadata["owner"] == "team-payments"


def test_flag_not_found(serve: Callable[..., Server]) -> None:
    client = client_for(serve("--env", "prod"))
    details = client.get_boolean_details("no-such-flag", True)
    assert details.value is True  # the caller's default
    assert details.error_code == ErrorCode.FLAG_NOT_FOUND
    assert details.reason == Reason.ERROR


def test_auth_failure(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--env", "prod", "--tokens", str(write_tokens(tmp_path)))
    for token in (None, "wrong-token", DEV_ONLY):  # none, unknown, not allowed to read prod
        details = client_for(server, token).get_boolean_details("dark-mode", False)
        assert details.value is False and details.error_code == ErrorCode.GENERAL, token
    assert client_for(server, READER).get_boolean_value("dark-mode", False) is True


def test_429_backs_off(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve("--env", "prod", "--rate", "0.01", "--burst", "2")
    client = client_for(server)
    assert client.get_boolean_value("dark-mode", False) is True
    assert client.get_boolean_value("dark-mode", False) is True
    limited = client.get_boolean_details("dark-mode", False)
    assert limited.value is False and limited.error_code == ErrorCode.GENERAL
    assert "Rate limited" in (limited.error_message or "")
    # the provider now waits for Retry-After and does not call the server at all
    paused = client.get_boolean_details("dark-mode", False)
    assert "paused" in (paused.error_message or "")
    with server.client() as http:
        metrics = http.get("/metrics").text
    assert 'azconf_http_request_duration_seconds_count{api="ofrep_single",status="429"} 1.0' in metrics
