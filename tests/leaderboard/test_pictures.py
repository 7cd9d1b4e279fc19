"""PNG pictures: the expected size, and the state colour at every node centre."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from bot import pictures
from bot.features.leaderboard import progress_picture, rank_field
from bot.pace import path_status
from bot.pictures import (
    STATE_COLOURS,
    BoardRow,
    board_model,
    fonts,
    render_leaderboard,
    render_skill_tree,
    skill_tree_png,
    tree,
    tree_model,
)
from bot.services import store
from bot.types import Invocation
from tests.conftest import START
from tests.leaderboard.helpers import at, seed_group, utc

STATES = {"1.1": "done", "1.2": "in_progress", "1.3": "skipped", "4.1": "done"}


def _image(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _status(curriculum, path_id: str = "app"):
    return path_status(
        curriculum.path_by_id[path_id], STATES, START, START + timedelta(days=9), "UTC"
    )


@pytest.mark.parametrize("path_id", ["app", "research", "mlops"])
def test_tree_model_follows_the_seed_and_colours_each_state(curriculum, path_id):
    model = tree_model(curriculum, _status(curriculum, path_id), STATES)
    ids = [n.chapter_id for n in model.nodes]
    # Part 1, then part 2 (the seed's architecture stage), then the path's own chapters.
    assert ids[:6] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]
    path = curriculum.path_by_id[path_id]
    assert set(ids) == {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", *path.chapter_ids}
    assert len(ids) == len(set(ids))
    assert model.node("1.1").state == "done" and model.node("1.2").state == "in_progress"
    assert model.node("1.3").state == "skipped" and model.node("2.1").state == "todo"
    # Boxes never overlap and stay on the canvas.
    boxes = [n.box for n in model.nodes]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] < a[2] <= model.width and 0 <= a[1] < a[3] <= model.height
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]

    image = _image(render_skill_tree(model))
    assert image.size == (model.width, model.height)
    for node in model.nodes:
        assert image.getpixel(node.centre) == node.colour, node.chapter_id
    assert {n.colour for n in model.nodes} == set(STATE_COLOURS.values())


def test_progress_bar_is_drawn_to_its_fraction(curriculum):
    model = tree_model(curriculum, _status(curriculum), STATES)
    image = _image(render_skill_tree(model))
    x0, y0, x1, y1 = model.bar
    mid = (y0 + y1) // 2
    assert 0 < model.bar_fraction < 0.5
    assert image.getpixel((x0 + 6, mid)) == pictures.BAR_FILL
    assert image.getpixel((x1 - 8, mid)) == pictures.BAR_EMPTY


def test_chinese_titles_need_a_cjk_font(curriculum, monkeypatch):
    status = _status(curriculum)
    if pictures.cjk_font_path() is not None:
        model = tree_model(curriculum, status, STATES, locale="zh")
        assert model.cjk and model.node("1.1").title == "初识大语言模型"
        assert _image(render_skill_tree(model)).size == (model.width, model.height)
    monkeypatch.setattr(fonts, "cjk_font_path", lambda: None)
    model = tree_model(curriculum, status, STATES, locale="zh")
    assert not model.cjk and model.node("1.1").title == "Getting to Know Large Language Models"


async def test_rendering_runs_off_the_event_loop(curriculum, monkeypatch):
    import threading

    seen: list[str] = []
    real = pictures.render_skill_tree

    def spy(model):
        seen.append(threading.current_thread().name)
        return real(model)

    monkeypatch.setattr(tree, "render_skill_tree", spy)
    tree._render_tree_cached.cache_clear()  # an earlier test may have drawn this model
    data = await skill_tree_png(tree_model(curriculum, _status(curriculum), STATES))
    assert data.startswith(b"\x89PNG") and seen and seen[0] != threading.main_thread().name


def test_leaderboard_png_has_one_row_per_entry_and_medals():
    rows = [BoardRow(i, f"person {i}", "3", 1, 2, i / 10) for i in range(1, 6)]
    model = board_model(rows, title="Board")
    image = _image(render_leaderboard(model))
    assert image.size == (model.width, model.height)
    assert model.height == pictures.BOARD_TOP + 5 * pictures.BOARD_ROW_H + pictures.MARGIN
    first = model.row_boxes[0]
    medal_centre = (first[0] + pictures.MARGIN + 10, (first[1] + first[3]) // 2)
    assert image.getpixel(medal_centre) == pictures.MEDALS[1]
    bar = model.bar_boxes[4]
    assert image.getpixel((bar[0] + 3, (bar[1] + bar[3]) // 2)) == pictures.BAR_FILL
    assert _image(render_leaderboard([])).size[1] > 0


async def _ctx_call(core, who, fn):
    async with core.db.transaction() as s:
        now = core.clock.now()
        user = await store.ensure_user(s, who.actor, now)
        ctx = core.context(Invocation("progress", {}, who.actor, who.place), s, user, now)
        return await fn(ctx)


async def test_progress_picture_hook(core, clock, person):
    alice = person("alice")
    await at(clock, START, alice, "/path app")
    await at(clock, utc(2027, 3, 2), alice, "/done 1.1")
    await at(clock, utc(2027, 3, 2), alice, "/start 1.2")

    async def call(ctx):
        from bot.features.common import current_status

        status = await current_status(ctx)
        draw = await progress_picture(ctx, status)  # the model is taken inside the transaction
        return await draw()

    att = await _ctx_call(core, alice, call)
    assert att.mime == "image/png" and att.filename == "skill-tree.png" and att.alt
    image = _image(att.data)
    assert image.getpixel(_centre_of(core, "1.1")) == STATE_COLOURS["done"]
    assert image.getpixel(_centre_of(core, "1.2")) == STATE_COLOURS["in_progress"]


def _centre_of(core, chapter_id: str) -> tuple[int, int]:
    # The layout does not depend on states, so any model of the same path locates the node.
    status = path_status(core.curriculum.path_by_id["app"], {}, START, START)
    return tree_model(core.curriculum, status, {}).node(chapter_id).centre


async def test_rank_field_hook(core, clock, person):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 11, 12))
    field = await _ctx_call(core, p["carol"], rank_field)
    assert field is not None and field.name == "Rank in #study"
    assert field.value == "this week not ranked yet · all time #2 of 4"
    field = await _ctx_call(core, p["alice"], rank_field)
    assert field is not None and field.value == "this week #1 of 1 · all time #1 of 4"
    await p["dave"]("/privacy hidden")
    field = await _ctx_call(core, p["dave"], rank_field)
    assert field is not None and "all time #4 of 4" in field.value and "hidden" in field.value
    loner = person("loner", channel=None)
    await loner("/path app")
    assert await _ctx_call(core, loner, rank_field) is None


async def test_progress_picture_is_kept_per_person_and_state(core, clock, person, monkeypatch):
    """The same standing gives the same bytes without drawing again (the drawing model, which
    holds everything the pixels depend on, is the key); a chapter marked draws a new one."""
    drawn: list[object] = []
    real = tree.render_skill_tree

    def counting(model):
        drawn.append(model)
        return real(model)

    monkeypatch.setattr(tree, "render_skill_tree", counting)
    tree._render_tree_cached.cache_clear()
    alice = person("alice")
    await at(clock, START, alice, "/path app")
    clock.set(utc(2027, 3, 2))

    async def picture() -> bytes:
        reply = await alice("/progress")
        [att] = [a for a in reply.attachments if a.filename == "skill-tree.png"]
        return att.data

    first = await picture()
    assert await picture() == first and len(drawn) == 1  # kept: not drawn again
    await alice("/done 1.1")
    changed = await picture()
    assert changed != first and len(drawn) == 2
    assert _image(changed).getpixel(_centre_of(core, "1.1")) == STATE_COLOURS["done"]
    assert _image(first).getpixel(_centre_of(core, "1.1")) == STATE_COLOURS["todo"]
    await alice("/undo 1.1")  # back to the first standing: the first picture, still kept
    assert await picture() == first and len(drawn) == 2
