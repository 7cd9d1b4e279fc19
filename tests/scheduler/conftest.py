"""Scheduler fixtures: a fake notifier on the core's clock and a service factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.core import Core
from scheduler.service import PromptService
from tests.scheduler.fakes import FakeNotifier


@pytest.fixture
def notifier(clock: FixedClock) -> FakeNotifier:
    return FakeNotifier("test", clock=clock)


class Sleeps(list[float]):
    """Records backoff delays instead of sleeping (tests never sleep)."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_service(
    core: Core, notifier: FakeNotifier, sleeps: Sleeps
) -> Callable[..., PromptService]:
    def make(**kwargs: Any) -> PromptService:
        kwargs.setdefault("grace", timedelta(hours=6))
        kwargs.setdefault("concurrency", 4)
        kwargs.setdefault("backoff_seconds", 1.0)
        kwargs.setdefault("sleep", sleeps)
        notifiers = kwargs.pop("notifiers", {"test": notifier})
        return PromptService(core, notifiers, **kwargs)

    return make


@pytest.fixture
def service(make_service: Callable[..., PromptService]) -> PromptService:
    return make_service()
