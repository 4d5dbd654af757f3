"""Prometheus metrics (``GET /metrics``), in a registry of the service's own.

Evaluations are counted in a plain dict on the hot path (a labelled prometheus counter costs about a
microsecond per flag, a quarter of a bulk evaluation's budget) and turned into
``azconf_flag_evaluations_total`` when scraped. Request latency is a histogram per API.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from azconf.flags.evaluate import Evaluation

if TYPE_CHECKING:
    from azconf.server.checks import HealthState
    from azconf.server.source import Source

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The service's metrics: evaluations, request latency, reloads and the served versions."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.evaluations: Counter[tuple[str, str, str]] = Counter()
        self.latency = Histogram(
            "azconf_http_request_duration_seconds",
            "Time to answer an HTTP request, by API and status.",
            ["api", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._source: Source | None = None
        self._health: HealthState | None = None
        self.registry.register(_Collector(self))

    def watch(self, source: Source) -> None:
        """Report ``source``'s reloads and served versions."""
        self._source = source

    def watch_health(self, state: HealthState) -> None:
        """Report the last measured doctor checks: a status and a value gauge per check."""
        self._health = state

    def evaluated(self, env: str, result: Evaluation) -> None:
        """Count one evaluation by environment, flag and reason (or error code)."""
        self.evaluations[(env, result.key, result.error_code or result.reason)] += 1

    def evaluated_all(self, env: str, results: list[Evaluation]) -> None:
        """Count a bulk evaluation's answers."""
        counts = self.evaluations
        for result in results:
            counts[(env, result.key, result.error_code or result.reason)] += 1

    def observe(self, api: str, status: int, seconds: float) -> None:
        """Record one request's latency."""
        self.latency.labels(api, str(status)).observe(seconds)

    def text(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)


class _Collector:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        yield from _evaluations(self.metrics)
        source = self.metrics._source
        if source is not None:
            yield from _source_metrics(source)
        health = self.metrics._health
        if health is not None and health.checks:
            yield from _check_metrics(health)


def _evaluations(metrics: Metrics) -> Iterator[Metric]:
    family = CounterMetricFamily(
        "azconf_flag_evaluations",
        "Flag evaluations by environment, flag and reason.",
        labels=["env", "flag", "reason"],
    )
    for (env, flag, reason), count in sorted(metrics.evaluations.items()):
        family.add_metric([env, flag, reason], count)
    yield family


def _source_metrics(source: Source) -> Iterator[Metric]:
    yield _counter("azconf_reloads", "Loads of the config after a change.", lambda: source.reloads)
    yield _counter(
        "azconf_reloads_rejected", "Loads refused because the config was invalid.", lambda: source.rejected
    )
    info = GaugeMetricFamily(
        "azconf_config_info",
        "The config version served (value 1), by environment.",
        labels=["env", "version", "etag"],
    )
    valid = GaugeMetricFamily(
        "azconf_config_valid", "1 when the config on disk is the one served.", labels=["env"]
    )
    for env, state in source.envs.items():
        if state.served is not None:
            info.add_metric([env, state.served.version, state.served.etag.strip('"')], 1)
        valid.add_metric([env], 0 if state.refused else 1)
    yield info
    yield valid


def _check_metrics(health: HealthState) -> Iterator[Metric]:
    """The same gauges as ``azconf doctor --format prometheus``."""
    labels = ["component", "env", "target", "metric"]  # Check.labels(), in this order
    status = GaugeMetricFamily(
        "azconf_check_status",
        "The status of an azconf doctor check: 0 ok, 1 warning, 2 critical.",
        labels=labels,
    )
    value = GaugeMetricFamily(
        "azconf_check_value", "The value of an azconf doctor check's metric.", labels=labels
    )
    for check in health.checks:
        key = list(check.labels().values())
        status.add_metric(key, int(check.status))
        value.add_metric(key, check.value)
    yield status
    yield value


def _counter(name: str, documentation: str, value: Callable[[], int]) -> Metric:
    family = CounterMetricFamily(name, documentation)
    family.add_metric([], value())
    return family
