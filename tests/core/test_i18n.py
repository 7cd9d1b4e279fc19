"""Both languages: a complete catalog, the same placeholders, and Chinese replies end to end."""

from __future__ import annotations

import ast
import string
from pathlib import Path
from typing import get_args

import pytest

from bot.features import COMMANDS
from bot.i18n import MESSAGES, WEEKDAYS, tr
from bot.pace import PaceKind
from tests.conftest import flat
from tests.core.support import (
    fast_db,  # noqa: F401  (the ``db`` fixture)
    sqlite_backend,  # noqa: F401  (SQLite only)
)

ROOT = Path(__file__).resolve().parents[2]
CORE_SOURCES = sorted(
    [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("adapters", "console").rglob("*.py")]
)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    msg = MESSAGES[key]
    assert msg.en.strip(), f"{key}: empty English"
    assert msg.zh.strip(), f"{key}: empty Chinese"
    assert placeholders(msg.en) == placeholders(msg.zh), key


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_formats_in_both_languages(key):
    names = placeholders(MESSAGES[key].en)
    values = {n: "X" for n in names}
    for locale in ("en", "zh"):
        out = tr(locale, key, **values)
        assert "{" not in out.replace("{}", "") or not names, (key, locale, out)


def literal_keys() -> set[tuple[str, str]]:
    """(file, key) for every message key written literally in the core's code."""
    found: set[tuple[str, str]] = set()
    for path in CORE_SOURCES:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args: list[ast.expr] = []
            if name == "t" and node.args:
                args.append(node.args[0])
            elif name == "tr" and len(node.args) >= 2:
                args.append(node.args[1])
            elif name in ("UserError", "OptionError") and node.args:
                args.append(node.args[0])
            args += [k.value for k in node.keywords if k.arg == "hint"]
            for a in args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    found.add((path.relative_to(ROOT).as_posix(), a.value))
    return found


def test_every_key_the_code_uses_is_in_the_catalog():
    keys = literal_keys()
    assert len(keys) > 60  # the scan finds them
    missing = sorted((f, k) for f, k in keys if k not in MESSAGES)
    assert missing == []


def test_every_key_built_at_runtime_is_in_the_catalog():
    built = [f"pace.{k}" for k in get_args(PaceKind)]
    built += [f"state.{s}" for s in ("todo", "in_progress", "done", "skipped")]
    privacy = next(c for c in COMMANDS if c.name == "privacy").options[0]
    built += [f"privacy.{c.value}" for c in privacy.choices]
    assert [k for k in built if k not in MESSAGES] == []


def test_command_descriptions_exist_in_both_languages():
    for spec in COMMANDS:
        assert spec.description.en and spec.description.zh, spec.name
        for opt in spec.options:
            assert opt.description.en and opt.description.zh, (spec.name, opt.name)
            for choice in opt.choices:
                assert choice.label.en and choice.label.zh, (spec.name, choice.value)


def test_weekday_names_in_both_languages():
    assert len(WEEKDAYS["en"]) == len(WEEKDAYS["zh"]) == 7


def test_unknown_locale_falls_back_to_english():
    assert tr("fr", "button.done") == "Done"


async def test_progress_in_chinese_uses_chinese_fields_and_titles(person, clock):
    li = person("li", locale="zh")
    await li("/path 应用开发")
    await li("/done")
    reply = await li("/progress")
    assert reply.title == "li — 👨💻 应用开发路线"
    names = [f.name for f in reply.fields]
    pace = tr("zh", "progress.pace")
    assert names[:5] == ["步骤", "学习天数", pace, "当前步骤", "预计完成"]
    values = {f.name: f.value for f in reply.fields}
    assert values[pace] == "领先 7 天"
    assert values["当前步骤"].startswith("第 2 步：4.1 — ")
    assert "4.1 语义理解应用：文本分类与聚类" in values["当前步骤"]
    assert "计划 2027-04-13" in values["预计完成"]
    assert [b.label for b in reply.buttons] == ["完成", "下一步", "进度"]


async def test_enrolling_in_chinese(person):
    reply = await person("li", locale="zh")("/path mlops")
    assert reply.title == "欢迎加入⚙️ MLOps 工程路线！"
    assert "共 10 步，62 天学习量（约 9 周）。" in reply.text
    assert "你已加入本频道的学习小组。" in reply.text
    assert "1.1 初识大语言模型" in flat(reply)


async def test_pace_behind_in_chinese(person, clock):
    li = person("li", locale="zh")
    await li("/path mlops")
    clock.advance(days=10)
    reply = await li("/progress")
    assert {f.name: f.value for f in reply.fields}[tr("zh", "progress.pace")] == "落后 3 天"


async def test_next_in_chinese(person):
    li = person("li", locale="zh")
    await li("/path 应用开发")
    reply = await li("/next")
    assert reply.title == "下一步：第 1/9 步"
    names = [f.name for f in reply.fields]
    assert names[:3] == ["章节", "学习重点", "时间"]
    assert "学习建议" in names


async def test_the_same_person_can_switch_language_between_commands(person, db):
    from tests.core.support import user_row

    await person("alice", locale="en")("/path mlops")
    reply = await person("alice", locale="zh")("/progress")
    assert reply.title == "alice — ⚙️ MLOps 工程路线"
    assert (await user_row(db, "alice")).locale == "zh"
