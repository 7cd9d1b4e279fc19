"""Option types and their converters, shared by every platform.

Adapters hand over raw strings (a Slack text token, a Discord string option); the core turns
them into typed values here, so a bad value gets the same friendly answer everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.errors import UserError
from bot.i18n import N_
from bot.suggest import closest
from bot.timezones import UnknownTimezone, resolve_timezone
from bot.types import Reply, UserRef

if TYPE_CHECKING:
    from bot.context import Ctx

MAX_OPTION_LENGTH = 200


class OptionType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    CHOICE = "choice"
    PATH = "path"  # resolved by the handler against the curriculum (with suggestions)
    CHAPTER = "chapter"  # likewise
    USER = "user"
    WEEKDAY = "weekday"
    TIME = "time"
    TIMEZONE = "timezone"
    DATE = "date"


class OptionError(UserError):
    """A value that cannot be used; the answer shows the command's usage too."""

    def __init__(
        self,
        key: str,
        suggestions: list[str] | None = None,
        *,
        hint: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(key, suggestions, hint=hint, usage=True, **params)


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str  # a msgid: translated where it is shown


@dataclass(frozen=True, slots=True)
class OptionSpec:
    name: str
    type: OptionType
    description: str  # a msgid (marked with N_), translated where it is shown
    required: bool = False
    choices: tuple[Choice, ...] = ()
    autocomplete: str | None = None  # "chapters" | "timezones" | "paths"
    positional: bool = True
    min_value: int | None = None
    max_value: int | None = None
    # Typed text: the words left over once every other positional option is placed join
    # this one (a note after a link), so people need no quotes. Put it last.
    rest: bool = False
    max_length: int = 0  # 0: MAX_OPTION_LENGTH; more for a value that needs it (a link)

    def placeholder(self) -> str:
        if self.choices:
            return "|".join(c.value for c in self.choices)
        return {
            OptionType.TIME: "HH:MM",
            OptionType.DATE: "YYYY-MM-DD",
            OptionType.TIMEZONE: "ZONE",
            OptionType.CHAPTER: "CHAPTER",
            OptionType.PATH: "NAME",
            OptionType.USER: "USER",
            OptionType.WEEKDAY: "DAY",
        }.get(self.type, self.name.upper())

    def usage(self) -> str:
        body = self.placeholder() if self.positional else f"{self.name}:{self.placeholder()}"
        return body if self.required else f"[{body}]"


Handler = Callable[["Ctx"], Awaitable[Reply]]


def never(_options: Mapping[str, Any]) -> bool:
    return False


def always(_options: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str  # a msgid (marked with N_), translated where it is shown
    handler: Handler
    options: tuple[OptionSpec, ...] = ()
    admin_only: bool = False
    # What a non-admin is told; ``{name}`` is the command's name.
    refusal: str = N_("Only admins of this workspace can use `/{name}`.")
    examples: tuple[str, ...] = field(default_factory=tuple)
    # Whether a call with these options usually only reads (``/progress``, bare ``/path``):
    # it then runs beside SQLite's writer instead of waiting for it, and takes no row lock on
    # PostgreSQL. Only a hint: a call that writes after all is stopped before the write and
    # run again as a normal one (``Database.reading``).
    reads: Callable[[Mapping[str, Any]], bool] = never

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)

    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(o.usage() for o in self.options)])


# --- converters -----------------------------------------------------------------------------

# NUL and other control characters have no business in a command, and PostgreSQL refuses NUL
# in text outright; tabs and newlines become spaces.
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)} | {127: None}
_SPACES = {9: " ", 10: " ", 13: " "}


def clean_text(raw: str) -> str:
    """Input as typed, without control characters, trimmed."""
    return raw.translate(_CONTROL).translate(_SPACES).strip()


_WEEKDAY_WORDS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("mon", "monday", "周一", "星期一", "礼拜一", "一"),
        ("tue", "tues", "tuesday", "周二", "星期二", "礼拜二", "二"),
        ("wed", "wednesday", "周三", "星期三", "礼拜三", "三"),
        ("thu", "thur", "thurs", "thursday", "周四", "星期四", "礼拜四", "四"),
        ("fri", "friday", "周五", "星期五", "礼拜五", "五"),
        ("sat", "saturday", "周六", "星期六", "礼拜六", "六"),
        ("sun", "sunday", "周日", "星期日", "星期天", "礼拜天", "周天", "日", "天"),
    ]
):
    for _n in _names:
        _WEEKDAY_WORDS[_n] = _i

