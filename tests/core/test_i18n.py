"""Language through gettext catalogues: a current template, complete catalogues with the same
placeholders, plural forms, Babel's dates, a third language from one ``.po`` file, and Chinese
replies end to end."""

from __future__ import annotations

import ast
import shutil
import string
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

from adapters.discord.commands import command_payloads
from bot import i18n
from bot.features import COMMANDS
from bot.i18n import (
    DEFAULT_DIR,
    format_date,
    format_when,
    locales,
    normalize_locale,
    ntr,
    tr,
    weekday_name,
)
from bot.i18n.tools import extract
from tests.conftest import flat
from tests.core.support import (
    fast_db,  # noqa: F401  (the ``db`` fixture)
    sqlite_backend,  # noqa: F401  (SQLite only)
)

CATALOGUES = sorted(DEFAULT_DIR.glob("*/LC_MESSAGES/skilltree.po"))
Ident = tuple[str | None, str, str | None]  # msgctxt, msgid, msgid_plural


def read(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


def idents(catalog: Catalog) -> set[Ident]:
    out: set[Ident] = set()
    for m in catalog:
        if not m.id:
            continue
        singular, plural = (m.id[0], m.id[1]) if m.pluralizable else (m.id, None)
        out.add((m.context, singular, plural))
    return out


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_shipped_catalogues_are_english_and_simplified_chinese():
    assert [p.parent.parent.name for p in CATALOGUES] == ["en", "zh_Hans"]
    assert locales() == ("en", "zh")


def test_the_template_is_what_pybabel_extracts_from_the_code(tmp_path):
    fresh = tmp_path / "fresh.pot"
    extract(fresh)
    committed = idents(read(DEFAULT_DIR / "skilltree.pot"))
    extracted = idents(read(fresh))
    assert len(extracted) > 250  # the extraction found the code's sentences
    assert sorted(extracted - committed, key=str) == [], "run `make messages`: new sentences"
    assert sorted(committed - extracted, key=str) == [], "run `make messages`: gone sentences"


MSGID_ARG = {"t": 0, "nt": 0, "tr": 1, "ntr": 1, "ptr": 2, "N_": 0, "pN_": 1}
ROOT = Path(__file__).resolve().parents[2]


def literal_msgids() -> set[tuple[str, int, str]]:
    """Every msgid written literally in a translation call, f-strings included (where the
    extractor of Python 3.11 cannot see them)."""
    found = set()
    for folder in ("bot", "adapters", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                index = MSGID_ARG.get(name)
                if index is None or len(node.args) <= index:
                    continue
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add((path.relative_to(ROOT).as_posix(), node.lineno, arg.value))
    return found


def test_every_msgid_in_the_code_is_in_the_template():
    template = {ident[1] for ident in idents(read(DEFAULT_DIR / "skilltree.pot"))}
    used = literal_msgids()
    assert len(used) > 250
    assert sorted(u for u in used if u[2] not in template) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_every_catalogue_translates_every_message_of_the_template(path):
    template = idents(read(DEFAULT_DIR / "skilltree.pot"))
    catalog = read(path)
    assert idents(catalog) == template, "run `make messages`"
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not all(m.string if m.pluralizable else [m.string]))
    ]
    assert untranslated == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_translations_keep_the_placeholders_of_their_message(path):
    wrong = []
    for m in read(path):
        if not m.id:
            continue
        if m.pluralizable:
            # A form may leave ``{n}`` out ("one day"), never add a name the code does not pass.
            wanted = placeholders(m.id[0]) | placeholders(m.id[1])
            wrong += [(m.id, s) for s in m.string if not placeholders(s) <= wanted]
            wrong += [(m.id, s) for s in m.string if placeholders(s) < wanted - {"n"}]
        elif placeholders(m.string) != placeholders(m.id):
            wrong.append((m.id, m.string))
    assert wrong == []


def entries(catalog: Catalog) -> set[tuple[str | None, tuple[str, ...], tuple[str, ...]]]:
    def seq(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value)

    return {(m.context, seq(m.id), seq(m.string)) for m in catalog if m.id}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalogue_matches_its_po_file(path):
    with path.with_suffix(".mo").open("rb") as fp:
        compiled = read_mo(fp)
    source = read(path)
    assert entries(compiled) == entries(source), "run `make messages` (pybabel compile)"


def test_counts_take_the_plural_form_of_the_language():
    assert ntr("en", "{n} person studies here", "{n} people study here", 1) == (
        "1 person studies here"
    )
    assert ntr("en", "{n} person studies here", "{n} people study here", 3) == (
        "3 people study here"
    )
    assert ntr("zh", "{n} person studies here", "{n} people study here", 3) == "这里有 3 人在学习"
    assert ntr("en", "{n} day", "{n} days", 1200) == "1,200 days"  # numbers as the locale writes


