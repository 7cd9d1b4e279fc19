"""PNG pictures: a person's skill tree and a leaderboard table.

The package's modules each hold one concern: ``fonts`` (discovery, the CJK fallback), ``png``
(encoding in bands), ``drawing`` (palette and text), ``tree`` and ``table`` (the two pictures,
each with its own caches). This module re-exports what the rest of the bot, the benchmarks and
the tests import, so that they need not know how it is cut up. To replace a name for a test,
patch it in the module that looks it up (e.g. ``fonts.cjk_font_path``), not here.
"""

from __future__ import annotations

from bot.lru import Lru
from bot.pictures import table, tree
from bot.pictures.drawing import BAR_EMPTY, BAR_FILL, MARGIN, forget_text
from bot.pictures.fonts import cjk_font_path, latin_font_path
from bot.pictures.png import Band, pack_band, png_from_bands
from bot.pictures.table import (
    BOARD_ROW_H,
    BOARD_TOP,
    MEDALS,
    BoardModel,
    BoardRow,
    board_model,
    draw_leaderboard,
    leaderboard_png,
    render_leaderboard,
)
from bot.pictures.tree import (
    STATE_COLOURS,
    NodeBox,
    NodeState,
    TreeModel,
    _render_tree_cached,
    draw_skill_tree,
    render_skill_tree,
    skill_tree_png,
    tree_model,
)


def clear_caches() -> None:
    """Forget every cached picture, base image, band and text mask (tests and benchmarks)."""
    tree.forget()
    table.forget()
    forget_text()


__all__ = [
    "BAR_EMPTY",
    "BAR_FILL",
    "BOARD_ROW_H",
    "BOARD_TOP",
    "MARGIN",
    "MEDALS",
    "STATE_COLOURS",
    "Band",
    "BoardModel",
    "BoardRow",
    "Lru",
    "NodeBox",
    "NodeState",
    "TreeModel",
    "_render_tree_cached",  # bench/pictures.py clears it by this name
    "board_model",
    "cjk_font_path",
    "clear_caches",
    "draw_leaderboard",
    "draw_skill_tree",
    "latin_font_path",
    "leaderboard_png",
    "pack_band",
    "png_from_bands",
    "render_leaderboard",
    "render_skill_tree",
    "skill_tree_png",
    "tree_model",
]
