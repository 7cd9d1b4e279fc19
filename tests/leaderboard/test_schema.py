"""The models and the migrations describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db.engine import alembic_config
from bot.db.models import Base


def _diff(connection: Any) -> list[Any]:
    ctx = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(ctx, Base.metadata)


async def test_migrations_match_the_models(db):
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


def test_0003_follows_the_previous_head():
    script = ScriptDirectory.from_config(alembic_config())
    rev = script.get_revision("0003")
    assert rev is not None
    assert rev.down_revision in ("0001", "0002")
    assert script.get_revision(rev.down_revision) is not None
    heads = script.get_heads()
    assert len(heads) == 1, f"one head, not {heads}"
    # Later migrations (0004: Slack OAuth) follow 0003; it stays in the one line of history.
    assert "0003" in {r.revision for r in script.walk_revisions("base", heads[0])}


async def test_0003_downgrades_and_upgrades_again(db):
    def cycle(connection: Any) -> set[str]:
        cfg = alembic_config(connection)
        down = ScriptDirectory.from_config(cfg).get_revision("0003").down_revision
        command.downgrade(cfg, str(down))
        tables = set(inspect(connection).get_table_names())
        command.upgrade(cfg, "head")
        return tables

    async with db.engine.begin() as conn:
        before = await conn.run_sync(cycle)
    assert not {"leaderboard_snapshots", "nudges", "admin_log"} & before
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
