"""The leaderboard table picture: rank (medals for the top three), name, figures, a bar.

``draw_leaderboard`` draws a board from scratch with Pillow; ``render_leaderboard`` assembles
the same pixels from cached bands (the header, one band per row), since the same person with
the same figures comes back across views and refreshes.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.lru import Lru
from bot.pictures import fonts
from bot.pictures.drawing import (
    BACKGROUND,
    BAR_EMPTY,
    BAR_FILL,
    HEADER_FILL,
    MARGIN,
    PLAIN,
    RGB,
    STAMPED,
    Text,
    shift,
)
from bot.pictures.png import STATIC_LEVEL, Band, pack_band, png_from_bands, png_of


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int
    label: str
    days: str
    steps: int
    streak: int
    fraction: float  # path progress for the bar


@dataclass(frozen=True, slots=True)
class BoardModel:
    width: int
    height: int
    title: str
    cjk: bool
    header: tuple[str, ...]
    rows: tuple[BoardRow, ...]
    row_boxes: tuple[tuple[int, int, int, int], ...]
    bar_boxes: tuple[tuple[int, int, int, int], ...]


BOARD_W = 760
BOARD_ROW_H = 40
BOARD_TOP = 100
MEDALS: dict[int, RGB] = {1: (255, 215, 0), 2: (192, 192, 192), 3: (205, 127, 50)}
STRIPE: RGB = (248, 248, 248)
_COLUMNS = (MARGIN, 90, 380, 470, 540, 620)


def board_model(
    rows: Sequence[BoardRow],
    *,
    title: str = "Leaderboard",
    header: tuple[str, ...] = ("#", "Name", "Days", "Steps", "Streak", "Path"),
    locale: str = "en",
) -> BoardModel:
    cjk = locale == "zh" and fonts.cjk_font_path() is not None
    boxes = tuple(
        (0, BOARD_TOP + i * BOARD_ROW_H, BOARD_W, BOARD_TOP + (i + 1) * BOARD_ROW_H)
        for i in range(len(rows))
    )
    bars = tuple((_COLUMNS[5], y0 + 14, BOARD_W - MARGIN, y1 - 14) for _, y0, _, y1 in boxes)
    height = BOARD_TOP + max(1, len(rows)) * BOARD_ROW_H + MARGIN
    return BoardModel(BOARD_W, height, title, cjk, header, tuple(rows), boxes, bars)


def _draw_board_header(draw: ImageDraw.ImageDraw, model: BoardModel) -> None:
    t, cjk = PLAIN, model.cjk  # one per title: as cheap to draw as to look up
    draw.rectangle((0, 0, model.width, 56), fill=HEADER_FILL)
    t.draw(draw, (MARGIN, 14), t.fit(model.title, 22, cjk, model.width - 2 * MARGIN), 22, cjk)
    for x, text in zip(_COLUMNS, model.header, strict=False):
        t.draw(draw, (x, 68), text, 15, cjk)


def _draw_board_row(
    draw: ImageDraw.ImageDraw,
    t: Text,
    cjk: bool,
    striped: bool,
    row: BoardRow,
    box: tuple[int, int, int, int],
    bar: tuple[int, int, int, int],
) -> None:
    x0, y0, _, y1 = box
    if striped:
        draw.rectangle(box, fill=STRIPE)  # its last line is the next row's first: see below
    medal = MEDALS.get(row.rank)
    if medal:
        draw.ellipse((x0 + MARGIN - 2, y0 + 8, x0 + MARGIN + 22, y1 - 8), fill=medal)
    cells = (str(row.rank), row.label, row.days, str(row.steps), f"{row.streak}w")
    for j, (x, text) in enumerate(zip(_COLUMNS, cells, strict=False)):
        width = (_COLUMNS[j + 1] - x - 8) if j + 1 < len(_COLUMNS) else 80
        t.draw(draw, (x + (4 if j == 0 else 0), y0 + 11), t.fit(text, 15, cjk, width), 15, cjk)
    draw.rounded_rectangle(bar, radius=5, fill=BAR_EMPTY)
    if row.fraction > 0:
        bx0, by0, bx1, by1 = bar
        draw.rounded_rectangle(
            (bx0, by0, bx0 + max(10, round((bx1 - bx0) * row.fraction)), by1),
            radius=5,
            fill=BAR_FILL,
        )


def draw_leaderboard(model: BoardModel) -> Image.Image:
    """The whole board drawn from scratch: what the banded renderer must reproduce."""
    image = Image.new("RGB", (model.width, model.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_board_header(draw, model)
    for i, (row, box, bar) in enumerate(
        zip(model.rows, model.row_boxes, model.bar_boxes, strict=True)
    ):
        _draw_board_row(draw, PLAIN, model.cjk, i % 2 == 1, row, box, bar)
    if not model.rows:
        PLAIN.draw(draw, (MARGIN, BOARD_TOP + 10), "—", 15, model.cjk)
    return image


# Board bands: the header (title and column names), one band per row and the bottom margin.
# A row band depends only on its row, its stripe, and whether the row above was striped (a
# stripe's rectangle includes its bottom edge, the first line of the next row); the same person
# with the same figures is drawn once across views and refreshes.
BOARD_HEADERS_MAX = 64
BOARD_ROWS_MAX = 4096  # ~2-4 kB each
_BOARD_HEADERS: Lru[tuple[int, bool, str, tuple[str, ...]], Band] = Lru(BOARD_HEADERS_MAX)
_BOARD_ROWS: Lru[tuple[object, ...], Band] = Lru(BOARD_ROWS_MAX)


def _board_band(
    width: int,
    top: int,
    bottom: int,
    cjk: bool,
    stripe_above: bool,
    row: tuple[bool, BoardRow, tuple[int, int, int, int], tuple[int, int, int, int]] | None,
    dash: bool,
) -> Band:
    """Rows [top, bottom) of a board: the line a striped row above spills, then ``row``
    (striped?, row, box, bar in picture coordinates) or the empty board's dash."""
    rel: tuple[object, ...] = ()
    if row is not None:
        striped, data, box, bar = row
        rel = (striped, data, shift(box, -top), shift(bar, -top))
    key = (width, bottom - top, cjk, stripe_above, dash, *rel)
    band = _BOARD_ROWS.get(key)
    if band is None:
        image = Image.new("RGB", (width, bottom - top), BACKGROUND)
        draw = ImageDraw.Draw(image)
        if stripe_above:
            draw.rectangle((0, 0, width, 0), fill=STRIPE)
        if row is not None:
            striped, data, box, bar = row
            _draw_board_row(draw, STAMPED, cjk, striped, data, shift(box, -top), shift(bar, -top))
        if dash:
            STAMPED.draw(draw, (MARGIN, BOARD_TOP + 10 - top), "—", 15, cjk)
        band = _BOARD_ROWS.put(key, pack_band(image))
    return band


