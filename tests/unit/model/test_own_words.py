"""Messages are in azconf's own words: never a raw regular expression or a pydantic phrase."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from azconf.model.pydantic_problems import PATTERN_WORDS, own_words
from azconf.model.sections import Route, Service

BAD = [
    (Service, {"image": "a b", "port": 1}, "image", "must not be empty or contain spaces"),
    (Service, {"image": "x", "port": 0}, "port", "must be at least 1"),
    (Service, {"image": "x", "port": 70000}, "port", "must be at most 65535"),
    (Service, {"image": "x", "port": "80"}, "port", "must be an integer"),
    (Service, {"image": "x", "port": 1, "env": {"1BAD": "v"}}, "env", "must be a variable name"),
    (Route, {"path": "api", "service": "web"}, "path", "must start with / and contain no spaces"),
    (Route, {"path": "/", "service": "web", "auth": "maybe"}, "auth", "must be one of"),
]


@pytest.mark.parametrize("model, data, field, words", BAD)
def test_validation_errors_read_as_azconf_speaks(
    model: Any, data: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    messages = [
        own_words(e["type"], e.get("ctx") or {}, e["msg"]) for e in caught.value.errors(include_url=False)
    ]
    assert any(m.startswith(words) for m in messages), messages
    for message in messages:
        assert "Input should" not in message and "Value error" not in message and "^" not in message


def test_every_pattern_of_the_models_is_described() -> None:
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "src" / "azconf"
    sources = [src / "model" / "sections.py", src / "config" / "manifest.py"]
    patterns = {m for path in sources for m in re.findall(r'pattern=r"([^"]+)"', path.read_text())}
    assert patterns and patterns <= set(PATTERN_WORDS)
