"""Prometheus metrics (``vetbot_`` prefix), owned by the process's ``Runtime``.

Nothing is registered at import: ``Metrics()`` builds its own ``CollectorRegistry`` and
every part of the product increments what it owns through ``rt.metrics`` (the shell
counts messages and times the engine; a rate limiter calls
``rt.metrics.rate_limited.labels(channel="wechat").inc()``; the login guard
``rt.metrics.lockouts.inc()``). What lives in the database — tickets open and overdue
per queue, outbox backlog and failures, inbox lag — is read when ``/metrics`` is
scraped (``database_families``), once for the whole cluster.

With several worker processes (``PROMETHEUS_MULTIPROC_DIR`` set before the workers
start; ``vetbot serve --workers N`` does it) each process writes its values to that
folder and ``exposition`` sums them (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from sqlalchemy.orm import Session

from db import backlog
from db import inbox as inbox_rows

ENGINE_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CONFIDENCE_BUCKETS = tuple(round(0.1 * i, 1) for i in range(1, 11))
RETRIEVED = frozenset({"faq", "unknown"})  # intents whose answer came from KB retrieval


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The process's counters, histograms and gauges, in a registry of its own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.messages_in = Counter(
            "vetbot_messages_in",
            "Messages handled, by channel and intent",
            ["channel", "intent"],
            registry=r,
        )
        self.messages_out = Counter(
            "vetbot_messages_out",
            "Replies given, by channel and intent",
            ["channel", "intent"],
            registry=r,
        )
        self.engine_seconds = Histogram(
            "vetbot_engine_seconds",
            "Time of one engine step (understanding and flow), by channel",
            ["channel"],
            buckets=ENGINE_BUCKETS,
            registry=r,
        )
        self.retrieval_confidence = Histogram(
            "vetbot_retrieval_confidence",
            "Confidence of the best KB match for questions answered or abstained on",
            buckets=CONFIDENCE_BUCKETS,
            registry=r,
        )
        self.abstained = Counter(
            "vetbot_abstained",
            "Questions the bot did not guess at (below the threshold), by channel; "
            "abstention rate = abstained / messages_in",
            ["channel"],
            registry=r,
        )
        self.unanswered = Counter(
            "vetbot_unanswered", "Questions recorded for KB curators", ["channel"], registry=r
        )
        self.rate_limited = Counter(
            "vetbot_rate_limited",
            "Messages refused by a rate limit, by channel",
            ["channel"],
            registry=r,
        )
        self.lockouts = Counter(
            "vetbot_login_lockouts", "Staff accounts locked by failed logins", registry=r
        )
        self.inbox_received = Counter(
            "vetbot_inbox_received",
            "Channel messages stored in the inbox (retries included)",
            ["channel"],
            registry=r,
        )
        self.inbox_recovered = Counter(
            "vetbot_inbox_recovered",
            "Messages taken back from the inbox after their lease ran out (a crash, a failed step)",
            ["channel"],
            registry=r,
        )
        self.db_unavailable = Counter(
            "vetbot_db_unavailable",
            "Requests answered 503 because the database was unavailable",
            registry=r,
        )
        self.engine_threads_alive = Gauge(
            "vetbot_engine_threads_alive",
            "WeChat engine threads alive (summed over live processes)",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.engine_thread_deaths = Counter(
            "vetbot_engine_thread_deaths", "Engine threads found dead and started again", registry=r
        )

    def turn(
        self,
        channel: str,
        intent: str,
        replies: int,
        confidence: float,
        seconds: float,
        unanswered: bool,
    ) -> None:
        """One engine step of the shell."""
        self.messages_in.labels(channel, intent).inc()
        if replies:
            self.messages_out.labels(channel, intent).inc(replies)
        self.engine_seconds.labels(channel).observe(seconds)
        if intent in RETRIEVED:
            self.retrieval_confidence.observe(confidence)
        if intent == "unknown":
            self.abstained.labels(channel).inc()
        if unanswered:
            self.unanswered.labels(channel).inc()

    def exposition(self, extra: Iterable[Metric] = ()) -> bytes:
        """The text format for /metrics: this process's metrics (every process's in
        multiprocess mode) and ``extra`` families read at scrape time."""
        registry = CollectorRegistry(auto_describe=False)
        if multiprocess_dir():
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(registry)
        else:
            registry.register(_Families(self.registry.collect))
        registry.register(_Families(lambda: iter(list(extra))))
        return generate_latest(registry)


class _Families:
    def __init__(self, collect: Any) -> None:
        self._collect = collect

    def collect(self) -> Iterator[Metric]:
        yield from self._collect()


def database_families(session: Session, now: dt.datetime, today: dt.date) -> list[Metric]:
    """Gauges read from the database: the same for every process, so read once per scrape."""
    inbox = inbox_rows.backlog(session, now)
    outbox = backlog.outbox(session, now)
    tickets = backlog.tickets(session, today)
    families: list[Metric] = [
        _gauge("vetbot_db_up", "1 when the database answered this scrape", {(): 1}),
        _gauge("vetbot_inbox_pending", "Inbox messages not yet handled", {(): inbox.pending}),
        _gauge("vetbot_inbox_failed", "Inbox messages given up after retries", {(): inbox.failed}),
        _gauge(
            "vetbot_inbox_lag_seconds",
            "Age of the oldest inbox message not yet handled",
            {(): inbox.oldest_seconds},
        ),
        _gauge(
            "vetbot_outbox_backlog",
            "Outgoing messages not yet sent, by channel",
            {(c,): n for c, n in outbox.waiting.items()},
            ["channel"],
        ),
        _gauge(
            "vetbot_outbox_given_up",
            "Outgoing messages that failed for good, by status (failed, undeliverable)",
            {(s,): n for s, n in outbox.given_up.items()},
            ["status"],
        ),
        _gauge(
            "vetbot_outbox_lag_seconds",
            "How long the most overdue outgoing message has been due",
            {(): outbox.oldest_due_seconds},
        ),
        _gauge(
            "vetbot_tickets_open",
            "Open tickets by queue (region code)",
            {(q,): n for q, n in tickets.open.items()},
            ["queue"],
        ),
        _gauge(
            "vetbot_tickets_overdue",
            "Open tickets past their due date by queue",
            {(q,): n for q, n in tickets.overdue.items()},
            ["queue"],
        ),
    ]
    return families


def database_down() -> list[Metric]:
    return [_gauge("vetbot_db_up", "1 when the database answered this scrape", {(): 0})]


def _gauge(
    name: str, doc: str, values: dict[tuple[str, ...], float], labels: list[str] | None = None
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels or [])
    for label_values, value in sorted(values.items()):
        family.add_metric(list(label_values), float(value))
    return family
