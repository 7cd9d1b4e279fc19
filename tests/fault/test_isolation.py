"""Two workspaces with the same user ids and the same channel names never see each other's
data: /progress @x, /leaderboard and the export answer from the caller's workspace only."""

from __future__ import annotations

import json

from bot.core import Core
from bot.types import Actor, Place, Reply
from tests.conftest import flat


def who(workspace: str, user: str, *, admin: bool = False, platform: str = "test") -> Actor:
    return Actor(platform, workspace, user, display_name=f"{user}-{workspace}", is_admin=admin)


def study(workspace: str, platform: str = "test") -> Place:
    return Place(platform, workspace, "C1", channel_name="study")


async def say(core: Core, actor: Actor, line: str, place: Place | None = None) -> Reply:
    reply = await core.handle_text(actor, place or study(actor.workspace, actor.platform), line)
    return reply


async def test_same_ids_and_channel_names_in_two_workspaces_stay_apart(core: Core) -> None:
    # W1: x studies hard on mlops; W2: a different x (same id) on research, nothing done.
    x1, x2 = who("W1", "x"), who("W2", "x")
    assert not (await say(core, x1, "/path mlops")).is_error
    for _ in range(3):
        assert not (await say(core, x1, "/done")).is_error
    assert not (await say(core, x1, "/privacy shown")).is_error
    assert not (await say(core, x2, "/path research")).is_error
    y2 = who("W2", "y", admin=True)
    assert not (await say(core, y2, "/path app")).is_error
    assert not (await say(core, y2, "/done")).is_error

    # /progress @x from W2 shows W2's x (research, nothing done), never W1's.
    for ref in ("x", "x-W2", "<@x>"):
        text = flat(await say(core, y2, f"/progress {ref}"))
        assert "mlops" not in text.casefold() and "MLOps" not in text, (ref, text)
    # W1's x by display name is unknown in W2.
    text = flat(await say(core, y2, "/progress x-W1"))
    assert "MLOps" not in text and "x-W1" in text

    # /leaderboard in the same-named channel: W2's members only.
    board = flat(await say(core, y2, "/leaderboard all"))
    assert "y-W2" in board
    assert "x-W1" not in board
    a1 = who("W1", "admin", admin=True)
    board1 = flat(await say(core, a1, "/leaderboard all"))
    assert "x-W1" in board1 and "y-W2" not in board1

    # The same ids on another platform are other people too.
    d = who("W1", "x", platform="discord")
    assert (await say(core, d, "/progress")).is_error  # not enrolled there

    # An export holds the caller's own rows only.
    export = await say(core, x2, "/export-my-data", Place("test", "W2", None))
    data = json.loads(export.attachments[0].data)
    assert data["enrollment"]["path_id"] == "research"
    assert data["chapters"] == []
    assert all(g["channel"] == "C1" for g in data["study_groups"])

    # /forget-me in W2 leaves W1's x untouched.
    ask = await say(core, x2, "/forget-me", Place("test", "W2", None))
    confirm = next((b for b in ask.buttons if b.command == "forget-me"), None)
    if confirm is not None:
        await say(core, x2, f"/forget-me {confirm.args}", Place("test", "W2", None))
    mine = flat(await say(core, x1, "/progress"))
    assert "MLOps" in mine
