"""Which gateway shards this process runs, from ``DISCORD_SHARD_COUNT`` / ``DISCORD_SHARD_IDS``.

Discord sends a guild's events to shard ``(guild_id >> 22) % shard_count`` and every DM to shard
0; interactions are events too, so whoever runs a guild's shard answers that guild's commands
and buttons, and whoever runs shard 0 answers DMs. Every replica must therefore use the same
shard count, and together the replicas must run every shard exactly once.

- neither set: ask Discord (``GET /gateway/bot``) and run every shard here (one replica);
- a count only: run that many shards, all here;
- a count and ids: run only those ids (several replicas, each its own ids).

``ShardPlan.parse`` turns the two strings into a plan or a ``ShardSettingsError`` that says in
one sentence what is wrong, meant to be shown as it is.
"""

from __future__ import annotations

import dataclasses
from typing import Any

COUNT_VAR = "DISCORD_SHARD_COUNT"
IDS_VAR = "DISCORD_SHARD_IDS"


class ShardSettingsError(ValueError):
    """A shard setting that cannot work; the message names the variable and the fix."""


def shard_for(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord sends a guild's events to; DMs (no guild) go to shard 0."""
    if guild_id is None:
        return 0
    return (guild_id >> 22) % shard_count


@dataclasses.dataclass(frozen=True)
class ShardPlan:
    count: int | None = None  # None: Discord's recommendation, asked at start-up
    ids: tuple[int, ...] | None = None  # None: every shard of ``count``

    @property
    def runs_shard_zero(self) -> bool:
        """Whether this process gets DMs, and so is the one replica that syncs commands."""
        return self.ids is None or 0 in self.ids

    def client_options(self) -> dict[str, Any]:
        """``shard_count`` / ``shard_ids`` for ``discord.AutoShardedClient``."""
        options: dict[str, Any] = {}
        if self.count is not None:
            options["shard_count"] = self.count
        if self.ids is not None:
            options["shard_ids"] = list(self.ids)
        return options

    def describe(self) -> str:
        if self.count is None:
            return "every shard Discord recommends (GET /gateway/bot)"
        if self.ids is None:
            return f"all {self.count} shard(s)"
        return f"shard(s) {', '.join(map(str, self.ids))} of {self.count}"

    @classmethod
    def parse(cls, count: str | int | None, ids: str | None) -> ShardPlan:
        shard_count = _parse_count(count)
        if not (ids or "").strip():
            return cls(shard_count, None)
        if shard_count is None:
            raise ShardSettingsError(
                f"{IDS_VAR} is set but {COUNT_VAR} is not: every replica must use the same"
                f" total shard count (Discord routes a guild to shard (guild_id >> 22) % count),"
                f" so set {COUNT_VAR} too"
            )
        return cls(shard_count, _parse_ids(str(ids), shard_count))


def _parse_count(raw: str | int | None) -> int | None:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ShardSettingsError(
            f"{COUNT_VAR} must be a whole number of shards, 1 or more (it is {text!r})"
        )
    return value


def _parse_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """``"0,1"``, ``"4-7"``, ``"0, 2-3"``: distinct ids below ``shard_count``, in order given."""
    ids: list[int] = []
    seen: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            first, last = -1, -1
        if first < 0 or last < first:
            raise ShardSettingsError(
                f"{IDS_VAR} must list shard ids like 0,1 or ranges like 4-7 (got {part!r})"
            )
        if last >= shard_count:
            raise ShardSettingsError(
                f"{IDS_VAR} has shard {last}, but with {COUNT_VAR}={shard_count} shard ids"
                f" run from 0 to {shard_count - 1}"
            )
        for shard_id in range(first, last + 1):
            if shard_id in seen:
                raise ShardSettingsError(f"{IDS_VAR} lists shard {shard_id} more than once")
            seen.add(shard_id)
            ids.append(shard_id)
    if not ids:
        raise ShardSettingsError(f"{IDS_VAR} names no shard (it is {text.strip()!r})")
    return tuple(ids)
