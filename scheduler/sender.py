"""Sending a claimed prompt through its platform's ``Notifier``: retries with backoff (never
sooner than a rate limit asked), then the outcome goes to the ledger."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.logging_setup import RedactingFilter
from bot.ports import ChannelTarget, DeliveryError, Notifier, UserTarget
from scheduler.ledger import Outcome, Recorder, Transaction, still_claimed
from scheduler.model import Prompt, RunReport

log = logging.getLogger(__name__)

DETAIL_MAX = 500
MAX_RETRY_AFTER = 60.0  # seconds: a longer wait asked by a platform is left to a later tick

_TOKENS = RedactingFilter()  # token shapes only: the logging filter adds the settings' secrets


def _safe(message: str) -> str:
    """Error text goes into logs and the Delivery row: strip anything shaped like a token."""
    return _TOKENS.redact(message)[:DETAIL_MAX]


def _retry_after(exc: BaseException) -> float | None:
    """The wait a platform asked for (HTTP 429), when the error or its cause carries one:
    a ``retry_after`` attribute (discord.py's ``RateLimited``) or a ``Retry-After`` header on
    its ``response`` (slack-sdk's ``SlackApiError`` once its own retries gave up)."""
    for err in (exc, exc.__cause__):
        if err is None:
            continue
        value: Any = getattr(err, "retry_after", None)
        if value is None:
            headers = getattr(getattr(err, "response", None), "headers", None) or {}
            value = next(
                (v for k, v in dict(headers).items() if str(k).lower() == "retry-after"), None
            )
            if isinstance(value, list | tuple):
                value = value[0] if value else None
        if value is None:
            continue
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


class Sender:
    """Sends claimed prompts and hands each outcome to the ``Recorder``."""

    def __init__(
        self,
        notifiers: dict[str, Notifier],
        recorder: Recorder,
        transaction: Transaction,
        *,
        max_attempts: int,
        backoff_seconds: float,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        self.notifiers = notifiers
        self.recorder = recorder
        self._transaction = transaction
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep

    async def deliver(
        self, prompt: Prompt, delivery_id: int, at: datetime, report: RunReport
    ) -> None:
        attempts, error = 0, ""
        wait: float | None = None
        conversation: str | None = None
        for attempt in range(1, self.max_attempts + 1):
            # The first attempt follows the claim committed just now; a retry comes after a
            # backoff, during which the person may have deleted their data (and the claim).
            if attempt > 1 and not await still_claimed(self._transaction, delivery_id):
                log.info("dropped %s: the recipient's data was deleted meanwhile", prompt.key)
                return
            attempts = attempt
            try:
                conversation = await self.send(prompt)
                error = ""
                break
            except DeliveryError as exc:
                error = _safe(f"{type(exc).__name__}: {exc}")
                if exc.permanent:
                    break
                wait = _retry_after(exc)
            except Exception as exc:  # an adapter bug or a network error: retry like transient
                error = _safe(f"{type(exc).__name__}: {exc}")
                wait = _retry_after(exc)
            log.warning("send %s failed (attempt %d): %s", prompt.key, attempt, error)
            if attempt < self.max_attempts:
                # Exponential backoff, but never sooner than a rate limit said (429).
                backoff = self.backoff_seconds * 2 ** (attempt - 1)
                await self._sleep(max(backoff, min(wait or 0.0, MAX_RETRY_AFTER)))
        outcome = Outcome(prompt, delivery_id, not error, attempts, error, at, report, conversation)
        await self.recorder.record(outcome)

    async def send(self, prompt: Prompt) -> str | None:
        """Send one prompt; where study buddies were introduced, for the ledger."""
        notifier = self.notifiers[prompt.platform]
        if prompt.members:
            assert isinstance(prompt.target, ChannelTarget)
            return await notifier.introduce(
                prompt.target, prompt.members, prompt.reply, key=prompt.key
            )
        if isinstance(prompt.target, UserTarget):
            # The claim read the person's row, DM channel id included: a notifier that keeps
            # DM channels (Discord) is told, and saves a directory read per message.
            if prompt.dm_channel:
                notifier.remember_dm_channel(prompt.target, prompt.dm_channel)
            await notifier.send_to_user(prompt.target, prompt.reply, key=prompt.key)
            return None
        message_id = await notifier.send_to_channel(prompt.target, prompt.reply, key=prompt.key)
        if prompt.thread is not None and message_id:
            await self._open_thread(notifier, prompt, prompt.target, message_id)
        return None

    @staticmethod
    async def _open_thread(
        notifier: Notifier, prompt: Prompt, target: ChannelTarget, message_id: str
    ) -> None:
        """Best effort: the prompt itself went out, and retrying the whole send for its thread
        would post the prompt twice, so a thread that cannot be opened is only logged."""
        assert prompt.thread is not None
        try:
            await notifier.open_thread(
                target, message_id, prompt.thread.name, prompt.thread.reply, key=f"{prompt.key}:t"
            )
        except Exception as exc:
            log.warning("could not open the thread of %s: %s", prompt.key, _safe(repr(exc)))
