"""A tick observer (metrics) is told when each tick starts and how it ended, without
subclassing the service."""

from __future__ import annotations

import pytest

from scheduler.service import PromptService, RunReport, TickObserver
from tests.scheduler.helpers import enrol, tick, utc

MON = utc(2027, 3, 8, 9, 0)  # the Monday after the fixtures' START (2027-03-01 12:00 UTC)


class Recording:
    def __init__(self) -> None:
        self.events: list[tuple[str, RunReport | None]] = []

    def tick_started(self) -> None:
        self.events.append(("started", None))

    def tick_finished(self, report: RunReport | None) -> None:
        self.events.append(("finished", report))


async def test_the_observer_sees_each_tick_start_and_its_report(person, make_service, notifier):
    await enrol(person, "alice")
    observer = Recording()
    watched: TickObserver = observer
    service: PromptService = make_service(observer=watched)
    report = await tick(service, MON)
    assert report.sent == [notifier.sent[0].key]
    assert observer.events == [("started", None), ("finished", report)]


async def test_a_tick_that_raises_is_finished_with_no_report(make_service, monkeypatch, clock):
    observer = Recording()
    service: PromptService = make_service(observer=observer)

    async def broken(at: object) -> RunReport:
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_tick", broken)
    with pytest.raises(RuntimeError):
        await tick(service, MON)
    assert observer.events == [("started", None), ("finished", None)]
