"""``/chapter`` and ``/next``: what a chapter is, where it sits, and what to study now."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.core import Core
from bot.features import COMMANDS
from tests.conftest import Person, flat
from tests.core.support import (
    fast_db,  # noqa: F401  (the ``db`` fixture)
    sqlite_backend,  # noqa: F401  (SQLite only)
)


def field(reply, name: str) -> str:
    found = [f.value for f in reply.fields if f.name == name or f.name.startswith(name + ":")]
    assert found, f"no field {name!r} in {[f.name for f in reply.fields]}"
    return found[0]


async def test_chapter_shows_both_titles_part_state_and_link(person):
    reply = await person("alice")("/chapter 4.2")
    assert not reply.is_error
    assert reply.title == "4.2 How Retrieval-Augmented Generation (RAG) Works"
    first = reply.text.splitlines()[0]
    assert first == "How Retrieval-Augmented Generation (RAG) Works · 检索增强生成（RAG）原理"
    link = reply.text.splitlines()[1]
    assert link.startswith("Read: https://example.org/book/")
    # The link is the chapter's file, percent-encoded.
    assert link.endswith(".md")
    assert "%E7%AC%AC%E5%9B%9B%E9%83%A8%E5%88%86" in link  # 第四部分
    assert field(reply, "Part") == "4 · LLM Application Development"
    assert field(reply, "Your state") == "to do"
    assert field(reply, "In paths") == (
        "👨💻 Application Developer Path, step 3: RAG architecture and vector retrieval (7 days)"
    )
    assert [b.command for b in reply.buttons] == ["done", "start", "skip"]


async def test_chapter_in_several_paths_lists_each_with_focus_and_days(person):
    reply = await person("alice")("/chapter 6.2")
    in_paths = field(reply, "In paths").splitlines()
    assert in_paths == [
        "👨💻 Application Developer Path, step 5: High-performance inference with vLLM (3 days)",
        "⚙️ MLOps & Infrastructure Path, step 6: vLLM PagedAttention (7 days)",
    ]


async def test_chapter_of_a_shared_step_says_how_many_chapters_share_the_days(person):
    reply = await person("alice")("/chapter 1.2")
    lines = field(reply, "In paths").splitlines()
    assert len(lines) == 3
    assert "(7 days for 3 chapters)" in lines[0]


async def test_chapter_in_no_path(person):
    reply = await person("alice")("/chapter 7.6")
    assert field(reply, "In paths") == "Not part of any path's plan."


async def test_chapter_without_a_base_url_has_no_link(db, clock, curriculum):
    core = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=clock)
    reply = await Person(core, "alice")("/chapter 4.2")
    assert not reply.is_error
    assert "Read:" not in reply.text
    assert "http" not in flat(reply)


async def test_chapter_in_chinese_leads_with_the_chinese_title(person):
    reply = await person("li", locale="zh")("/chapter 4.2")
    assert reply.title == "4.2 检索增强生成（RAG）原理"
    assert reply.text.splitlines()[0] == (
        "检索增强生成（RAG）原理 · How Retrieval-Augmented Generation (RAG) Works"
    )
    assert "阅读: https://example.org/book/" in reply.text
    assert field(reply, "你的状态") == "未开始"


async def test_chapter_title_word_rag_resolves(person):
    reply = await person("alice")("/chapter RAG")
    assert reply.title is not None and reply.title.startswith("4.2 ")


async def test_chapter_chinese_title_word_resolves(person):
    reply = await person("alice")("/chapter 智能体")
    assert reply.title is not None and reply.title.startswith("4.3 ")


async def test_chapter_ambiguous_word_lists_candidates(person):
    reply = await person("alice")("/chapter model")
    assert reply.is_error
    assert "There is no chapter `model`." in reply.text
    assert "Did you mean `" in reply.text


async def test_chapter_unknown_id_in_a_known_part_suggests_its_chapters(person):
    reply = await person("alice")("/chapter 4.9")
    assert reply.is_error
    assert "There is no chapter `4.9`." in reply.text
    assert "Did you mean `4." in reply.text
    assert "numbered part.chapter, e.g. `4.2`" in reply.text


async def test_chapter_unknown_id_9_9_gets_suggestions(person):
    reply = await person("alice")("/chapter 9.9")
    assert reply.is_error
    assert "Did you mean" in reply.text


async def test_chapter_shows_my_state_and_only_useful_buttons(person):
    alice = person("alice")
    await alice("/start 4.2")
    reply = await alice("/chapter 4.2")
    assert field(reply, "Your state") == "in progress"
    assert [b.command for b in reply.buttons] == ["done", "skip"]
    await alice("/done 4.2")
    reply = await alice("/chapter 4.2")
    assert field(reply, "Your state") == "done"
    assert reply.buttons == ()


async def test_chapter_needs_an_id(person):
    reply = await person("alice")("/chapter")
    assert reply.is_error
    assert "Usage: `/chapter CHAPTER`" in reply.text


async def test_next_shows_chapters_focus_time_stack_project_tip(person):
    alice = person("alice")
    await alice("/path app")
    reply = await alice("/next")
    assert reply.title == "Next up: step 1 of 9"
    names = [f.name for f in reply.fields]
    assert names[:3] == ["Chapters", "Focus", "Time"]
    assert any(n.startswith("Stack: ") for n in names)
    assert "Project idea" in names
    assert "Tip" in names
    assert field(reply, "Chapters").splitlines()[0] == "1.1 Getting to Know Large Language Models"
    assert field(reply, "Time") == "7 days"
    assert "`pip install" in field(reply, "Stack")
    assert [(b.command, b.args) for b in reply.buttons] == [
        ("start", "1.1"),
        ("done", "step:1"),
        ("progress", ""),
    ]


async def test_next_on_the_research_path_alternates_project_and_paper(person):
    alice = person("alice")
    await alice("/path research")
    first = await alice("/next")
    await alice("/done")
    second = await alice("/next")
    names_1 = [f.name for f in first.fields]
    names_2 = [f.name for f in second.fields]
    # Research has papers and no projects: step 2 (odd index) gets a paper.
    assert "Paper to read" not in names_1
    assert "Paper to read" in names_2
    assert second.title == "Next up: step 2 of 15"


async def test_next_before_enrolling(person):
    reply = await person("alice")("/next")
    assert reply.is_error
    assert "haven't picked a path" in reply.text


async def test_next_on_a_finished_path_offers_the_bridges(person):
    alice = person("alice")
    await alice("/path mlops")
    for _ in range(10):
        await alice("/done")
    reply = await alice("/next")
    assert not reply.is_error
    assert "You've finished the ⚙️ MLOps & Infrastructure Path." in reply.text
    assert [f.name for f in reply.fields] == ["Where to go next: From MLOps to Research"]
    assert reply.fields[0].value.strip()


async def test_next_tip_rotates_with_the_week(person, clock: FixedClock):
    alice = person("alice")
    await alice("/path app")
    tips = set()
    for _ in range(4):
        tips.add(field(await alice("/next"), "Tip"))
        clock.advance(days=7)
    assert len(tips) > 1
