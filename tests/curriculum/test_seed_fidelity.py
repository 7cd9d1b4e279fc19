"""The packaged curriculum says what the seed document says.

These tests parse the seed markdown (shared/seed/llm-skill-tree.md) on every run and compare it
with ``load_curriculum()``, so an edit to either side that drifts from the other fails here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from curriculum import Curriculum, load_curriculum

SEED_ENV = "SKILLTREE_SEED"
SEED_RELATIVE = Path("shared", "seed", "llm-skill-tree.md")

CN_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
PATH_IDS = ["app", "research", "mlops"]
TOTAL_DAYS = {"app": 43, "research": 98, "mlops": 62}
ALIASES = {
    "app": ["appdev", "应用开发", "应用开发路线", "application", "developer"],
    "research": ["算法研究", "算法研究路线", "researcher", "model-engineering"],
    "mlops": ["ops", "MLOps工程", "MLOps工程路线", "infra", "infrastructure"],
}

MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


# --------------------------------------------------------------------------- locating the seed


def find_seed() -> Path | None:
    """$SKILLTREE_SEED, else the nearest ``shared/seed/llm-skill-tree.md`` above this file.

    Walking up covers both layouts: the repo inside a workspace that holds ``shared/``, and a
    CI checkout with a copy of ``shared/`` beside the repo (``<repo>/../shared/...``).
    """
    env = os.environ.get(SEED_ENV)
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / SEED_RELATIVE
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def seed() -> str:
    path = find_seed()
    if path is None:
        pytest.skip(
            f"seed document not found: set {SEED_ENV} or place {SEED_RELATIVE.as_posix()} in a"
            " parent directory of the repository (e.g. <repo>/../shared/seed/)"
        )
    if not path.is_file():
        pytest.fail(f"{SEED_ENV}={path} does not name a file")
    return path.read_text("utf-8")


@pytest.fixture(scope="module")
def cur() -> Curriculum:
    return load_curriculum()


# --------------------------------------------------------------------------- markdown helpers


def headings(text: str) -> list[tuple[int, str, int, int]]:
    """(level, title, start, end) of each markdown heading outside fenced code blocks.

    Fences matter: the seed's ```bash blocks have ``# 核心依赖`` comment lines.
    """
    out = []
    in_fence = False
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and (m := re.match(r"(#{1,6}) (.+)", line)):
            out.append((len(m.group(1)), m.group(2).strip(), pos, pos + len(line)))
        pos += len(line)
    return out


def section(text: str, heading: str, level: int) -> str:
    """The body under the first heading of ``level`` that starts with ``heading``."""
    found = headings(text)
    for i, (lvl, title, _, end) in enumerate(found):
        if lvl == level and title.startswith(heading):
            stop = next((h[2] for h in found[i + 1 :] if h[0] <= level), len(text))
            return text[end:stop]
    raise AssertionError(f"seed has no level-{level} heading starting {heading!r}")


def subsections(text: str, level: int) -> list[tuple[str, str]]:
    """(heading, body) for each heading of exactly ``level`` in ``text``."""
    found = headings(text)
    out = []
    for i, (lvl, title, _, end) in enumerate(found):
        if lvl == level:
            stop = next((h[2] for h in found[i + 1 :] if h[0] <= level), len(text))
            out.append((title, text[end:stop]))
    return out


def after_label(body: str, label: str) -> str:
    """The text after a ``**label**：`` line, up to the next bold label or rule."""
    m = re.search(rf"^\*\*{re.escape(label)}\*\*：(.*)$", body, re.M)
    assert m, f"no **{label}** in section"
    rest = body[m.end() :]
    end = re.search(r"^(\*\*[^*]+\*\*：|---)", rest, re.M)
    return m.group(1) + (rest[: end.start()] if end else rest)


def fenced(block_text: str, lang: str) -> str:
    m = re.search(rf"```{lang}\n(.*?)```", block_text, re.S)
    assert m, f"no ```{lang} block"
    return m.group(1)


def bullets(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text, re.M)]


def numbered(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\d+\. (.+)$", text, re.M)]


def part_number(cn: str) -> int:
    return CN_NUMERALS[cn]


# --------------------------------------------------------------------------- seed structures


@dataclass(frozen=True)
class SeedChapter:
    id: str
    title: str
    link: str


@dataclass(frozen=True)
class SeedRow:
    stage: int
    stage_title: str
    chapters: list[str]
    link: str
    focus: str
    days: int


def seed_parts(seed: str) -> list[tuple[int, str, list[SeedChapter]]]:
    nav = section(seed, "快速导航", 2)
    parts = []
    for heading, body in subsections(nav, 4):
        m = re.fullmatch(r"第(.)部分：(.+)", heading)
        assert m, heading
        pid = part_number(m.group(1))
        chapters = []
        for item in bullets(body):
            link = MD_LINK.fullmatch(item)
            assert link, item
            num = re.fullmatch(r"第(\d+)章：(.+)", link.group(1))
            assert num, item
            chapters.append(SeedChapter(f"{pid}.{num.group(1)}", num.group(2), link.group(2)))
        parts.append((pid, m.group(2), chapters))
    return parts


def seed_link_targets(seed: str) -> dict[str, str]:
    """Chapter link path -> chapter id, from the quick navigation."""
    return {ch.link: ch.id for _, _, chapters in seed_parts(seed) for ch in chapters}


def path_section(seed: str, title_zh: str) -> tuple[str, str]:
    """(heading, body) of the career path whose heading names ``title_zh``."""
    careers = section(seed, "三大职业路线详解", 2)
    matches = [(h, b) for h, b in subsections(careers, 3) if title_zh in h]
    assert len(matches) == 1, f"expected one career heading naming {title_zh!r}"
    return matches[0]


def duration_days(cell: str) -> int:
    m = re.fullmatch(r"(\d+)(周|天)", cell)
    assert m, f"unrecognised duration {cell!r}"
    return int(m.group(1)) * (7 if m.group(2) == "周" else 1)


def table_rows(text: str) -> list[list[str]]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("|")]
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    # Drop the header row and the alignment row.
    return [r for r in rows[1:] if not all(re.fullmatch(r":?-+:?", c) for c in r)]


def seed_rows(seed: str, title_zh: str) -> list[SeedRow]:
    _, body = path_section(seed, title_zh)
    rows = []
    stage, stage_title = 0, ""
    for stage_cell, chapter_cell, focus, time in table_rows(after_label(body, "详细章节路径")):
        if stage_cell:  # an empty 阶段 cell continues the stage of the row above
            m = re.fullmatch(r"\*\*(\d+)\. (.+)\*\*", stage_cell)
            assert m, stage_cell
            stage, stage_title = int(m.group(1)), m.group(2)
        link = MD_LINK.fullmatch(chapter_cell)
        assert link, chapter_cell
        ref = re.fullmatch(r"第(.)部分 Ch(\d+)(?:-(\d+))?", link.group(1))
        assert ref, chapter_cell
        part, first = part_number(ref.group(1)), int(ref.group(2))
        last = int(ref.group(3) or first)
        chapters = [f"{part}.{n}" for n in range(first, last + 1)]
        rows.append(
            SeedRow(stage, stage_title, chapters, link.group(2), focus, duration_days(time))
        )
    return rows


def mermaid_route(seed: str, title_zh: str) -> list[int]:
    """Part numbers along the path's 学习路线图 chain, from its start node."""
    _, body = path_section(seed, title_zh)
    diagram = fenced(after_label(body, "学习路线图"), "mermaid")
    node = r"(\w+)(?:\[([^\]]*)\])?"
    labels: dict[str, str] = {}
    edges: dict[str, str] = {}
    for m in re.finditer(rf"{node}\s*-->\s*{node}", diagram):
        src, src_label, dst, dst_label = m.groups()
        for name, label in ((src, src_label), (dst, dst_label)):
            if label:  # a node's label is given where it is first drawn
                labels[name] = label
        edges[src] = dst
    (start,) = set(edges) - set(edges.values())
    route = []
    current: str | None = start
    while current is not None:
        m = re.match(r"第(.)部分", labels[current])
        assert m, labels[current]
        route.append(part_number(m.group(1)))
        current = edges.get(current)
    return route


