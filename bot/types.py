"""The core's vocabulary: who asked, where, what, and the answer as a small document.

Adapters build ``Invocation``s and render ``Reply``s; the core never sees a raw payload and
never produces one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

# Re-exported: the core's vocabulary, which adapters import from here.
from bot.i18n import Locale as Locale
from bot.i18n import normalize_locale as normalize_locale

Source = Literal["slash", "button", "text"]
ButtonStyle = Literal["primary", "secondary", "danger"]


@dataclass(frozen=True, slots=True)
class Actor:
    platform: str
    workspace: str
    user_id: str
    display_name: str = ""
    locale: Locale = "en"
    is_admin: bool = False
    timezone: str | None = None  # IANA name when the platform tells us (Slack users.info tz)


@dataclass(frozen=True, slots=True)
class Place:
    platform: str
    workspace: str
    channel_id: str | None = None  # None: a direct message
    channel_name: str = ""

    @property
    def is_dm(self) -> bool:
        return self.channel_id is None


@dataclass(frozen=True, slots=True)
class UserRef:
    """A mention of another person: a platform id when known, else a name to look up."""

    user_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Invocation:
    command: str
    options: dict[str, Any]
    actor: Actor
    place: Place
    source: Source = "slash"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class ProgressBar:
    done: float
    total: float
    label: str = ""

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else max(0.0, min(1.0, self.done / self.total))


@dataclass(frozen=True, slots=True)
class Button:
    """A button that runs a command when pressed: ``command`` with ``args`` as typed text.

    Carrying the command in the button keeps buttons stateless, so they still work after a
    restart (Discord custom_id is at most 100 characters; ours are far shorter).
    """

    label: str
    command: str
    args: str = ""
    style: ButtonStyle = "secondary"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    mime: str
    alt: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


# Draws an attachment (a picture) later, off the event loop; see ``Reply.renders``.
Render = Callable[[], Awaitable[Attachment]]


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    progress: ProgressBar | None = None
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    ephemeral: bool = True
    kind: Literal["info", "success", "error"] = "info"
    footer: str | None = None
    # A settings form the answer offers beside it, by name ("reminders"): a platform with
    # forms (Slack's modals) shows a button that opens it; others ignore it.
    form: str | None = None
    # Attachments drawn after the command's unit of work has committed: a picture takes
    # ~100 ms and must not hold the database (SQLite's single writer) while it is drawn.
    renders: tuple[Render, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.kind == "error"


def text_bar(fraction: float, width: int = 20) -> str:
    """A progress bar in plain characters, readable in every chat client and a terminal."""
    fraction = max(0.0, min(1.0, fraction))
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled) + f" {round(fraction * 100)}%"
