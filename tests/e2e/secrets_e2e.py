"""Helpers of the secrets tests: a local-development copy of the example, and a real file keyring.

The keyring is keyrings.alt's ``PlaintextKeyring``, chosen the way a user would choose it: a
``keyringrc.cfg`` in ``$XDG_CONFIG_HOME/python_keyring/``. Its data file lives under
``$XDG_DATA_HOME/python_keyring/``; both folders are temporary, so no test touches the real keyring.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from azconf_e2e import EXAMPLE, Run, azconf_executable

KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"

# The dev overlay a developer would write to run payments locally: the database password from the
# OS keyring, the webhook secret from the shell. stripe-api-key is already env:// in the example.
LOCAL_VARIABLES = ("STRIPE_TEST_API_KEY", "STRIPE_WEBHOOK_SECRET", "LEGACY_API_KEY")
LOCAL_DEV_SECRETS = """\
# dev: local development resolves these on the developer's machine (`azconf run`).
secrets:
  stripe-api-key:
    ref: env://STRIPE_TEST_API_KEY
    description: Stripe test-mode secret key (sk_test_...), exported by the developer
  payments-db-password: keyring://azora/db-password
  stripe-webhook-secret: env://STRIPE_WEBHOOK_SECRET
  legacy-api-key: env://LEGACY_API_KEY   # defined, used by nothing: a warning
"""


def local_dev_project(root: Path) -> Path:
    """A copy of examples/azora at ``root`` whose dev payments secrets resolve locally."""
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    (root / "config/envs/dev/secrets.yaml").write_text(LOCAL_DEV_SECRETS, encoding="utf-8")
    return root


def isolated_environment(home: Path) -> dict[str, str]:
    """This process's environment with a file keyring under ``home`` and no stray secret variables.

    ``PYTHON_KEYRING_BACKEND`` is dropped: it would win over the config file. So are the variables
    the local dev project reads, so each test sets exactly the ones it means to.
    """
    config, data = home / "config", home / "data"
    (config / "python_keyring").mkdir(parents=True, exist_ok=True)
    (config / "python_keyring" / "keyringrc.cfg").write_text(
        f"[backend]\ndefault-keyring={KEYRING_BACKEND}\n", encoding="utf-8"
    )
    data.mkdir(parents=True, exist_ok=True)
    dropped = {"PYTHON_KEYRING_BACKEND", *LOCAL_VARIABLES}
    environ = {key: value for key, value in os.environ.items() if key not in dropped}
    return environ | {
        "XDG_CONFIG_HOME": str(config),
        "XDG_DATA_HOME": str(data),
        "XDG_CACHE_HOME": str(home / "cache"),
        "NO_COLOR": "1",
    }


def keyring_file(env: dict[str, str]) -> Path:
    """Where the file keyring of ``env`` keeps its entries."""
    return Path(env["XDG_DATA_HOME"]) / "python_keyring" / "keyring_pass.cfg"


def azconf_with_input(
    *args: str | os.PathLike[str], env: Mapping[str, str], stdin: bytes = b"", cwd: Path | None = None
) -> Run:
    """Run ``azconf ARGS`` with ``stdin`` as its standard input (never a terminal), checked for crashes."""
    argv = [azconf_executable(), *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=dict(env), input=stdin, capture_output=True, timeout=120, check=False
    )
    stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    run = Run(tuple(argv[1:]), done.returncode, stdout, stderr, time.perf_counter() - started)
    assert "Traceback" not in run.stderr, f"azconf {' '.join(run.args)} printed a traceback:\n{run.stderr}"
    assert run.returncode != 3, f"azconf {' '.join(run.args)} hit an internal error:\n{run.stderr}"
    return run
