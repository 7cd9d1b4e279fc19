"""Reminder settings in a Slack modal: weekday, a time picker and a timezone search.

Slack users expect settings in a form, not in command arguments. The form only collects
values; saving goes through the core's ``/reminders`` command like every other change, so
validation and the next-reminder maths stay in one place.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import tr, weekday_name
from bot.timezones import search_zones
from bot.types import Locale

OPEN_ACTION = "st-modal:reminders"  # the button that opens the form (not an st: command)
CALLBACK_ID = "st_reminders"
TZ_ACTION = "tz"
MAX_OPTIONS = 100  # Slack shows at most 100 options in a select


def open_button(locale: Locale) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": OPEN_ACTION,
                "text": {"type": "plain_text", "text": tr(locale, "Change reminder settings")},
                "value": "open",
            }
        ],
    }


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value[:150]}


def reminders_view(
    locale: Locale, *, weekday: int, local_time: str, timezone: str, channel: str | None
) -> dict[str, Any]:
    """The form, filled with the person's current settings."""
    days = [_option(weekday_name(locale, d), str(d)) for d in range(7)]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": channel or "",
        "title": {"type": "plain_text", "text": tr(locale, "Weekly reminder")},
        "submit": {"type": "plain_text", "text": tr(locale, "Save")},
        "close": {"type": "plain_text", "text": tr(locale, "Cancel")},
        "blocks": [
            {
                "type": "input",
                "block_id": "day",
                "label": {"type": "plain_text", "text": tr(locale, "Day of the week")},
                "element": {
                    "type": "static_select",
                    "action_id": "day",
                    "options": days,
                    "initial_option": days[weekday],
                },
            },
            {
                "type": "input",
                "block_id": "time",
                "label": {"type": "plain_text", "text": tr(locale, "Local time")},
                "element": {"type": "timepicker", "action_id": "time", "initial_time": local_time},
            },
            {
                "type": "input",
                "block_id": "tz",
                "label": {"type": "plain_text", "text": tr(locale, "Timezone")},
                "hint": {
                    "type": "plain_text",
                    "text": tr(locale, "Type a city or region, e.g. Shanghai or Berlin"),
                },
                "element": {
                    "type": "external_select",
                    "action_id": TZ_ACTION,
                    "min_query_length": 1,
                    "initial_option": _option(timezone, timezone),
                },
            },
        ],
    }


def timezone_options(query: str) -> list[dict[str, Any]]:
    """Options for the timezone search as the person types (Slack asks on each keystroke)."""
    return [_option(z, z) for z in search_zones(query, limit=MAX_OPTIONS)]


def submitted(view: dict[str, Any]) -> dict[str, str]:
    """The form's values as ``/reminders`` options (raw strings; the core checks them)."""
    values = (view.get("state") or {}).get("values") or {}
    out: dict[str, str] = {}
    day = ((values.get("day") or {}).get("day") or {}).get("selected_option") or {}
    if day.get("value") is not None:
        out["day"] = str(int(day["value"]) + 1)  # ISO weekday number: 1 = Monday
    time = ((values.get("time") or {}).get("time") or {}).get("selected_time")
    if time:
        out["time"] = str(time)
    tz = ((values.get("tz") or {}).get(TZ_ACTION) or {}).get("selected_option") or {}
    if tz.get("value"):
        out["tz"] = str(tz["value"])
    return out
