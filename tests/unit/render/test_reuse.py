"""What the targets keep for the other environments of a run changes no byte of any environment's files.

The example's overlays change flags, secrets and services; a made-up pair of environments shares
typed items that meet every input a Kubernetes object takes from the rest of its environment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import Project, load_project
from azconf.model.sections import Environment
from azconf.render import TARGETS, target
from azconf.render.base import RenderContext, RenderError, Reuse
from azconf.render.inputs import sources_for
from azconf.render.kubernetes import KubernetesOptions
from azconf.render.pipeline import Source, render_context, target_options

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


@pytest.fixture(scope="module")
def project() -> Project:
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    return project


def built(context: RenderContext, name: str) -> dict[str, str] | list[str]:
    """The files of one target for one environment, or the rules it breaks."""
    try:
        return target(name).render(context)
    except RenderError as error:
        return error.violations


@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("order", ["promotion order", "reversed"])
def test_a_run_that_reuses_renders_every_environment_as_a_fresh_one(
    project: Project, name: str, order: str
) -> None:
    sources = sources_for(project, list(project.manifest.environments), None)
    if order == "reversed":
        sources.reverse()
    reuse = Reuse()  # one per run, as in a render

    def context(source: Source, reuse: Reuse) -> RenderContext:
        return render_context(project, source, target_options(project, name, source.env), {}, reuse)

    for source in sources:
        assert built(context(source, reuse), name) == built(context(source, Reuse()), name), source.env


def shop() -> dict[str, Any]:
    on_off = {"on": True, "off": False}
    return {
        "flags": {
            "checkout": {"state": "ENABLED", "variants": on_off, "defaultVariant": "on"},
            "retries": {"state": "ENABLED", "variants": {"low": 1, "high": 5}, "defaultVariant": "high"},
        },
        "secrets": {
            "db": {"ref": "vault://kv/shop/db#password"},
            "stripe": {"ref": "k8s://payments-secrets/STRIPE"},
        },
        "services": {
            "payments": {
                "image": "ghcr.io/shop/payments:1.0.0",
                "port": 8080,
                "env": {
                    "DB": {"secret": "db"},
                    "STRIPE": {"secret": "stripe"},
                    "CHECKOUT": {"flag": "checkout"},
                    "RETRIES": {"flag": "retries"},
                },
                "secrets": ["db"],
            },
            "web": {"image": "ghcr.io/shop/web:2.0.0", "port": 3000},
        },
        "routes": {"web": {"path": "/", "service": "web", "methods": ["GET"]}},
    }


def test_a_shared_item_follows_what_each_environment_links_it_to() -> None:
    """Each environment changes one input of the objects of items it shares with the first."""
    first = Environment.model_validate(shop())

    def sharing(change: Callable[[dict[str, Any]], None]) -> Environment:
        data = shop()
        change(data)
        model = Environment.model_validate(data)
        # The first environment's typed services and routes, as layering shares untouched items;
        # a changed service stays the changed one.
        services = {
            name: first.services[name]
            if data["services"][name] == shop()["services"][name]
            else model.services[name]
            for name in model.services
        }
        return model.model_copy(update={"services": services, "routes": first.routes})

    def disable_checkout(data: dict[str, Any]) -> None:
        data["flags"]["checkout"]["state"] = "DISABLED"  # no static value: an optional reference

    def fewer_retries(data: dict[str, Any]) -> None:
        data["flags"]["retries"]["defaultVariant"] = "low"  # another value: another pod checksum

    def existing_db_secret(data: dict[str, Any]) -> None:
        data["secrets"]["db"] = {"ref": "k8s://shared/DB"}  # read from an existing Secret instead

    def local_stripe_secret(data: dict[str, Any]) -> None:
        data["secrets"]["stripe"] = {"ref": "env://STRIPE"}  # not readable in a cluster: a violation

    def web_port(data: dict[str, Any]) -> None:
        data["services"]["web"]["port"] = 3001  # the route's backend port

    changes = [disable_checkout, fewer_retries, existing_db_secret, local_stripe_secret, web_port]
    envs = [("first", first), *((change.__name__, sharing(change)) for change in changes)]
    options = KubernetesOptions()

    def context(env: str, model: Environment, reuse: Reuse) -> RenderContext:
        return RenderContext(
            "shop", env, model, {}, f"{env} sha256:{env}", f"sha256:{env}", options, reuse=reuse
        )

    for order in (envs, envs[::-1]):
        reuse = Reuse()
        for env, model in order:
            assert built(context(env, model, reuse), "kubernetes") == built(
                context(env, model, Reuse()), "kubernetes"
            ), env


def test_reuse_computes_once_per_function_object_and_inputs() -> None:
    reuse, calls = Reuse(), []

    def make(item: dict[str, int], *inputs: str) -> int:
        calls.append((item, inputs))
        return len(calls)

    def other(item: dict[str, int]) -> int:
        return -1

    item, twin = {"a": 1}, {"a": 1}
    assert reuse.item(make, item) == reuse.item(make, item) == 1
    assert reuse.item(make, twin) == 2  # equal, but another object: computed again
    assert reuse.item(make, item, "other input") == 3
    assert calls[-1] == (item, ("other input",))  # the inputs reach the function
    assert reuse.item(make, item, "".join(["other ", "input"])) == 3  # inputs compare by value
    assert reuse.item(other, item) == -1  # another function: its own result
    assert reuse.item(make, item) == 1


def test_a_failure_is_not_kept() -> None:
    reuse, attempts = Reuse(), []

    def failing(item: object) -> int:
        attempts.append(item)
        raise ValueError("bad item")

    item = object()
    for _ in range(2):
        with pytest.raises(ValueError, match="bad item"):
            reuse.item(failing, item)
    assert len(attempts) == 2
