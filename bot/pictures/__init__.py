"""PNG pictures: a person's skill tree and a leaderboard table.

The package's modules each hold one concern; this module re-exports what the rest of the bot,
the benchmarks and the tests import, so that they need not know how it is cut up.
"""

from __future__ import annotations

from bot.pictures.drawing import BAR_EMPTY, BAR_FILL, MARGIN
from bot.pictures.fonts import cjk_font_path, latin_font_path
from bot.pictures.png import Band, Lru, pack_band, png_from_bands
from bot.pictures.tree import (
    BOARD_ROW_H,
    BOARD_TOP,
    MEDALS,
    STATE_COLOURS,
    BoardModel,
    BoardRow,
    NodeBox,
    NodeState,
    TreeModel,
    _render_tree_cached,
    board_model,
    clear_caches,
    draw_leaderboard,
    draw_skill_tree,
    leaderboard_png,
    render_leaderboard,
    render_skill_tree,
    skill_tree_png,
    tree_model,
)

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