def seed_stack(seed: str, title_zh: str) -> list[tuple[str, list[str]]]:
    _, body = path_section(seed, title_zh)
    code = fenced(after_label(body, "关键技术栈"), "bash")
    groups: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("# "):
            groups.append((line[2:].strip(), []))
        else:
            groups[-1][1].append(line)
    return groups


# --------------------------------------------------------------------------- title and parts


def test_title_matches_the_seed_heading(seed, cur):
    h1 = re.search(r"^# (.+)$", seed, re.M)
    assert h1
    assert h1.group(1) == f"{cur.title.zh} ({cur.title.en})"


def test_there_are_seven_parts_and_twenty_nine_chapters(seed, cur):
    assert [p.id for p in cur.parts] == [1, 2, 3, 4, 5, 6, 7]
    assert [len(p.chapters) for p in cur.parts] == [3, 3, 4, 4, 5, 4, 6]
    assert len(cur.chapters) == 29
    parsed = seed_parts(seed)
    assert [pid for pid, _, _ in parsed] == [p.id for p in cur.parts]
    assert [len(chs) for _, _, chs in parsed] == [len(p.chapters) for p in cur.parts]


def test_every_part_title_matches_the_seed(seed, cur):
    assert [(pid, title) for pid, title, _ in seed_parts(seed)] == [
        (p.id, p.title.zh) for p in cur.parts
    ]


