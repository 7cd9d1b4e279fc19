"""The skill-tree picture of /progress: a person's chapters, coloured by state, and a bar.

Drawing happens in two stages: a *model* (boxes with their states and colours, computed from
the curriculum and a person's chapter states) and the *rendering* of that model with Pillow.
Tests check the model and then the pixels at each node's centre, which the renderer keeps free
of text for exactly that reason.

The tree follows the seed's diagram: part 1 (foundation) → part 2 (architecture) → the
career path's own steps. Pillow is CPU-bound, so callers on the event loop use the ``async``
wrappers, which render in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw

from bot.lru import Lru
from bot.pace import PathStatus
from bot.pictures import fonts
from bot.pictures.drawing import (
    BACKGROUND,
    BAR_EMPTY,
    BAR_FILL,
    HEADER_FILL,
    INK,
    MARGIN,
    PLAIN,
    RGB,
    STAMPED,
    Text,
    shift,
)
from bot.pictures.png import STATIC_LEVEL, Band, pack_band, png_from_bands
from curriculum import Curriculum

NodeState = Literal["done", "in_progress", "skipped", "todo"]

STATE_COLOURS: dict[NodeState, RGB] = {
    "done": (76, 175, 80),
    "in_progress": (255, 193, 7),
    "skipped": (158, 158, 158),
    "todo": (227, 242, 253),
}

WIDTH = 960
NODE_W = 210
NODE_H = 84  # id on top, two title lines below the middle band
GAP_X = 20
ROW_GAP = 44
LABEL_H = 26
TITLE_H = 56
FOOTER_H = 84

# --- the skill-tree model -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeBox:
    chapter_id: str
    title: str
    state: NodeState
    box: tuple[int, int, int, int]  # x0, y0, x1, y1

    @property
    def colour(self) -> RGB:
        return STATE_COLOURS[self.state]

    @property
    def centre(self) -> tuple[int, int]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) // 2, (y0 + y1) // 2


@dataclass(frozen=True, slots=True)
class RowLabel:
    text: str
    xy: tuple[int, int]


@dataclass(frozen=True, slots=True)
class TreeModel:
    """Everything the renderer draws, in pixels; tests read it to know where to look."""

    width: int
    height: int
    title: str
    cjk: bool
    rows: tuple[RowLabel, ...]
    nodes: tuple[NodeBox, ...]
    edges: tuple[tuple[str, str], ...]  # (from chapter, to chapter): row to next row
    bar: tuple[int, int, int, int]
    bar_fraction: float
    caption: str

    def node(self, chapter_id: str) -> NodeBox:
        return next(n for n in self.nodes if n.chapter_id == chapter_id)


def node_state(state: str | None) -> NodeState:
    if state in ("done", "in_progress", "skipped"):
        return state  # type: ignore[return-value]
    return "todo"


def tree_model(
    curriculum: Curriculum,
    status: PathStatus,
    states: Mapping[str, str],
    *,
    locale: str = "en",
    title: str | None = None,
    caption: str | None = None,
) -> TreeModel:
    """Lay out part 1, part 2, then the path's stages (the seed's 阶段 rows), each row holding
    the chapters of that stage not drawn yet; every row feeds the next, as in the diagram."""
    cjk = locale == "zh" and fonts.cjk_font_path() is not None
    lang = "zh" if cjk else "en"
    parts = {p.id: p for p in curriculum.parts}
    rows: list[tuple[str, list[str]]] = []
    for part_id in (1, 2):
        if part_id in parts:  # a team's own curriculum may lack them
            part = parts[part_id]
            head = f"第{part_id}部分" if cjk else f"Part {part_id}"
            rows.append((f"{head}: {part.title.get(lang)}", [c.id for c in part.chapters]))
    drawn = {c for _, ids in rows for c in ids}
    path = status.path
    stage_titles = {st.id: st.title.get(lang) for st in path.stages}
    by_stage: dict[int, list[str]] = {}
    for step in path.steps:
        for c in step.chapters:
            if c not in drawn:
                drawn.add(c)
                by_stage.setdefault(step.stage, []).append(c)
    for stage_id, ids in by_stage.items():
        rows.append((f"{path.title.get(lang)} · {stage_titles[stage_id]}", ids))

    per_row = max((WIDTH - 2 * MARGIN + GAP_X) // (NODE_W + GAP_X), 1)
    labels: list[RowLabel] = []
    nodes: list[NodeBox] = []
    edges: list[tuple[str, str]] = []
    y = TITLE_H
    previous: list[str] = []
    for label, ids in rows:
        labels.append(RowLabel(label, (MARGIN, y)))
        y += LABEL_H
        row_ids: list[str] = []
        for start in range(0, len(ids), per_row):
            chunk = ids[start : start + per_row]
            total_w = len(chunk) * NODE_W + (len(chunk) - 1) * GAP_X
            x = (WIDTH - total_w) // 2
            for cid in chunk:
                nodes.append(
                    NodeBox(
                        cid,
                        curriculum.chapters[cid].title.get(lang),
                        node_state(states.get(cid)),
                        (x, y, x + NODE_W, y + NODE_H),
                    )
                )
                row_ids.append(cid)
                x += NODE_W + GAP_X
            y += NODE_H + 12
        edges.extend((a, b) for a in previous for b in row_ids)
        previous = row_ids
        y += ROW_GAP - 12
    bar = (MARGIN, y + 8, WIDTH - MARGIN, y + 30)
    fraction = 0.0 if status.total_days <= 0 else min(1.0, status.days_covered / status.total_days)
    return TreeModel(
        width=WIDTH,
        height=y + FOOTER_H,
        title=title or path.title.get(lang),  # no icon: emoji fonts are rarely installed
        cjk=cjk,
        rows=tuple(labels),
        nodes=tuple(nodes),
        edges=tuple(edges),
        bar=bar,
        bar_fraction=fraction,
        caption=caption or f"{round(fraction * 100)}%",
    )


LEGEND: tuple[tuple[NodeState, str, str], ...] = (
    ("done", "done", "已完成"),
    ("in_progress", "in progress", "学习中"),
    ("skipped", "skipped", "已跳过"),
    ("todo", "to do", "未开始"),
)
EDGE: RGB = (189, 189, 189)


def _draw_tree_top(draw: ImageDraw.ImageDraw, model: TreeModel) -> None:
    """Header, title, the edges between rows and the row labels: drawn before the nodes."""
    t, cjk = PLAIN, model.cjk  # drawn once per layout
    draw.rectangle((0, 0, model.width, TITLE_H - 10), fill=HEADER_FILL)
    t.draw(draw, (MARGIN, 12), t.fit(model.title, 22, cjk, model.width - 2 * MARGIN), 22, cjk)
    by_id = {n.chapter_id: n for n in model.nodes}
    # Rows meet in one hub between them, like the diagram's stage nodes (P1_x → Architecture).
    hubs: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for a, b in model.edges:
        hubs.setdefault((by_id[a].box[1], by_id[b].box[1]), []).append((a, b))
    for pairs in hubs.values():
        sources = {a for a, _ in pairs}
        targets = {b for _, b in pairs}
        top = max(by_id[a].box[3] for a in sources)
        bottom = min(by_id[b].box[1] for b in targets)
        hub = (model.width // 2, top + (bottom - top) // 3)
        for a in sources:
            draw.line(((by_id[a].centre[0], by_id[a].box[3]), hub), fill=EDGE, width=2)
        for b in targets:
            draw.line((hub, (by_id[b].centre[0], by_id[b].box[1])), fill=EDGE, width=2)
        draw.ellipse((hub[0] - 4, hub[1] - 4, hub[0] + 4, hub[1] + 4), fill=EDGE)
    for row in model.rows:
        t.draw(draw, row.xy, t.fit(row.text, 13, cjk, model.width - 2 * MARGIN), 13, cjk)


def _draw_node(draw: ImageDraw.ImageDraw, t: Text, n: NodeBox, cjk: bool, dy: int = 0) -> None:
    """One node, moved ``dy`` pixels down (to draw it into a band of its own)."""
    x0, y0, _, _ = shift(n.box, dy)
    draw.rounded_rectangle(shift(n.box, dy), radius=8, fill=n.colour, outline=INK, width=1)
    # Text only in the top and bottom bands; the centre keeps the pure state colour.
    t.draw(draw, (x0 + 8, y0 + 4), n.chapter_id, 13, cjk)
    for i, text in enumerate(t.wrap(n.title, 13, cjk, NODE_W - 16, 2)):
        t.draw(draw, (x0 + 8, y0 + NODE_H // 2 + 8 + i * 16), text, 13, cjk)


def _draw_bar_empty(draw: ImageDraw.ImageDraw, model: TreeModel) -> None:
    draw.rounded_rectangle(model.bar, radius=6, fill=BAR_EMPTY)


def _draw_bar_fill_and_caption(
    draw: ImageDraw.ImageDraw, t: Text, model: TreeModel, dy: int = 0
) -> None:
    x0, y0, x1, y1 = shift(model.bar, dy)
    if model.bar_fraction > 0:
        fill_x = x0 + max(12, round((x1 - x0) * model.bar_fraction))
        draw.rounded_rectangle((x0, y0, fill_x, y1), radius=6, fill=BAR_FILL)
    caption = t.fit(model.caption, 13, model.cjk, (x1 - x0) // 2)
    t.draw(draw, (x0, y1 + 10), caption, 13, model.cjk)


def _draw_legend(draw: ImageDraw.ImageDraw, model: TreeModel) -> None:
    _, _, x1, y1 = model.bar
    lx = x1 - 4 * 110
    for state, en, zh in LEGEND:
        draw.rectangle((lx, y1 + 12, lx + 14, y1 + 26), fill=STATE_COLOURS[state], outline=INK)
        PLAIN.draw(draw, (lx + 20, y1 + 11), zh if model.cjk else en, 13, model.cjk)
        lx += 110


def draw_skill_tree(model: TreeModel) -> Image.Image:
    """The whole tree drawn from scratch, in one go: what the banded, cached renderer must
    reproduce pixel for pixel."""
    image = Image.new("RGB", (model.width, model.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_tree_top(draw, model)
    for n in model.nodes:
        _draw_node(draw, PLAIN, n, model.cjk)
    _draw_bar_empty(draw, model)
    _draw_bar_fill_and_caption(draw, PLAIN, model)
    _draw_legend(draw, model)
    return image


# Per layout (path, language, title: everything but the states, the bar and the caption), the
# picture with no nodes, no bar fill and no caption; its static bands already compressed; and
# the node bands met so far, by their nodes' states. A base image is ~4 MB (Pillow keeps RGB in
# 4 bytes a pixel), so few are kept: one per path and language is the working set.
TREE_BASES_MAX = 8
NODE_BANDS_MAX = 256  # per layout: a band of k nodes has 4**k state combinations
FOOTERS_MAX = 512


@dataclass(frozen=True, slots=True)
class _TreeLayout:
    width: int
    height: int
    title: str
    cjk: bool
    rows: tuple[RowLabel, ...]
    nodes: tuple[tuple[str, str, tuple[int, int, int, int]], ...]
    edges: tuple[tuple[str, str], ...]
    bar: tuple[int, int, int, int]

    @classmethod
    def of(cls, model: TreeModel) -> _TreeLayout:
        nodes = tuple((n.chapter_id, n.title, n.box) for n in model.nodes)
        return cls(
            model.width, model.height, model.title, model.cjk, model.rows, nodes, model.edges,
            model.bar,
        )  # fmt: skip


class _TreeBase:
    """The static part of one layout, cut into bands: ``plan`` lists them top to bottom as
    a packed static band, or the index of a node row, or None for the footer."""

    def __init__(self, model: TreeModel) -> None:
        image = Image.new("RGB", (model.width, model.height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        _draw_tree_top(draw, model)
        _draw_bar_empty(draw, model)
        _draw_legend(draw, model)
        self.image = image
        # Node rows: the rows of pixels [top, bottom] their boxes cover (no two rows overlap).
        spans: dict[tuple[int, int], list[int]] = {}
        for i, n in enumerate(model.nodes):
            spans.setdefault((n.box[1], n.box[3] + 1), []).append(i)
        self.node_rows: list[tuple[int, int, tuple[int, ...]]] = [
            (top, bottom, tuple(ids)) for (top, bottom), ids in sorted(spans.items())
        ]
        self.footer_top = model.bar[1]
        self.plan: list[Band | int | None] = []
        y = 0
        for k, (top, bottom, _) in enumerate(self.node_rows):
            if top > y:
                self.plan.append(pack_band(image.crop((0, y, model.width, top)), STATIC_LEVEL))
            self.plan.append(k)
            y = bottom
        if self.footer_top < y:  # cannot happen with tree_model's layout; keep it correct
            raise ValueError("the progress bar overlaps the nodes")
        if self.footer_top > y:
            self.plan.append(
                pack_band(image.crop((0, y, model.width, self.footer_top)), STATIC_LEVEL)
            )
        self.plan.append(None)
        self.node_bands: Lru[tuple[int, tuple[NodeState, ...]], Band] = Lru(NODE_BANDS_MAX)
        self.footers: Lru[tuple[float, str], Band] = Lru(FOOTERS_MAX)

    def node_band(self, model: TreeModel, k: int) -> Band:
        top, bottom, ids = self.node_rows[k]
        key = (k, tuple(model.nodes[i].state for i in ids))
        band = self.node_bands.get(key)
        if band is None:
            image = self.image.crop((0, top, model.width, bottom))
            draw = ImageDraw.Draw(image)
            for i in ids:
                _draw_node(draw, STAMPED, model.nodes[i], model.cjk, -top)
            band = self.node_bands.put(key, pack_band(image))
        return band

    def footer(self, model: TreeModel) -> Band:
        key = (model.bar_fraction, model.caption)
        band = self.footers.get(key)
        if band is None:
            image = self.image.crop((0, self.footer_top, model.width, model.height))
            _draw_bar_fill_and_caption(ImageDraw.Draw(image), STAMPED, model, -self.footer_top)
            band = self.footers.put(key, pack_band(image))
        return band


_TREE_BASES: Lru[_TreeLayout, _TreeBase] = Lru(TREE_BASES_MAX)


def _tree_base(model: TreeModel) -> _TreeBase:
    layout = _TreeLayout.of(model)
    base = _TREE_BASES.get(layout)
    if base is None:
        base = _TREE_BASES.put(layout, _TreeBase(model))
    return base


def render_skill_tree(model: TreeModel) -> bytes:
    """The tree as PNG bytes. The middle band of each node is left free of text."""
    base = _tree_base(model)
    bands = [
        b if isinstance(b, Band) else base.footer(model) if b is None else base.node_band(model, b)
        for b in base.plan
    ]
    return png_from_bands(model.width, model.height, bands)


# A person asking /progress twice without studying in between gets the same picture: the
# model is hashable and fully decides the pixels, so the bytes are kept (~60 kB each).
@functools.lru_cache(maxsize=128)
def _render_tree_cached(model: TreeModel) -> bytes:
    return render_skill_tree(model)


async def skill_tree_png(model: TreeModel) -> bytes:
    """``render_skill_tree`` off the event loop (a picture no cache holds takes milliseconds;
    zlib and FreeType let go of the GIL for much of it)."""
    return await asyncio.to_thread(_render_tree_cached, model)


def forget() -> None:
    """Drop the kept trees and base layers (``bot.pictures.clear_caches``)."""
    _render_tree_cached.cache_clear()
    _TREE_BASES.clear()
