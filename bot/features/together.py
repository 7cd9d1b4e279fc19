"""The per-channel switches of the study-together features, and ``/admin together``.

Each is a column of ``channels`` (default on): ``buddies_enabled``, ``threads_enabled``,
``plan_enabled``, ``share_enabled``. A feature reads its own switch with ``ensure_on``;
only admins flip them, logged like every admin action.
"""

from __future__ import annotations

from bot.context import Ctx
from bot.db.models import Channel
from bot.errors import UserError
from bot.features.common import log_admin_action
from bot.i18n import N_
from bot.services import store
from bot.types import Reply

# The switch's name → (its column, the feature's name as people read it).
SWITCHES: dict[str, tuple[str, str]] = {
    "buddies": ("buddies_enabled", N_("study buddies")),
    "threads": ("threads_enabled", N_("weekly threads")),
    "plan": ("plan_enabled", N_("/plan calendars")),
    "share": ("share_enabled", N_("/share posts")),
}


def is_on(channel: Channel | None, name: str) -> bool:
    """A channel without a row yet has every feature on (the columns' default)."""
    return channel is None or bool(getattr(channel, SWITCHES[name][0]))


async def ensure_on(ctx: Ctx, name: str) -> Channel | None:
    """The channel the command was typed in (None in a DM, or before it has a row); a
    friendly ``UserError`` when its admins turned ``name`` off there."""
    channel = await store.find_channel(ctx.session, ctx.inv.place)
    if not is_on(channel, name):
        raise UserError(
            N_("The admins of this channel turned {feature} off here."),
            feature=ctx.t(SWITCHES[name][1]),
        )
    return channel


async def admin_together(ctx: Ctx, channel: Channel) -> Reply:
    """``/admin together``: the four switches; ``/admin together share off`` flips one."""
    feature, switch = ctx.opts.get("feature"), ctx.opts.get("switch")
    stray = ctx.opts.get("value")  # a word that is neither a feature nor on/off
    if stray is not None:
        raise UserError(
            N_("`{value}` is neither a feature ({features}) nor `on`/`off`."),
            value=str(stray),
            features=", ".join(f"`{n}`" for n in SWITCHES),
        )
    if switch is not None and feature is None:
        raise UserError(
            N_("Name the feature to turn {switch}: {features}."),
            switch=switch,
            features=", ".join(f"`{n}`" for n in SWITCHES),
        )
    if feature is not None and switch is not None:
        column, label = SWITCHES[str(feature)]
        setattr(channel, column, switch == "on")
        log_admin_action(ctx, channel, "together", f"{feature}={switch}")
        key = (
            N_("{feature}: on in this channel.")
            if switch == "on"
            else N_("{feature}: off in this channel.")
        )
        text = ctx.t(key, feature=ctx.t(label))
        return Reply(text=text + "\n\n" + _states(ctx, channel), kind="success")
    return Reply(
        title=ctx.t(
            "Studying together in {channel}", channel=f"#{channel.name or channel.external_id}"
        ),
        text=_states(ctx, channel),
        footer=ctx.t(
            "Change one with `/admin together FEATURE on|off`, e.g. `/admin together share off`."
        ),
    )


def _states(ctx: Ctx, channel: Channel) -> str:
    lines = []
    for name, (_, label) in SWITCHES.items():
        state = ctx.t("on") if is_on(channel, name) else ctx.t("off")
        lines.append(f"• `{name}` — {ctx.t(label)}: **{state}**")
    return "\n".join(lines)
