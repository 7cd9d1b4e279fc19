"""IANA timezone names: validation with suggestions, and autocomplete.

``tzdata`` is a dependency, so the zone list is the same on every machine (Windows and slim
containers have no system zoneinfo).
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from bot.suggest import closest

# Names people type that are not IANA names. Kept short: only unambiguous ones.
_ALIASES = {
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "beijing": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "中国": "Asia/Shanghai",
    "india": "Asia/Kolkata",
    "japan": "Asia/Tokyo",
    "korea": "Asia/Seoul",
    "new york": "America/New_York",
    "nyc": "America/New_York",
    "sf": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
}
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})$", re.IGNORECASE)


class UnknownTimezone(ValueError):
    def __init__(self, value: str, suggestions: list[str]) -> None:
        super().__init__(value)
        self.value = value
        self.suggestions = suggestions


@lru_cache(maxsize=1)
def all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Lower-case full names, and city names with spaces, to the canonical name."""
    idx: dict[str, str] = {}
    for z in all_zones():
        idx[z.casefold()] = z
    for z in all_zones():
        city = z.rsplit("/", 1)[-1].casefold()
        idx.setdefault(city, z)
        idx.setdefault(city.replace("_", " "), z)
    return idx


def is_zone(name: str | None) -> bool:
    """True for a zone name zoneinfo can load (what a platform reports may be anything)."""
    return bool(name) and name in _zone_set()


@lru_cache(maxsize=1)
def _zone_set() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def resolve_timezone(raw: str) -> str:
    """Return the canonical IANA name for what was typed, or raise with suggestions."""
    value = raw.strip()
    key = value.casefold()
    if not key:
        raise UnknownTimezone(raw, [])
    if key in _ALIASES:
        return _ALIASES[key]
    m = _OFFSET.match(value)
    if m:
        sign, hours = m.group(1), int(m.group(2))
        if hours == 0:
            return "UTC"
        if hours <= 14:
            # POSIX-style Etc names invert the sign: UTC+8 is Etc/GMT-8.
            return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    idx = _index()
    if key in idx:
        return idx[key]
    if key.replace(" ", "_") in idx:
        return idx[key.replace(" ", "_")]
    suggestions = closest(value, all_zones(), n=3, cutoff=0.5)
    if not suggestions:
        suggestions = closest(value, [z.rsplit("/", 1)[-1] for z in all_zones()], n=3, cutoff=0.6)
        suggestions = [idx[s.casefold()] for s in suggestions]
    raise UnknownTimezone(raw, suggestions)


def search_zones(query: str, limit: int = 25) -> list[str]:
    """Autocomplete: zones containing the query, preferring those that start with it.

    Discord shows at most 25 autocomplete choices.
    """
    q = query.strip().casefold().replace(" ", "_")
    if not q:
        popular = [
            "UTC",
            "Asia/Shanghai",
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "America/Los_Angeles",
            "Asia/Kolkata",
            "Asia/Tokyo",
            "Australia/Sydney",
        ]
        return popular[:limit]
    zones = all_zones()
    starts = [
        z
        for z in zones
        if z.casefold().startswith(q) or z.rsplit("/", 1)[-1].casefold().startswith(q)
    ]
    contains = [z for z in zones if q in z.casefold() and z not in starts]
    return (starts + contains)[:limit]
