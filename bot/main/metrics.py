"""Prometheus metrics for ``skilltree run``, served at ``/metrics`` on the bot's HTTP server.

- ``skilltree_commands_total{command,outcome}`` and ``skilltree_command_latency_seconds{command}``:
  every command the core invokes (``Core.observer``); outcome is ok, refused, user_error,
  db_error or error.
- ``skilltree_deliveries_total{kind,result}``: weekly prompts (kind reminder, snooze, channel…)
  ``sent`` or ``failed`` after their retries, from each tick's ``RunReport``; ``retried`` counts
  each extra attempt (seen by wrapping the notifiers).
- ``skilltree_scheduler_lag_seconds``: how late the scheduler is. Each tick should start one
  interval after the previous one; this is how much later than that the current tick (while one
  is running) or the last one started — 0 when ticks are on time, growing while a tick is stuck
  or the event loop is starved. ``skilltree_scheduler_last_tick_timestamp_seconds`` and
  ``skilltree_scheduler_tick_seconds`` tell when the last tick ran and how long ticks take.

Each ``Metrics`` has its own registry, so several bots (tests) in one process do not collide.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import get_args

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from bot.ports import ChannelTarget, Notifier, UserTarget
from bot.types import Reply
from scheduler.service import Kind, RunReport

PREFIX = "skilltree"
KINDS: tuple[str, ...] = get_args(Kind)  # reminder, snooze, channel, ...
RESULTS = ("sent", "retried", "failed")


def kind_of(key: str) -> str:
    """A prompt key is ``<recipient>:<kind>:<period>``, the recipient being ``user:<id>`` or
    ``channel:<id>``."""
    parts = key.split(":")
    return parts[2] if len(parts) >= 4 and parts[2] in KINDS else "other"


class Metrics:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = CollectorRegistry()
        self._clock = clock
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.commands = Counter(
            f"{PREFIX}_commands",
            "Commands invoked, by command and outcome.",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_command_latency_seconds",
            "Time to handle a command, database work included.",
            ["command"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            f"{PREFIX}_deliveries",
            "Weekly prompts sent or failed (after retries), and retry attempts.",
            ["kind", "result"],
            registry=self.registry,
        )
        for kind in KINDS:
            for result in RESULTS:
                self.deliveries.labels(kind, result)
        self.tick_seconds = Histogram(
            f"{PREFIX}_scheduler_tick_seconds",
            "Time one scheduler tick took (claims, sends and retries).",
            registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
        )
        self.last_tick = Gauge(
            f"{PREFIX}_scheduler_last_tick_timestamp_seconds",
            "When the last scheduler tick finished (Unix time); 0 before the first.",
            registry=self.registry,
        )
        lag = Gauge(
            f"{PREFIX}_scheduler_lag_seconds",
            "How much later than planned (previous start + interval) the current or last"
            " scheduler tick started.",
            registry=self.registry,
        )
        lag.set_function(self.scheduler_lag)
        self.interval: float | None = None  # set by ``skilltree run``: the tick interval
        self._tick_started: float | None = None  # monotonic start of the current/last tick
        self._tick_running = False
        self._last_lag = 0.0
        self._attempts: dict[str, int] = {}  # prompt key → send attempts in the current tick

    # --- commands ---------------------------------------------------------------------------

    def observe_command(self, command: str, outcome: str, seconds: float) -> None:
        """A ``CommandObserver`` for ``Core.observer``."""
        self.commands.labels(command, outcome).inc()
        self.latency.labels(command).observe(seconds)

    # --- scheduler --------------------------------------------------------------------------

    def scheduler_lag(self) -> float:
        if self.interval is None or self._tick_started is None:
            return 0.0
        if self._tick_running:
            return self._last_lag
        return max(0.0, self._clock() - (self._tick_started + self.interval))

    def tick_started(self) -> None:
        now = self._clock()
        if self.interval is not None and self._tick_started is not None:
            self._last_lag = max(0.0, now - (self._tick_started + self.interval))
        self._tick_started = now
        self._tick_running = True
        self._attempts.clear()

    def tick_finished(self, report: RunReport | None) -> None:
        if self._tick_started is not None:
            self.tick_seconds.observe(max(0.0, self._clock() - self._tick_started))
        self._tick_running = False
        self._attempts.clear()
        self.last_tick.set(time.time())
        if report is None:
            return
        for key in report.sent:
            self.deliveries.labels(kind_of(key), "sent").inc()
        for key in report.failed:
            self.deliveries.labels(kind_of(key), "failed").inc()

    def send_attempted(self, key: str) -> None:
        """Called by ``MeteredNotifier`` before each send: a second attempt is a retry."""
        seen = self._attempts.get(key, 0)
        self._attempts[key] = seen + 1
        if seen:
            self.deliveries.labels(kind_of(key), "retried").inc()

    def notifier(self, inner: Notifier) -> Notifier:
        return MeteredNotifier(inner, self)

    # --- exposition -------------------------------------------------------------------------

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MeteredNotifier:
    """A Notifier that counts attempts per prompt key, then sends through ``inner``."""

    def __init__(self, inner: Notifier, metrics: Metrics) -> None:
        self.inner = inner
        self.platform = inner.platform
        self._metrics = metrics

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        self._metrics.send_attempted(key)
        await self.inner.send_to_user(target, reply, key=key)

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> str | None:
        self._metrics.send_attempted(key)
        return await self.inner.send_to_channel(target, reply, key=key)

    async def open_thread(
        self, target: ChannelTarget, message_id: str, name: str, reply: Reply, *, key: str
    ) -> str:
        """Part of the channel prompt's send: not an attempt of its own."""
        return await self.inner.open_thread(target, message_id, name, reply, key=key)

    async def introduce(
        self, channel: ChannelTarget, users: Sequence[UserTarget], reply: Reply, *, key: str
    ) -> str:
        self._metrics.send_attempted(key)
        return await self.inner.introduce(channel, users, reply, key=key)

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        self.inner.remember_dm_channel(target, channel_id)
