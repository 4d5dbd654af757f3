"""The functions other features call: commit, load, render records, audit, and where the file lives."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from azconf.config.project import Project
from azconf.environment import InvalidEnvironment
from azconf.errors import UsageError
from azconf.history import api
from azconf.history.errors import HistoryCorrupt
from azconf.history.records import Change
from azconf.render.inputs import source_for, version_source
from azconf.render.output import OutputReport
from azconf.render.recording import record_render
from azconf.snapshot import content_hash


def edit(project: Project, relative: str, old: str, new: str) -> None:
    path = project.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    project.documents.clear()  # the project reads each file once; this one changed


def test_commit_then_unchanged(project: Project) -> None:
    first = api.commit_environment(project, "prod", message="first")
    assert first is not None and first.ref == "prod@1" and first.parent is None
    assert first.changes == first.items
    assert first.actor == "tester@example.com"
    assert api.commit_environment(project, "prod", message="again") is None
    assert (project.root / ".azconf" / "history.db").is_file()


def test_a_change_records_only_the_changed_items(project: Project) -> None:
    api.commit_environment(project, "prod", message="first")
    edit(project, "config/envs/prod/services.yaml", "replicas: 4", "replicas: 5")
    second = api.commit_environment(project, "prod", message="more")
    assert second is not None and (second.number, second.parent, second.changes) == (2, 1, 1)
    entries = [e for e in api.audit_entries(project) if e.version == "prod@2"]
    assert [(e.action, e.resource_type, e.resource_id) for e in entries] == [
        ("commit", "service", "services.payments")
    ]
    assert entries[0].old_value["replicas"] == 4 and entries[0].new_value["replicas"] == 5


def test_a_snapshot_comes_back_exactly(project: Project) -> None:
    from azconf.environment import load_environment
    from azconf.snapshot import snapshot

    version = api.commit_environment(project, "prod", message="")
    assert version is not None
    data = api.load_snapshot(project, version)
    assert data == snapshot(load_environment(project, "prod").resolution)
    assert content_hash(data) == version.content_hash
    assert list(data["services"]) == list(snapshot(load_environment(project, "prod").resolution)["services"])


def test_an_invalid_environment_is_refused_and_nothing_is_recorded(project: Project) -> None:
    edit(project, "config/base/routes.yaml", "service: payments", "service: paymnts")
    with pytest.raises(InvalidEnvironment) as caught:
        api.commit_environments(project, ["dev", "prod"], message="")
    assert any(p.code == "AZC0301" for p in caught.value.problems)
    assert api.versions(project) == []


def test_several_environments_commit_together(project: Project) -> None:
    outcomes = api.commit_environments(project, ["dev", "staging", "prod"], message="all")
    assert [(o.env, o.recorded) for o in outcomes] == [("dev", True), ("staging", True), ("prod", True)]
    assert {v.time for v in api.versions(project)} == {outcomes[0].version.time}  # type: ignore[union-attr]


def test_identical_items_are_stored_once(project: Project) -> None:
    api.commit_environments(project, ["dev", "staging", "prod"], message="")
    with sqlite3.connect(project.root / ".azconf" / "history.db") as db:
        blobs = db.execute("SELECT count(*) FROM blobs").fetchone()[0]
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
    assert items == 156 and blobs < 100  # three environments share most of their items


def test_removed_items_are_gone_from_the_version(project: Project) -> None:
    edit(
        project,
        "config/envs/dev/flags.yaml",
        "  beta-banner: true\n",
        "  beta-banner: true\n  temp-flag: true\n",
    )
    api.commit_environment(project, "dev", message="add")
    edit(project, "config/envs/dev/flags.yaml", "  temp-flag: true\n", "")
    removed = api.commit_environment(project, "dev", message="drop")
    assert removed is not None and removed.changes == 1
    assert "temp-flag" not in api.load_snapshot(project, removed)["flags"]
    assert api.load_snapshot(project, api.resolve_ref(project, "dev@1"))["flags"]["temp-flag"] is True
    (entry,) = [e for e in api.audit_entries(project, resource="flags.temp-flag") if e.version == "dev@2"]
    assert entry.new_value is None and entry.old_value is True


def test_tampered_content_is_caught_when_loaded(project: Project) -> None:
    version = api.commit_environment(project, "prod", message="")
    assert version is not None
    with sqlite3.connect(project.root / ".azconf" / "history.db") as db:
        db.execute("UPDATE blobs SET json = replace(json, 'payments', 'paymentz')")
    with pytest.raises(HistoryCorrupt, match="no longer matches its hash"):
        api.load_snapshot(project, version)


def test_database_path_precedence(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.database_path(project) == project.root / ".azconf" / "history.db"
    monkeypatch.setenv("AZCONF_DB", str(tmp_path / "env.db"))
    assert api.database_path(project) == tmp_path / "env.db"
    assert api.database_path(project, tmp_path / "flag.db") == tmp_path / "flag.db"


def render_reports(project: Project) -> list[tuple[str, OutputReport]]:
    folder = project.root / "deploy" / "prod" / "flagd"
    return [("flagd", OutputReport(folder, written=["flags.json"]))]


def test_record_render_marks_the_version_rendered(project: Project) -> None:
    source = source_for(project, "prod", None)
    record_render(project, source, render_reports(project))
    rendered = api.resolve_ref(project, "prod@rendered")
    assert rendered.ref == "prod@1" and rendered.message == "render" and rendered.rendered
    (target,) = [e for e in api.audit_entries(project) if e.resource_type == "target"]
    assert (target.action, target.resource_id, target.note) == (
        "render",
        "render.flagd",
        "from the working tree",
    )
    assert target.new_value == {
        "version": "prod@1",
        "folder": "deploy/prod/flagd",
        "files": 1,
        "written": 1,
        "removed": 0,
    }
    record_render(project, source, render_reports(project))  # the same content: no new version
    assert [v.ref for v in api.versions(project)] == ["prod@1"]


def test_a_render_from_history_is_a_rollback(project: Project) -> None:
    api.commit_environment(project, "prod", message="one")
    edit(project, "config/envs/prod/services.yaml", "replicas: 4", "replicas: 5")
    api.commit_environment(project, "prod", message="two")
    source = version_source(project, "prod@1", "prod")
    assert source.version.startswith("prod@1 sha256:") and source.env == "prod"
    assert source.model.services["payments"].replicas == 4
    record_render(project, source, render_reports(project))
    assert api.resolve_ref(project, "prod@rendered").number == 1
    last = api.audit_entries(project, limit=1)[0]
    assert last.note == "from history: prod@1, a rollback" and last.version == "prod@1"


def test_a_version_of_another_environment_is_refused(project: Project) -> None:
    api.commit_environment(project, "prod", message="")
    with pytest.raises(UsageError, match='--env dev does not match "prod@1", a version of prod'):
        version_source(project, "prod@1", "dev")


def test_no_history_yet(project: Project) -> None:
    assert api.versions(project) == [] and api.audit_entries(project) == []
    assert api.verify_audit(project).ok
    with pytest.raises(UsageError, match='no version "prod@1": there is no history at'):
        api.resolve_ref(project, "prod@1")


def test_record_changes_redacts_and_chains(project: Project) -> None:
    api.commit_environment(project, "prod", message="")
    password = "hunter2-hunter2-hunter2"
    change = Change("setting", "settings.admin_password", None, password)
    api.record_changes(project, action="set", env="prod", changes=[change], note="by hand")
    last = api.audit_entries(project, limit=1)[0]
    assert (last.action, last.note, last.version) == ("set", "by hand", None)
    assert last.new_value.startswith("<redacted sha256:")
    assert api.verify_audit(project).ok


def test_audit_filters(project: Project) -> None:
    api.commit_environments(project, ["dev", "prod"], message="", actor="alice")
    edit(project, "config/envs/prod/services.yaml", "replicas: 4", "replicas: 5")
    api.commit_environment(project, "prod", message="", actor="bob")
    assert {e.environment for e in api.audit_entries(project, env="dev")} == {"dev"}
    assert [e.resource_id for e in api.audit_entries(project, actor="bob")] == ["services.payments"]
    assert {e.resource_type for e in api.audit_entries(project, resource="flags")} == {"flag"}
    assert {e.resource_type for e in api.audit_entries(project, resource="flags.*")} == {"flag"}
    assert len(api.audit_entries(project, resource="flags.new-checkout")) == 2
    assert api.audit_entries(project, since="2999-01-01T00:00:00.000000Z") == []


RESOURCES = [
    "flags", "flags.a", "flags.a.state", "flags.ab", 'flags."a.b"', 'flags."a.b".state', "flags.a_b",
    "flags.a%", "flags.é.state", "flagsx.a", "settings.a",
]  # fmt: skip


def test_an_ids_entries_are_those_the_pattern_matches(project: Project) -> None:
    """The database's lookup of a plain id (and what is below it) finds what matching every entry
    finds, and the newest time of each; odd characters (LIKE's wildcards, quotes, non-ASCII) included."""
    for number, resource in enumerate(RESOURCES):
        api.record_changes(project, action="set", env="prod", changes=[Change("x", resource, None, number)])
    every = api.audit_entries(project)
    for query in [*RESOURCES, "flags.a.", "flag", 'flags."a.b', ""]:
        wanted = [e for e in every if api._matches(query, e.resource_id)]
        assert api.audit_entries(project, resource=query) == wanted, query
        newest = {e.resource_id: e.time for e in wanted}
        assert api.last_changes(project, query, env="prod") == newest, query
    assert api.last_changes(project, "flags", env="dev") == {}


def test_working_tree_differs(project: Project) -> None:
    assert not api.working_tree_differs(project, "prod")  # nothing recorded: nothing to differ from
    api.commit_environment(project, "prod", message="")
    assert not api.working_tree_differs(project, "prod")
    edit(project, "config/envs/prod/services.yaml", "replicas: 4", "replicas: 5")
    assert api.working_tree_differs(project, "prod")


def test_an_unknown_environment_is_a_usage_error(project: Project) -> None:
    with pytest.raises(UsageError, match='unknown environment "prd" \\(did you mean "prod"\\?\\)'):
        api.versions(project, "prd")
    with pytest.raises(UsageError, match='unknown environment "prd"'):
        api.audit_entries(project, env="prd")


def test_the_public_surface() -> None:
    """Other features call these; a change to the list is a change to a contract."""
    public = {name for name in dir(api) if not name.startswith("_") and callable(getattr(api, name))}
    declared = set(api.__all__) - {"DB_VARIABLE"}
    assert declared <= public
    assert sorted(api.__all__) == [
        "DB_VARIABLE", "audit_entries", "commit_environment", "commit_environments", "commit_snapshots",
        "commit_validated",
        "database_path", "is_latest", "last_changes", "load_ref", "load_snapshot", "open_history",
        "read_snapshot", "record_changes", "resolve_ref", "verify_audit",
        "versions",
        "working_tree_differs",
    ]  # fmt: skip