def test_every_chapter_title_and_link_match_the_seed(seed, cur):
    expected = [ch for _, _, chapters in seed_parts(seed) for ch in chapters]
    actual = [
        SeedChapter(ch.id, ch.title.zh, ch.link) for part in cur.parts for ch in part.chapters
    ]
    assert actual == expected


def test_every_part_and_chapter_has_an_english_title(cur):
    for part in cur.parts:
        assert part.title.en != part.title.zh
        for ch in part.chapters:
            assert ch.title.en != ch.title.zh, ch.id
            assert not re.search(r"[\u4e00-\u9fff]", ch.title.en), ch.id


# --------------------------------------------------------------------------- paths


def test_paths_are_app_research_mlops_in_order(cur):
    assert [p.id for p in cur.paths] == PATH_IDS


def test_path_heading_icon_and_titles_match_the_seed(seed, cur):
    for path in cur.paths:
        heading, _ = path_section(seed, path.title.zh)
        assert heading == f"{path.icon} {path.title.zh} ({path.title.en})"


def test_path_goal_and_skills_match_the_seed(seed, cur):
    for path in cur.paths:
        _, body = path_section(seed, path.title.zh)
        assert path.goal.zh == after_label(body, "职业目标").splitlines()[0].strip()
        assert [s.zh for s in path.skills] == bullets(after_label(body, "核心能力"))


@pytest.mark.parametrize("path_id", PATH_IDS)
def test_path_route_follows_the_seed_route_diagram(seed, cur, path_id):
    path = cur.path_by_id[path_id]
    assert path.route == mermaid_route(seed, path.title.zh)


def test_routes_are_the_specified_part_orders(cur):
    assert {p.id: p.route for p in cur.paths} == {
        "app": [1, 4, 6, 5, 7],
        "research": [1, 2, 3, 5, 7],
        "mlops": [1, 5, 6, 7],
    }


def _leading_part1_step_count(path_id: str) -> int:
    # The research table starts at Part 2, but its route diagram starts at Part 1 and the study
    # tips say 不要跳过第一部分基础章节, so the data adds one Part 1 step (stage 1) in front.
    return 1 if path_id == "research" else 0


@pytest.mark.parametrize("path_id", PATH_IDS)
def test_path_steps_match_the_seed_table_rows(seed, cur, path_id):
    path = cur.path_by_id[path_id]
    rows = seed_rows(seed, path.title.zh)
    extra = _leading_part1_step_count(path_id)
    steps = path.steps[extra:]
    assert [(s.chapters, s.days) for s in steps] == [(r.chapters, r.days) for r in rows]
    assert [s.focus.zh for s in steps] == [r.focus for r in rows]
    assert [s.stage for s in steps] == [r.stage + extra for r in rows]


@pytest.mark.parametrize("path_id", PATH_IDS)
def test_path_stages_match_the_seed_stage_column(seed, cur, path_id):
    path = cur.path_by_id[path_id]
    extra = _leading_part1_step_count(path_id)
    seen: dict[int, str] = {}
    for row in seed_rows(seed, path.title.zh):
        seen.setdefault(row.stage + extra, row.stage_title)
    assert [(s.id, s.title.zh) for s in path.stages[extra:]] == list(seen.items())
    assert [s.id for s in path.stages] == list(range(1, len(path.stages) + 1))


def test_each_table_row_link_points_at_the_rows_first_chapter(seed, cur):
    targets = seed_link_targets(seed)
    for path in cur.paths:
        for row in seed_rows(seed, path.title.zh):
            assert targets[row.link] == row.chapters[0]
            assert cur.chapters[row.chapters[0]].link == row.link


def test_research_path_starts_with_the_part_one_foundations(seed, cur):
    research = cur.path_by_id["research"]
    first = research.steps[0]
    assert first.chapters == ["1.1", "1.2", "1.3"]
    assert first.days == 7
    assert first.stage == research.stages[0].id == 1
    assert research.stages[0].title.zh == "基础"
    # The seed's own grounds for the extra step.
    assert mermaid_route(seed, research.title.zh)[0] == 1
    assert "不要跳过第一部分基础章节" in bullets(section(seed, "学习策略", 3))
    assert seed_rows(seed, research.title.zh)[0].chapters == ["2.1"]


