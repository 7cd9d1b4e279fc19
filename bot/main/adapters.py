"""The platform registry: which adapters ``skilltree run`` may start, and when.

Adding a platform is an ``Adapter`` class in ``adapters/<name>/`` plus one line here. Each entry
imports its package only when its settings are present, so a console-only user never loads
discord.py or slack-bolt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot.config import Settings
from bot.core import Core
from bot.ports import Adapter


class AdapterClass(Protocol):
    """What an adapter class offers (its class object, not an instance)."""

    def validate(self, settings: Settings) -> None:
        """Raise ``ValueError`` with one line when the settings cannot work."""
        ...

    def __call__(self, core: Core, settings: Settings, http: web.Application) -> Adapter: ...


@dataclass(frozen=True, slots=True)
class AdapterEntry:
    name: str
    configured: Callable[[Settings], bool]  # its credentials are set: start it
    load: Callable[[], AdapterClass]  # imports the platform's packages


def _slack() -> AdapterClass:
    from adapters.slack.runner import SlackAdapter

    return SlackAdapter


def _discord() -> AdapterClass:
    from adapters.discord.runner import DiscordAdapter

    return DiscordAdapter


ADAPTERS: tuple[AdapterEntry, ...] = (
    AdapterEntry("slack", lambda s: s.has_slack, _slack),
    AdapterEntry("discord", lambda s: s.discord_token is not None, _discord),
)


def configured_adapters(settings: Settings) -> list[AdapterClass]:
    """The classes of every adapter whose credentials are set, their settings checked: a
    ``ValueError`` names what cannot work before anything starts."""
    classes = [entry.load() for entry in ADAPTERS if entry.configured(settings)]
    for cls in classes:
        cls.validate(settings)
    return classes
