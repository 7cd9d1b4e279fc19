"""Prometheus ``/metrics``: commands by name and outcome, deliveries, scheduler lag."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.core import Core
from bot.main.app import build_http_app
from bot.main.metrics import Metrics, kind_of
from scheduler.service import PromptService
from tests.conftest import Person
from tests.scheduler.fakes import FakeNotifier
from tests.scheduler.helpers import enrol, tick, utc


@pytest.fixture
def metrics(core: Core) -> Metrics:
    m = Metrics()
    core.observer = m.observe_command
    return m


@pytest.fixture
async def http(core: Core, metrics: Metrics) -> AsyncIterator[str]:
    server = TestServer(build_http_app(core, metrics))
    await server.start_server()
    try:
        yield str(server.make_url(""))
    finally:
        await server.close()


async def scrape(url: str) -> tuple[str, str]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as resp:
        assert resp.status == 200
        return resp.headers["Content-Type"], await resp.text()


async def test_metrics_count_commands_by_name_and_outcome(
    person: Callable[..., Person], http: str
) -> None:
    alice, bob = person("alice"), person("bob")
    assert not (await alice("/path mlops")).is_error
    assert not (await alice("/done")).is_error
    assert not (await bob("/path app")).is_error
    assert (await bob("/chapter 99.9")).is_error  # a mistake: user_error

    content_type, text = await scrape(http)
    assert content_type.startswith("text/plain; version=")  # Prometheus text format
    assert 'skilltree_commands_total{command="path",outcome="ok"} 2.0' in text
    assert 'skilltree_commands_total{command="done",outcome="ok"} 1.0' in text
    assert 'skilltree_commands_total{command="chapter",outcome="user_error"} 1.0' in text
    assert "# TYPE skilltree_command_latency_seconds histogram" in text
    assert 'skilltree_command_latency_seconds_count{command="path"} 2.0' in text
    assert "skilltree_scheduler_lag_seconds 0.0" in text
    assert "process_resident_memory_bytes" in text


async def test_health_and_readiness_stay_beside_metrics(http: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{http}/healthz") as resp:
            assert resp.status == 200
        async with session.get(f"{http}/readyz") as resp:
            assert resp.status == 200
            assert (await resp.json())["database"] is True


async def test_deliveries_sent_retried_failed(
    core: Core, person: Callable[..., Person], metrics: Metrics
) -> None:
    await enrol(person, "alice", tz="UTC")
    await enrol(person, "bob", tz="UTC")
    notifier = FakeNotifier("test", clock=core.clock)
    notifier.fail_next(1)  # one transient failure: retried, then sent
    notifier.fail_for("bob", permanent=True)  # bob's DMs are closed: failed

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    service = PromptService(
        core, {"test": metrics.notifier(notifier)}, observer=metrics, sleep=no_sleep
    )
    report = await tick(service, utc(2027, 3, 8, 9, 0))  # Monday 09:00 UTC: both due
    assert len(report.sent) == 1 and len(report.failed) == 1, report

    def value(result: str) -> float | None:
        return metrics.registry.get_sample_value(
            "skilltree_deliveries_total", {"kind": "reminder", "result": result}
        )

    assert (value("sent"), value("retried"), value("failed")) == (1.0, 1.0, 1.0)
    assert metrics.registry.get_sample_value("skilltree_scheduler_tick_seconds_count") == 1.0
    assert (
        metrics.registry.get_sample_value("skilltree_scheduler_last_tick_timestamp_seconds") or 0
    ) > 0

    # The next tick finds nothing more to send: the counters stay.
    await tick(service, utc(2027, 3, 8, 9, 1))
    assert (value("sent"), value("retried"), value("failed")) == (1.0, 1.0, 1.0)


def test_scheduler_lag_is_lateness_against_the_interval() -> None:
    now = [100.0]
    m = Metrics(clock=lambda: now[0])
    m.interval = 30.0
    assert m.scheduler_lag() == 0.0  # before the first tick
    m.tick_started()
    m.tick_finished(None)
    now[0] = 120.0
    assert m.scheduler_lag() == 0.0  # next tick not yet due
    now[0] = 145.0
    assert m.scheduler_lag() == 15.0  # due at 130, not started: stuck or starved
    m.tick_started()
    now[0] = 200.0
    assert m.scheduler_lag() == 15.0  # while a tick runs: how late it started
    m.tick_finished(None)
    assert m.scheduler_lag() == 25.0  # next was due at 175


def test_prompt_keys_name_their_kind() -> None:
    assert kind_of("user:12:reminder:2027-W11") == "reminder"
    assert kind_of("user:12:snooze:2027-03-16") == "snooze"
    assert kind_of("channel:3:channel:2027-W11") == "channel"
    assert kind_of("garbage") == "other"