def render_leaderboard(model: BoardModel | Sequence[BoardRow]) -> bytes:
    """The board as a PNG table: rank (medal colours for the top three), name, days, bar."""
    if not isinstance(model, BoardModel):
        model = board_model(model)
    head_key = (model.width, model.cjk, model.title, model.header)
    head = _BOARD_HEADERS.get(head_key)
    if head is None:
        image = Image.new("RGB", (model.width, BOARD_TOP), BACKGROUND)
        _draw_board_header(ImageDraw.Draw(image), model)
        head = _BOARD_HEADERS.put(head_key, pack_band(image, STATIC_LEVEL))
    bands = [head]
    y = BOARD_TOP
    previous_striped = False
    for i, (row, box, bar) in enumerate(
        zip(model.rows, model.row_boxes, model.bar_boxes, strict=True)
    ):
        if box[1] != y or box[3] > model.height:  # not board_model's layout: draw it whole
            return png_of(draw_leaderboard(model))
        striped = i % 2 == 1
        bands.append(
            _board_band(
                model.width, y, box[3], model.cjk, previous_striped, (striped, row, box, bar), False
            )
        )
        previous_striped = striped
        y = box[3]
    bands.append(
        _board_band(model.width, y, model.height, model.cjk, previous_striped, None, not model.rows)
    )
    return png_from_bands(model.width, model.height, bands)


@functools.lru_cache(maxsize=32)
def _render_board_cached(model: BoardModel) -> bytes:
    return render_leaderboard(model)


async def leaderboard_png(model: BoardModel) -> bytes:
    return await asyncio.to_thread(_render_board_cached, model)


def forget() -> None:
    """Drop the kept boards, headers and rows (``bot.pictures.clear_caches``)."""
    _render_board_cached.cache_clear()
    _BOARD_HEADERS.clear()
    _BOARD_ROWS.clear()