def test_path_totals_are_43_98_and_62_days(seed, cur):
    assert {p.id: p.total_days for p in cur.paths} == TOTAL_DAYS
    part1_days = 7  # the research path's added Part 1 week
    for path in cur.paths:
        seed_total = sum(r.days for r in seed_rows(seed, path.title.zh))
        assert path.total_days == seed_total + part1_days * _leading_part1_step_count(path.id)


def test_path_aliases_are_as_specified_and_resolve_case_insensitively(cur):
    assert {p.id: p.aliases for p in cur.paths} == ALIASES
    names = {name.casefold(): path.id for path in cur.paths for name in [path.id, *path.aliases]}
    for path in cur.paths:
        for name in [path.id, *path.aliases]:
            assert names[name.casefold()] == path.id
            assert names[name.upper().casefold()] == path.id
    assert names["mlops工程".casefold()] == "mlops"
    assert names["AppDev".casefold()] == "app"


@pytest.mark.parametrize("path_id", PATH_IDS)
def test_path_stack_groups_and_lines_match_the_seed(seed, cur, path_id):
    path = cur.path_by_id[path_id]
    expected = seed_stack(seed, path.title.zh)
    assert [(g.label.zh, g.lines) for g in path.stack] == expected
    seed_lines = {ln.rstrip() for ln in seed.splitlines()}
    for group in path.stack:
        for line in group.lines:
            assert line in seed_lines


def test_path_projects_and_papers_match_the_seed(seed, cur):
    for path in cur.paths:
        _, body = path_section(seed, path.title.zh)
        projects = []
        for label in ("项目实战建议", "实战项目建议"):
            if f"**{label}**" in body:
                projects = numbered(after_label(body, label))
        assert [p.zh for p in path.projects] == projects
        papers = numbered(after_label(body, "论文必读清单")) if "论文必读清单" in body else []
        assert [p.zh for p in path.papers] == papers
        assert [p.en for p in path.papers] == papers
    assert len(cur.path_by_id["research"].papers) == 5


def test_path_weeks_match_the_time_planning_totals(seed, cur):
    totals = {}
    for cells in table_rows(section(seed, "时间规划", 3)):
        m = re.fullmatch(r"\*\*(.+)\*\*", cells[-1])
        assert m, cells
        totals[cells[0]] = m.group(1)
    for path in cur.paths:
        assert path.weeks is not None
        assert path.weeks.zh == totals[path.title.zh]
        assert path.weeks.en == totals[path.title.zh].replace("周", " weeks")


# --------------------------------------------------------------------------- bridges, tips


def test_bridges_match_the_seed_advanced_paths(seed, cur):
    targets = seed_link_targets(seed)
    seed_bridges = subsections(section(seed, "进阶路径", 2), 3)
    assert [b.id for b in cur.bridges] == ["app-to-research", "mlops-to-research"]
    assert [(b.from_path, b.to_path) for b in cur.bridges] == [
        ("app", "research"),
        ("mlops", "research"),
    ]
    assert [b.title.zh for b in cur.bridges] == [h for h, _ in seed_bridges]
    for bridge, (_, body) in zip(cur.bridges, seed_bridges, strict=True):
        expected = []
        for item in numbered(body):
            m = re.fullmatch(r"(\S+) \[([^\]]+)\]\(([^)]+)\)", item)
            assert m, item
            expected.append((targets[m.group(3)], f"{m.group(1)} {m.group(2)}"))
        assert [(i.chapter, i.text.zh) for i in bridge.items] == expected


def test_bridge_chapters_are_the_specified_link_targets(cur):
    assert [[i.chapter for i in b.items] for b in cur.bridges] == [
        ["2.1", "3.2", "7.4"],
        ["2.3", "7.2", "7.6"],
    ]


def test_tips_are_every_strategy_bullet_with_its_category(seed, cur):
    strategy = section(seed, "学习策略", 3)
    expected = []
    category = None
    for line in strategy.splitlines():
        head = re.fullmatch(r"\d+\. \*\*(.+)\*\*", line.strip())
        if head:
            category = head.group(1)
        elif line.strip().startswith("- "):
            expected.append((category, line.strip()[2:]))
    assert len(expected) == 8
    assert [(t.category.zh, t.text.zh) for t in cur.tips] == expected


def test_pitfalls_are_the_seed_common_pitfalls(seed, cur):
    expected = bullets(section(seed, "常见误区", 3))
    assert len(expected) == 4
    assert [p.zh for p in cur.pitfalls] == expected
