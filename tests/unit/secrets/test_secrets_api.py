"""The public surface of azconf.secrets, pinned so that it only changes on purpose."""

from __future__ import annotations

import azconf.secrets


def test_exported_names() -> None:
    assert sorted(azconf.secrets.__all__) == [
        "EnvRef",
        "Finding",
        "K8sRef",
        "KeyringRef",
        "PLAINTEXT_HINT",
        "ReferenceSyntaxError",
        "SCHEMES",
        "SecretRef",
        "VaultRef",
        "find_plaintext_secret",
        "iter_plaintext_secrets",
        "looks_like_reference",
        "mask",
        "parse_reference",
    ]
    for name in azconf.secrets.__all__:
        assert getattr(azconf.secrets, name) is not None


def test_the_core_imports_nothing_heavy() -> None:
    # Pure core: the secrets package must not pull in provider SDKs, YAML or the CLI.
    import subprocess
    import sys

    code = (
        "import sys, azconf.secrets; "
        "print(sorted(m for m in ('yaml', 'keyring', 'hvac', 'kubernetes', 'typer', 'rich') "
        "if m in sys.modules))"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
