"""Pure naming helpers and shared intervals: no database, no context, no handler.

The scheduler, the core and the features all name chapters and paths the same way; keeping
these here lets the scheduler word a prompt without reaching into command handlers.
"""

from __future__ import annotations

from datetime import timedelta

from curriculum import Chapter, Path

SNOOZE = timedelta(days=1)  # "Snooze 1 day": the reminder comes again a day later
NUDGE_COOLDOWN = timedelta(hours=20)  # one nudge a day at most, however often admins press


def path_names(path: Path) -> list[str]:
    return [path.id, *path.aliases, path.title.zh, path.title.en]


def path_title(path: Path, locale: str) -> str:
    return f"{path.icon} {path.title.get(locale)}".strip()


def chapter_label(ch: Chapter, locale: str) -> str:
    return f"{ch.id} {ch.title.get(locale)}"


def chapter_ids_label(ids: list[str]) -> str:
    """``["1.1","1.2","1.3"]`` → ``1.1–1.3``: the seed's "Ch1-3" row, compactly."""
    if len(ids) > 2:
        parts = {i.split(".")[0] for i in ids}
        nums = [int(i.split(".")[1]) for i in ids]
        if len(parts) == 1 and nums == list(range(nums[0], nums[0] + len(nums))):
            return f"{ids[0]}–{ids[-1]}"
    return ", ".join(ids)


def weeks(days: int) -> int:
    return max(1, round(days / 7))
