"""``/admin together``: the four study-together switches of a channel, shown and flipped by
admins only, each flip logged in ``admin_log`` like every admin action."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AdminLog, Channel
from tests.conftest import flat


async def channel(db, name: str = "study") -> Channel:
    async with db.transaction() as s:
        return (await s.execute(select(Channel).where(Channel.external_id == name))).scalar_one()


async def test_admin_sees_every_switch_on_by_default(person):
    text = flat(await person("boss", admin=True)("/admin together"))
    for name in ("buddies", "threads", "plan", "share"):
        assert f"`{name}`" in text
    assert "**off**" not in text and text.count("**on**") == 4


async def test_flipping_a_switch_stores_and_logs_it(person, db):
    boss = person("boss", admin=True)
    reply = await boss("/admin together threads off")
    assert reply.kind == "success" and "weekly threads: off" in reply.text
    row = await channel(db)
    assert (row.threads_enabled, row.buddies_enabled, row.plan_enabled, row.share_enabled) == (
        False,
        True,
        True,
        True,
    )
    await boss("/admin together feature:threads switch:on")
    await boss("/admin together off buddies")  # any order, as typed text allows
    row = await channel(db)
    assert (row.threads_enabled, row.buddies_enabled) == (True, False)
    async with db.transaction() as s:
        logs = (await s.execute(select(AdminLog).order_by(AdminLog.id))).scalars().all()
    assert [(log.action, log.detail, log.actor) for log in logs] == [
        ("together", "threads=off", "boss"),
        ("together", "threads=on", "boss"),
        ("together", "buddies=off", "boss"),
    ]


async def test_switches_belong_to_one_channel(person, db):
    await person("boss", admin=True)("/admin together plan off")
    await person("boss", admin=True, channel="other")("/admin together")
    assert (await channel(db, "study")).plan_enabled is False
    assert (await channel(db, "other")).plan_enabled is True


async def test_mistakes_and_non_admins_change_nothing(person, db):
    boss = person("boss", admin=True)
    await boss("/admin together")
    reply = await boss("/admin together off")
    assert reply.is_error and "`share`" in reply.text
    assert (await boss("/admin together share maybe")).is_error
    refused = await person("alice")("/admin together share off")
    assert refused.is_error
    assert (await channel(db)).share_enabled is True
    dm = await person("boss", admin=True, channel=None)("/admin together share off")
    assert dm.is_error and "direct message" in dm.text
