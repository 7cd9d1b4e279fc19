"""What both pictures draw with: the shared palette and margin, and text.

Text is cut to fit and wrapped with Pillow's measurements. ``PLAIN`` puts it down with
Pillow's own ``draw.text`` (the reference the tests compare against); ``STAMPED`` reuses
cached measurements and coverage masks, for the banded renderers.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw

from bot.pictures.fonts import Font, load_font

RGB = tuple[int, int, int]

BACKGROUND: RGB = (255, 255, 255)
INK: RGB = (33, 33, 33)
HEADER_FILL: RGB = (240, 244, 255)
BAR_FILL: RGB = (76, 175, 80)
BAR_EMPTY: RGB = (224, 224, 224)
MARGIN = 24


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """Cut ``text`` with an ellipsis so it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, lines: int) -> list[str]:
    """Greedy wrap on spaces (Latin) or between any characters (CJK), at most ``lines``."""
    tokens = text.split(" ") if " " in text and text.isascii() else list(text)
    sep = " " if " " in text and text.isascii() else ""
    out: list[str] = []
    current = ""
    for i, token in enumerate(tokens):
        candidate = f"{current}{sep}{token}" if current else token
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
            continue
        out.append(current)
        if len(out) == lines - 1:
            current = sep.join(tokens[i:])
            break
        current = token
    out.append(current)
    return [_fit(draw, line, font, width) for line in out[:lines]]


# Text is the costly part of drawing (shaping and rasterising with FreeType, CJK above all), and
# the same strings come back in every picture: chapter titles, legends, ranks, names. So the
# banded renderers measure and rasterise each string once, into a coverage mask, and stamp the
# mask in ink wherever it is drawn again -- the same pixels ``draw.text`` would give.
_MEASURE = ImageDraw.Draw(Image.new("RGB", (1, 1)))
TEXT_CACHE_MAX = 4096


@functools.lru_cache(maxsize=TEXT_CACHE_MAX)
def _fit_cached(text: str, size: int, cjk: bool, width: int) -> str:
    return _fit(_MEASURE, text, load_font(size, cjk), width)


@functools.lru_cache(maxsize=TEXT_CACHE_MAX)
def _wrap_cached(text: str, size: int, cjk: bool, width: int, lines: int) -> tuple[str, ...]:
    return tuple(_wrap(_MEASURE, text, load_font(size, cjk), width, lines))


@functools.lru_cache(maxsize=TEXT_CACHE_MAX)
def _text_mask(text: str, size: int, cjk: bool) -> tuple[int, int, Image.Image]:
    """``text``'s coverage (an "L" image) and where its top-left sits from the text origin."""
    font = load_font(size, cjk)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, 255, font)
    return left, top, mask


class Text:
    """How a drawing function puts text down: ``plain`` is Pillow's ``draw.text`` (the
    reference), ``stamped`` reuses cached measurements and masks."""

    def __init__(self, stamped: bool) -> None:
        self.stamped = stamped

    def fit(self, text: str, size: int, cjk: bool, width: int) -> str:
        if self.stamped:
            return _fit_cached(text, size, cjk, width)
        return _fit(_MEASURE, text, load_font(size, cjk), width)

    def wrap(self, text: str, size: int, cjk: bool, width: int, lines: int) -> tuple[str, ...]:
        if self.stamped:
            return _wrap_cached(text, size, cjk, width, lines)
        return tuple(_wrap(_MEASURE, text, load_font(size, cjk), width, lines))

    def draw(
        self, draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, cjk: bool
    ) -> None:
        if not self.stamped:
            draw.text(xy, text, INK, load_font(size, cjk))
            return
        left, top, mask = _text_mask(text, size, cjk)
        draw.bitmap((xy[0] + left, xy[1] + top), mask, fill=INK)


PLAIN, STAMPED = Text(stamped=False), Text(stamped=True)


def forget_text() -> None:
    """Drop the measured and rasterised strings (``bot.pictures.clear_caches``)."""
    _fit_cached.cache_clear()
    _wrap_cached.cache_clear()
    _text_mask.cache_clear()


def shift(box: tuple[int, int, int, int], dy: int) -> tuple[int, int, int, int]:
    """``box`` moved ``dy`` pixels down: from picture to band coordinates."""
    x0, y0, x1, y1 = box
    return x0, y0 + dy, x1, y1 + dy
