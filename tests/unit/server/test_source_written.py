"""After a write, the service serves exactly what the write recorded, without loading it again.

In process, on a copy of examples/azora with real files and a real history database: a write through
the service's edit path, then :meth:`Source.written`; a fresh load of the same files must give the
same flags, ETag and file digests, and history's latest version must hold what the write validated.
The watcher must then see the written files as served (nothing to load), and a hand edit as not.
"""

from __future__ import annotations

import asyncio
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azconf.config.project import load_project
from azconf.config.resolve import Resolution, Resolver
from azconf.edit.transaction import WriteOutcome
from azconf.history.api import commit_environments, load_ref
from azconf.server import writes
from azconf.server.responses import ApiError
from azconf.server.settings import ServeSettings
from azconf.server.source import Source
from azconf.snapshot import snapshot

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    return root


def write(source: Source, changes: dict[str, dict[str, object]]) -> WriteOutcome:
    """One write through the service's path, then served as the handlers serve it."""
    base = source.current("prod")
    assert base is not None
    request = writes.FlagWrite("prod", changes, base.etag, "test", "tester")
    outcome = writes.apply(source.settings, base, request, source.parsed)
    asyncio.run(source.written(outcome, base))
    return outcome


def test_a_write_serves_what_it_recorded(project: Path) -> None:
    source = Source(ServeSettings(project, ("prod",)))
    source.load_now()
    before = source.current("prod")
    outcome = write(source, {"dark-mode": {"state": "DISABLED"}, "new-checkout": {"defaultVariant": "off"}})
    served = source.current("prod")
    assert served is not None and before is not None and served.etag != before.etag
    assert served.document["flags"]["dark-mode"]["state"] == "DISABLED"

    fresh = Source(ServeSettings(project, ("prod",)))
    fresh.load_now()
    again = fresh.current("prod")
    assert again is not None
    assert (served.document, served.etag, served.files) == (again.document, again.etag, again.files)
    # Which flags the services use (the Stale view's "unused"), also as a first load in a child sends it.
    assert served.used == again.used == pickle.loads(pickle.dumps(again)).used
    assert {"dark-mode", "new-checkout"} <= again.used

    assert outcome.version is not None and outcome.written is not None
    loaded, _ = load_project(project)
    assert loaded is not None
    _, recorded = load_ref(loaded, outcome.version.ref)
    assert recorded == snapshot(outcome.written.resolution) == snapshot(fresh_resolution(project))


def test_the_watcher_reloads_a_hand_edit_but_not_a_served_write(project: Path) -> None:
    source = Source(ServeSettings(project, ("prod",)))
    source.load_now()
    outcome = write(source, {"dark-mode": {"state": "DISABLED"}})
    written = {str(project / name) for name in outcome.files}
    assert source.stale(written) == []

    flags = project / "config" / "envs" / "prod" / "flags.yaml"
    flags.write_text(flags.read_text(encoding="utf-8") + "\n# a hand edit\n", encoding="utf-8")
    assert source.stale({str(flags)}) == ["prod"]
    assert source.stale({str(project / "schemas" / "new.json")}) is None  # not served from: load all


def fresh_resolution(project: Path) -> Resolution:
    """prod as its files resolve now, read from scratch."""
    loaded, _ = load_project(project)
    assert loaded is not None
    return Resolver(loaded).resolve("prod")


FLAGS = ["dark-mode", "beta-banner", "new-checkout", "staff-tools"]
CONTEXTS = [{}, {"targetingKey": "user-7", "email": "ops@azora.example"}, {"targetingKey": "user-1"}]


@st.composite
def flag_writes(draw: st.DrawFn) -> list[dict[str, dict[str, object]]]:
    """Sequences of one- or two-flag changes: a state, a default variant (now and then one that is
    not a variant: the write is refused)."""
    chosen = []
    for _ in range(draw(st.integers(1, 5))):
        names = draw(st.lists(st.sampled_from(FLAGS), min_size=1, max_size=2, unique=True))
        fields = st.one_of(
            st.fixed_dictionaries({"state": st.sampled_from(["ENABLED", "DISABLED"])}),
            st.fixed_dictionaries(
                {"defaultVariant": st.sampled_from(["on", "off", "true", "false", "nope"])}
            ),
        )
        chosen.append({name: draw(fields) for name in names})
    return chosen


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=flag_writes())
def test_after_any_writes_the_service_serves_what_a_fresh_load_serves(
    tmp_path_factory: pytest.TempPathFactory, changes: list[dict[str, dict[str, object]]]
) -> None:
    # Each write builds and compiles only the flags it changed, and reuses what it derived from the
    # items it did not touch: none of it may differ from loading the files from scratch.
    root = tmp_path_factory.mktemp("serve") / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    project, _ = load_project(root)
    assert project is not None
    commit_environments(project, ["prod"], message="base", actor="tester")
    source = Source(ServeSettings(root, ("prod",)))
    source.load_now()
    for change in changes:
        try:
            write(source, change)
        except ApiError as error:
            assert error.status == 422, error.message  # a default that is not a variant
        served = source.current("prod")
        fresh = Source(ServeSettings(root, ("prod",)))
        fresh.load_now()
        again = fresh.current("prod")
        assert served is not None and again is not None
        assert (served.document, served.etag, served.files) == (again.document, again.etag, again.files)
        assert served.static_bodies == again.static_bodies and served.used == again.used
        for context in CONTEXTS:
            assert served.flags.evaluate_all(context, now=0) == again.flags.evaluate_all(context, now=0)
        loaded, _ = load_project(root)
        assert loaded is not None
        assert load_ref(loaded, "prod@latest")[1] == snapshot(fresh_resolution(root))


def test_a_reload_that_changes_no_flag_still_updates_which_flags_services_use(project: Path) -> None:
    source = Source(ServeSettings(project, ("prod",)))
    source.load_now()
    served = source.current("prod")
    assert served is not None and "sms-notifications" in served.used
    services = project / "config" / "base" / "services.yaml"
    text = services.read_text(encoding="utf-8")
    text = text.replace("      SMS_ENABLED: {flag: sms-notifications}\n", "")
    services.write_text(text.replace("flags: [sms-notifications]", "flags: []"), encoding="utf-8")
    asyncio.run(source.reload(["prod"]))
    now = source.current("prod")
    assert now is not None and now.etag == served.etag  # the flags themselves did not change
    assert "sms-notifications" not in now.used


def test_a_shorthand_flag_toggled_off_and_on_again_follows_the_base_again(project: Path) -> None:
    # dark-mode is `true` in base (shorthand). A toggle writes only the state over it, and toggling
    # back removes the override: prod follows the base again, as before the first toggle.
    overlay = project / "config" / "envs" / "prod" / "flags.yaml"
    original = overlay.read_text(encoding="utf-8")
    source = Source(ServeSettings(project, ("prod",)))
    source.load_now()
    write(source, {"dark-mode": {"state": "DISABLED"}})
    assert overlay.read_text(encoding="utf-8") == original + "  dark-mode:\n    state: DISABLED\n"
    write(source, {"dark-mode": {"state": "ENABLED"}})
    assert overlay.read_text(encoding="utf-8") == original