_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|([^>]*))?>$")


def parse_weekday(raw: str) -> int:
    key = raw.strip().casefold()
    if key in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[key]
    if key.isdigit() and 1 <= int(key) <= 7:
        return int(key) - 1  # ISO numbering: 1 = Monday
    raise OptionError(
        N_("`{value}` is not a day of the week; try `mon`, `tuesday` or `周三`."), value=raw
    )


def parse_time(raw: str) -> str:
    m = _TIME.match(raw.strip())
    if not m:
        raise OptionError(
            N_("`{value}` is not a time of day; use 24-hour `HH:MM` such as `09:00` or `18:30`."),
            value=raw,
        )
    hour, minute, ampm = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise OptionError(
                N_(
                    "`{value}` is not a time of day; use 24-hour `HH:MM` such as "
                    "`09:00` or `18:30`."
                ),
                value=raw,
            )
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise OptionError(
            N_("`{value}` is not a time of day; use 24-hour `HH:MM` such as `09:00` or `18:30`."),
            value=raw,
        )
    return f"{hour:02d}:{minute:02d}"


def parse_date(raw: str, today: date) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        example = today.replace(day=1).isoformat()
        raise OptionError(
            N_("`{value}` is not a date; use `YYYY-MM-DD`, e.g. `{example}`."),
            value=raw,
            example=example,
        ) from None


def parse_user(raw: str) -> UserRef:
    value = raw.strip()
    m = _MENTION.match(value)
    if m:
        return UserRef(user_id=m.group(1), name=m.group(2) or None)
    if value.startswith("@"):
        value = value[1:]
    if not value:
        raise OptionError(N_("`{value}` is not a person I can look up."), value=raw)
    return UserRef(name=value)


def convert(spec: OptionSpec, raw: Any, today: date) -> Any:
    """Turn one raw value into its typed form, or raise ``OptionError``."""
    # Adapters may hand over typed values (a Discord user or integer option); they are
    # checked like typed text, so a bad value gets the same answer on every platform.
    if isinstance(raw, UserRef) and spec.type is OptionType.USER:
        return raw
    if isinstance(raw, date) and spec.type is OptionType.DATE:
        return raw
    text = clean_text(str(raw))
    if len(text) > (spec.max_length or MAX_OPTION_LENGTH):
        raise OptionError(
            N_("That is too long for `{option}` (at most {max} characters)."),
            option=spec.name,
            max=spec.max_length or MAX_OPTION_LENGTH,
        )
    if spec.choices:
        by_key = {c.value.casefold(): c.value for c in spec.choices}
        if text.casefold() in by_key:
            return by_key[text.casefold()]
        raise OptionError(
            N_("`{value}` is not a valid {option}; choose one of: {choices}."),
            suggestions=closest(text, [c.value for c in spec.choices]),
            value=text,
            option=spec.name,
            choices=", ".join(f"`{c.value}`" for c in spec.choices),
        )
    match spec.type:
        case OptionType.INTEGER:
            try:
                number = int(text)
            except ValueError:
                raise OptionError(N_("`{value}` is not a whole number."), value=text) from None
            if (spec.min_value is not None and number < spec.min_value) or (
                spec.max_value is not None and number > spec.max_value
            ):
                raise OptionError(
                    N_("`{value}` is out of range; use a number from {min} to {max}."),
                    value=text,
                    min=spec.min_value if spec.min_value is not None else "…",
                    max=spec.max_value if spec.max_value is not None else "…",
                )
            return number
        case OptionType.WEEKDAY:
            return parse_weekday(text)
        case OptionType.TIME:
            return parse_time(text)
        case OptionType.DATE:
            return parse_date(text, today)
        case OptionType.TIMEZONE:
            try:
                return resolve_timezone(text)
            except UnknownTimezone as exc:
                raise OptionError(
                    N_("`{value}` is not a timezone I know."),
                    suggestions=exc.suggestions,
                    hint=N_(
                        "Use an IANA name such as `Asia/Shanghai`, `Europe/Berlin` or "
                        "`America/New_York`."
                    ),
                    value=text,
                ) from None
        case OptionType.USER:
            return parse_user(text)
        case _:
            return text
