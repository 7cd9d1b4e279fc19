"""A rate-limited send is retried no sooner than the platform asked, whatever the backoff."""

from __future__ import annotations

from bot.ports import DeliveryError
from scheduler.sender import MAX_RETRY_AFTER, _retry_after
from tests.scheduler.helpers import enrol, tick, utc

MON = utc(2027, 3, 8, 9, 0)


class RateLimited(Exception):
    """Shaped like discord.py's: the wait in an attribute."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry in {retry_after}")
        self.retry_after = retry_after


class Response:
    """Shaped like slack-sdk's: the wait in a header of the failed response."""

    def __init__(self, headers: dict[str, object]) -> None:
        self.headers = headers


class ApiError(Exception):
    def __init__(self, headers: dict[str, object]) -> None:
        super().__init__("ratelimited")
        self.response = Response(headers)


def wrapped(cause: Exception) -> DeliveryError:
    try:
        raise DeliveryError("DM: ratelimited") from cause
    except DeliveryError as exc:
        return exc


def test_the_wait_is_read_from_the_error_or_its_cause():
    assert _retry_after(wrapped(RateLimited(2.5))) == 2.5
    assert _retry_after(wrapped(ApiError({"retry-after": "3"}))) == 3.0
    assert _retry_after(wrapped(ApiError({"Retry-After": ["4"]}))) == 4.0
    assert _retry_after(wrapped(ApiError({}))) is None
    assert _retry_after(DeliveryError("HTTP 503")) is None


async def test_the_backoff_is_stretched_to_the_retry_after(core, person, service, notifier, sleeps):
    await enrol(person, "alice")
    notifier.fail_next(1, exc=wrapped(ApiError({"Retry-After": "7"})))
    notifier.fail_next(1, exc=wrapped(RateLimited(10 * MAX_RETRY_AFTER)))
    report = await tick(service, MON)
    assert len(report.sent) == 1
    assert sleeps == [7.0, MAX_RETRY_AFTER]  # not the 1 s and 2 s backoff; capped
