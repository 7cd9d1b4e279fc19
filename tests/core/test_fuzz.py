"""Whatever anyone types, the core answers with a Reply — never an exception, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.features import COMMANDS
from bot.types import Reply
from tests.conftest import Person
from tests.core.support import fast_db  # noqa: F401  (the ``db`` fixture)

NAMES = [c.name for c in COMMANDS]
OPTION_NAMES = sorted({o.name for c in COMMANDS for o in c.options} | {"foo", "step"})

# Any character, NUL included: PostgreSQL refuses NUL in text, so input must be cleaned first.
TEXT = st.text(max_size=12)
WORDS = st.sampled_from(
    [
        "mlops",
        "ops",
        "应用开发",
        "4.2",
        "9.9",
        "p4c2",
        "RAG",
        "@bob",
        "<@bob>",
        "<@>",
        "wed",
        "周三",
        "19:30",
        "7pm",
        "25:00",
        "Asia/Shanghai",
        "UTC+8",
        "2027-03-20",
        "2027-13-01",
        "confirm",
        "pause",
        "off",
        "hidden",
        '"',
        "'",
        "“",
        "step:0",
        "step:99",
        "step:-1",
        "step:1e9",
        "\u200b",
        "🙂",
        "%s",
        "{}",
        "{name}",
        "\\",
    ]
)
TOKENS = st.one_of(
    WORDS,
    TEXT,
    st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(OPTION_NAMES), TEXT),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(OPTION_NAMES), WORDS),
)
COMMAND_LINES = st.builds(
    lambda slash, name, args: f"{slash}{name} " + " ".join(args),
    st.sampled_from(["/", "", " /", "／"]),
    st.sampled_from([*NAMES, "prgress", "export_my_data", "HELP"]),
    st.lists(TOKENS, max_size=4),
)
LINES = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=80), COMMAND_LINES
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(line="/progress @bob", locale="en")
@example(line="/reminders 周三 19:30 北京", locale="zh")
@example(line="/forget-me confirm", locale="en")
@given(line=LINES, locale=st.sampled_from(["en", "zh"]))
async def test_any_input_gets_a_reply_without_a_traceback(core, line, locale):
    person = Person(core, "fuzzer", locale=locale, channel="fuzz")
    reply = await person(line)
    assert isinstance(reply, Reply)
    text = "\n".join(
        [reply.text, reply.title or "", reply.footer or ""]
        + [f"{f.name} {f.value}" for f in reply.fields]
    )
    assert "Traceback" not in text
    assert text.strip()
    # A bug would show as the internal-error apology: arbitrary input must never reach it.
    assert "something went wrong on my side" not in reply.text, line


@pytest.mark.parametrize(
    ("line", "is_error"),
    [
        ("/progress @a\x00b", True),
        ("/progress \x00", True),
        ("/chapter a\x00", True),
        ("/path \x00", False),
    ],
)
async def test_a_nul_character_is_dropped_never_an_internal_error(core, backend, line, is_error):
    reply = await Person(core, "alice")(line)
    assert reply.is_error is is_error
    assert "something went wrong on my side" not in reply.text
