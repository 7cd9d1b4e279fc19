"""PNG pictures: a person's skill tree and a leaderboard table.

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
import io
import logging
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from bot.pace import PathStatus
from curriculum import Curriculum

log = logging.getLogger(__name__)

NodeState = Literal["done", "in_progress", "skipped", "todo"]
RGB = tuple[int, int, int]

STATE_COLOURS: dict[NodeState, RGB] = {
    "done": (76, 175, 80),
    "in_progress": (255, 193, 7),
    "skipped": (158, 158, 158),
    "todo": (227, 242, 253),
}
BACKGROUND: RGB = (255, 255, 255)
INK: RGB = (33, 33, 33)
HEADER_FILL: RGB = (240, 244, 255)
BAR_FILL: RGB = (76, 175, 80)
BAR_EMPTY: RGB = (224, 224, 224)

WIDTH = 960
NODE_W = 210
NODE_H = 84  # id on top, two title lines below the middle band
GAP_X = 20
ROW_GAP = 44
LABEL_H = 26
MARGIN = 24
TITLE_H = 56
FOOTER_H = 84

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
LATIN_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


# --- fonts --------------------------------------------------------------------------------


def _fc_match(pattern: str) -> str | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


@functools.cache
def cjk_font_path() -> str | None:
    """A font that has Chinese glyphs, or None (then pictures use English titles)."""
    for candidate in CJK_FONT_CANDIDATES:
        if FsPath(candidate).exists():
            return candidate
    found = _fc_match(":lang=zh-cn")
    # fc-match always answers something; only trust it when the file looks like a CJK font.
    if found and any(k in found.lower() for k in ("cjk", "wqy", "han", "hei", "song", "ming")):
        return found
    return None


@functools.cache
def latin_font_path() -> str | None:
    for candidate in LATIN_FONT_CANDIDATES:
        if FsPath(candidate).exists():
            return candidate
    return _fc_match("sans-serif")


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _face_index(path: str) -> int:
    """In a font collection, pick the Simplified Chinese face (Noto's .ttc: JP, KR, SC, ...)."""
    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(8):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or "Hei" in family:
            return index
    return 0


@functools.cache
def _font(size: int, cjk: bool) -> Font:
    path = cjk_font_path() if cjk else latin_font_path()
    if path:
        try:
            return ImageFont.truetype(path, size, index=_face_index(path) if cjk else 0)
        except OSError:
            log.warning("cannot load font %s; using Pillow's default", path)
    return ImageFont.load_default(size)


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
    cjk = locale == "zh" and cjk_font_path() is not None
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


# --- rendering ----------------------------------------------------------------------------


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """Cut ``text`` with an ellipsis so it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    # optimize=True costs ~60 ms a picture for ~5% fewer bytes: not worth it in a reply window.
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


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


LEGEND: tuple[tuple[NodeState, str, str], ...] = (
    ("done", "done", "已完成"),
    ("in_progress", "in progress", "学习中"),
    ("skipped", "skipped", "已跳过"),
    ("todo", "to do", "未开始"),
)


def render_skill_tree(model: TreeModel) -> bytes:
    """The tree as PNG bytes. The middle band of each node is left free of text."""
    image = Image.new("RGB", (model.width, model.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    big, small = _font(22, model.cjk), _font(13, model.cjk)
    draw.rectangle((0, 0, model.width, TITLE_H - 10), fill=HEADER_FILL)
    draw.text((MARGIN, 12), _fit(draw, model.title, big, model.width - 2 * MARGIN), INK, big)
    by_id = {n.chapter_id: n for n in model.nodes}
    # Rows meet in one hub between them, like the diagram's stage nodes (P1_x → Architecture).
    hubs: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for a, b in model.edges:
        hubs.setdefault((by_id[a].box[1], by_id[b].box[1]), []).append((a, b))
    line = (189, 189, 189)
    for pairs in hubs.values():
        sources = {a for a, _ in pairs}
        targets = {b for _, b in pairs}
        top = max(by_id[a].box[3] for a in sources)
        bottom = min(by_id[b].box[1] for b in targets)
        hub = (model.width // 2, top + (bottom - top) // 3)
        for a in sources:
            draw.line(((by_id[a].centre[0], by_id[a].box[3]), hub), fill=line, width=2)
        for b in targets:
            draw.line((hub, (by_id[b].centre[0], by_id[b].box[1])), fill=line, width=2)
        draw.ellipse((hub[0] - 4, hub[1] - 4, hub[0] + 4, hub[1] + 4), fill=line)
    for row in model.rows:
        draw.text(row.xy, _fit(draw, row.text, small, model.width - 2 * MARGIN), INK, small)
    for n in model.nodes:
        x0, y0, x1, y1 = n.box
        draw.rounded_rectangle(n.box, radius=8, fill=n.colour, outline=INK, width=1)
        # Text only in the top and bottom bands; the centre keeps the pure state colour.
        draw.text((x0 + 8, y0 + 4), n.chapter_id, INK, small)
        for i, text in enumerate(_wrap(draw, n.title, small, NODE_W - 16, 2)):
            draw.text((x0 + 8, y0 + NODE_H // 2 + 8 + i * 16), text, INK, small)
    x0, y0, x1, y1 = model.bar
    draw.rounded_rectangle(model.bar, radius=6, fill=BAR_EMPTY)
    if model.bar_fraction > 0:
        fill_x = x0 + max(12, round((x1 - x0) * model.bar_fraction))
        draw.rounded_rectangle((x0, y0, fill_x, y1), radius=6, fill=BAR_FILL)
    draw.text((x0, y1 + 10), _fit(draw, model.caption, small, (x1 - x0) // 2), INK, small)
    lx = x1 - 4 * 110
    for state, en, zh in LEGEND:
        draw.rectangle((lx, y1 + 12, lx + 14, y1 + 26), fill=STATE_COLOURS[state], outline=INK)
        draw.text((lx + 20, y1 + 11), zh if model.cjk else en, INK, small)
        lx += 110
    return _png(image)


# A person asking /progress twice without studying in between gets the same picture: the
# model is hashable and fully decides the pixels, so the bytes are kept (~70 kB each).
@functools.lru_cache(maxsize=128)
def _render_tree_cached(model: TreeModel) -> bytes:
    return render_skill_tree(model)


async def skill_tree_png(model: TreeModel) -> bytes:
    """``render_skill_tree`` off the event loop (Pillow holds the CPU for tens of ms)."""
    return await asyncio.to_thread(_render_tree_cached, model)


# --- the leaderboard table ----------------------------------------------------------------


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
    cjk = locale == "zh" and cjk_font_path() is not None
    boxes = tuple(
        (0, BOARD_TOP + i * BOARD_ROW_H, BOARD_W, BOARD_TOP + (i + 1) * BOARD_ROW_H)
        for i in range(len(rows))
    )
    bars = tuple((_COLUMNS[5], y0 + 14, BOARD_W - MARGIN, y1 - 14) for _, y0, _, y1 in boxes)
    height = BOARD_TOP + max(1, len(rows)) * BOARD_ROW_H + MARGIN
    return BoardModel(BOARD_W, height, title, cjk, header, tuple(rows), boxes, bars)


def render_leaderboard(model: BoardModel | Sequence[BoardRow]) -> bytes:
    """The board as a PNG table: rank (medal colours for the top three), name, days, bar."""
    if not isinstance(model, BoardModel):
        model = board_model(model)
    image = Image.new("RGB", (model.width, model.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    big, body = _font(22, model.cjk), _font(15, model.cjk)
    draw.rectangle((0, 0, model.width, 56), fill=HEADER_FILL)
    draw.text((MARGIN, 14), _fit(draw, model.title, big, model.width - 2 * MARGIN), INK, big)
    for x, text in zip(_COLUMNS, model.header, strict=False):
        draw.text((x, 68), text, INK, body)
    for i, (row, box, bar) in enumerate(
        zip(model.rows, model.row_boxes, model.bar_boxes, strict=True)
    ):
        x0, y0, _, y1 = box
        if i % 2:
            draw.rectangle(box, fill=STRIPE)
        medal = MEDALS.get(row.rank)
        if medal:
            draw.ellipse((x0 + MARGIN - 2, y0 + 8, x0 + MARGIN + 22, y1 - 8), fill=medal)
        cells = (str(row.rank), row.label, row.days, str(row.steps), f"{row.streak}w")
        for j, (x, text) in enumerate(zip(_COLUMNS, cells, strict=False)):
            width = (_COLUMNS[j + 1] - x - 8) if j + 1 < len(_COLUMNS) else 80
            draw.text((x + (4 if j == 0 else 0), y0 + 11), _fit(draw, text, body, width), INK, body)
        draw.rounded_rectangle(bar, radius=5, fill=BAR_EMPTY)
        if row.fraction > 0:
            bx0, by0, bx1, by1 = bar
            draw.rounded_rectangle(
                (bx0, by0, bx0 + max(10, round((bx1 - bx0) * row.fraction)), by1),
                radius=5,
                fill=BAR_FILL,
            )
    if not model.rows:
        draw.text((MARGIN, BOARD_TOP + 10), "—", INK, body)
    return _png(image)


async def leaderboard_png(model: BoardModel) -> bytes:
    return await asyncio.to_thread(render_leaderboard, model)