def test_dates_weekdays_and_times_follow_the_locale():
    monday = datetime(2026, 12, 7, 9, 0)
    assert format_when("zh", monday) == "12月7日星期一 09:00"
    assert format_when("en", monday) == "Monday, December 7, 09:00"
    assert format_date("zh", date(2027, 4, 13)) == "2027年4月13日"
    assert format_date("en", date(2027, 4, 13)) == "Apr 13, 2027"
    assert [weekday_name("en", 0), weekday_name("zh", 6)] == ["Monday", "星期日"]


@pytest.mark.parametrize(
    ("said", "spoken"),
    [("zh-CN", "zh"), ("zh_TW", "zh"), ("en-GB", "en"), ("fr", "en"), ("", "en"), (None, "en")],
)
def test_a_platform_locale_reads_the_closest_catalogue(said, spoken):
    assert normalize_locale(said) == spoken


def test_an_unknown_locale_reads_english():
    assert tr("fr", "Done") == "Done"


FRENCH = {
    "Type a command, for example `/path` or `/help`.": "Tapez une commande, par exemple `/path`.",
    "Your progress, pace and current step": "Votre progression et votre étape",
}


@pytest.fixture
def with_french(tmp_path) -> Iterator[Path]:
    """A copy of the shipped catalogues plus ``fr`` — one ``.po`` file, no ``.mo``, no code."""
    directory = tmp_path / "locales"
    shutil.copytree(DEFAULT_DIR, directory)
    catalog = Catalog(locale="fr", domain="skilltree", fuzzy=False)
    for msgid, text in FRENCH.items():
        catalog.add(msgid, text)
    # CLDR's French has three forms: one (0, 1), many (a million…), other.
    catalog.add(("{n} day", "{n} days"), ("{n} jour", "{n} de jours", "{n} jours"))
    (directory / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with (directory / "fr" / "LC_MESSAGES" / "skilltree.po").open("wb") as fp:
        write_po(fp, catalog)
    i18n.use_catalogues(directory)
    try:
        yield directory
    finally:
        i18n.use_catalogues(DEFAULT_DIR)


async def test_a_third_language_is_one_po_file(with_french, person):
    assert locales() == ("en", "fr", "zh")
    assert normalize_locale("fr-CA") == "fr"
    assert ntr("fr", "{n} day", "{n} days", 0) == "0 jour"  # French counts 0 as singular
    assert ntr("fr", "{n} day", "{n} days", 2) == "2 jours"
    assert format_date("fr", date(2027, 4, 13)) == "13 avr. 2027"
    reply = await person("amelie", locale="fr")("   ")
    assert reply.text == FRENCH["Type a command, for example `/path` or `/help`."]
    reply = await person("amelie", locale="fr")("/help")  # not translated: English
    assert reply.title == "Commands"
    payloads = {p["name"]: p for p in await command_payloads(COMMANDS)}
    assert payloads["progress"]["description_localizations"]["fr"] == (
        "Votre progression et votre étape"
    )
    assert "fr" not in payloads["path"]["description_localizations"]  # untranslated: default


async def test_discord_commands_carry_the_chinese_catalogue():
    payloads = {p["name"]: p for p in await command_payloads(COMMANDS)}
    assert payloads["progress"]["name_localizations"] == {"zh-CN": "进度"}
    assert payloads["progress"]["description_localizations"] == {
        "zh-CN": "你的进度、节奏和当前步骤"
    }
    privacy = payloads["privacy"]["options"][0]["choices"]
    assert {c["value"]: c["name_localizations"]["zh-CN"] for c in privacy}["hidden"] == "不上榜"


async def test_progress_in_chinese_uses_chinese_fields_and_titles(person, clock):
    li = person("li", locale="zh")
    await li("/path 应用开发")
    await li("/done")
    reply = await li("/progress")
    assert reply.title == "li — 👨💻 应用开发路线"
    names = [f.name for f in reply.fields]
    pace = tr("zh", "Pace")
    assert names[:5] == ["步骤", "学习天数", pace, "当前步骤", "预计完成"]
    values = {f.name: f.value for f in reply.fields}
    assert values[pace] == "领先 7 天"
    assert values["当前步骤"].startswith("第 2 步：4.1 — ")
    assert "4.1 语义理解应用：文本分类与聚类" in values["当前步骤"]
    assert "计划 2027年4月13日" in values["预计完成"]
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
    assert {f.name: f.value for f in reply.fields}[tr("zh", "Pace")] == "落后 3 天"


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
