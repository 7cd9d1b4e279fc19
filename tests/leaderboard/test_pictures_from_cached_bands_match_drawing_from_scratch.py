"""Pictures assembled from cached base images and bands are the pictures drawn from scratch.

``render_skill_tree`` and ``render_leaderboard`` reuse a static base per layout, compressed
bands and rasterised text; ``draw_skill_tree`` and ``draw_leaderboard`` draw everything in one
go with Pillow's own ``draw.text``. Every pixel must agree, whatever was cached before.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import Image, ImageChops

from bot import pictures
from bot.pace import path_status
from bot.pictures import BoardRow, board_model, tree, tree_model
from tests.conftest import START

LOCALES = ["en", "zh"]
STATES = ("done", "in_progress", "skipped", None)


@pytest.fixture(autouse=True)
def _fresh_caches():
    pictures.clear_caches()
    yield
    pictures.clear_caches()


def _decode(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def _idat(data: bytes) -> bytes:
    out, pos = b"", 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        if kind == b"IDAT":
            out += body
        pos += 12 + length
    return out


def _trees(curriculum, locale: str, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        path = rng.choice(curriculum.paths)
        states = {c: s for c in curriculum.chapters if (s := rng.choice(STATES)) is not None}
        status = path_status(path, states, START, START + timedelta(days=rng.randrange(60)))
        caption = f"{rng.randrange(100)} days · 第{rng.randrange(9)}步" if locale == "zh" else None
        yield tree_model(curriculum, status, states, locale=locale, caption=caption)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_tree_from_the_cached_base_is_the_tree_drawn_from_scratch(curriculum, locale):
    if locale == "zh" and pictures.cjk_font_path() is None:
        pytest.skip("no CJK font installed: zh pictures are drawn in English")
    models = list(_trees(curriculum, locale, 24, seed=7))
    # Twice over: the first pass fills the caches, the second is served from them.
    for model in models + models:
        banded = _decode(pictures.render_skill_tree(model))
        assert _same(banded, pictures.draw_skill_tree(model)), model.caption
        for node in model.nodes:
            assert banded.getpixel(node.centre) == node.colour


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 50])
def test_a_leaderboard_from_cached_rows_is_the_board_drawn_from_scratch(locale, count):
    rng = random.Random(count)
    rows = [
        BoardRow(i + 1, f"person {rng.randrange(99)} 学员", "3.5", i, i % 5, rng.random())
        for i in range(count)
    ]
    model = board_model(rows, title="Board · 排行榜", locale=locale)
    expected = pictures.draw_leaderboard(model)
    assert _same(_decode(pictures.render_leaderboard(model)), expected)
    # The same rows at other ranks and stripes reuse nothing they should not.
    shifted = board_model([rows[0], *rows] if rows else [], locale=locale)
    assert _same(_decode(pictures.render_leaderboard(shifted)), pictures.draw_leaderboard(shifted))
    assert _same(_decode(pictures.render_leaderboard(model)), expected)


def test_the_png_stream_checksums_hold(curriculum):
    model = next(_trees(curriculum, "en", 1, seed=3))
    data = pictures.render_skill_tree(model)
    raw = zlib.decompress(_idat(data))  # verifies the Adler-32 combined from the bands
    assert len(raw) == model.height * (1 + 3 * model.width)
    assert len(data) < 10 * 1024 * 1024
    band_rows = [0, 1, 5, 17]
    image = pictures.draw_skill_tree(model)
    bands = [
        pictures.pack_band(image.crop((0, top, model.width, bottom)))
        for top, bottom in zip(band_rows, [*band_rows[1:], model.height], strict=True)
    ]
    assert _same(_decode(pictures.png_from_bands(model.width, model.height, bands)), image)


def test_the_caches_stay_bounded(curriculum, monkeypatch):
    small: pictures.Lru[object, object] = pictures.Lru(3)
    for i in range(10):
        small.put(i, i)
    assert len(small) == 3 and small.get(0) is None and small.get(9) == 9

    monkeypatch.setattr(tree, "_TREE_BASES", pictures.Lru(2))
    monkeypatch.setattr(tree, "NODE_BANDS_MAX", 4)
    base_model = next(_trees(curriculum, "en", 1, seed=5))
    for i in range(5):  # five titles: five layouts, each with its own base image
        model = tree_model(
            curriculum,
            path_status(curriculum.path_by_id["app"], {}, START, START),
            {},
            title=f"layout {i}",
        )
        assert _same(_decode(pictures.render_skill_tree(model)), pictures.draw_skill_tree(model))
    assert len(tree._TREE_BASES) == 2
    for model in _trees(curriculum, "en", 12, seed=11):
        pictures.render_skill_tree(model)
    assert len(tree._TREE_BASES) == 2
    bases = list(tree._TREE_BASES._data.values())
    assert all(len(b.node_bands) <= 4 for b in bases)
    assert _same(
        _decode(pictures.render_skill_tree(base_model)), pictures.draw_skill_tree(base_model)
    )
