"""Reply → Block Kit within Slack's limits; the manifest matches COMMANDS."""

from __future__ import annotations

import re

from adapters.slack.manifest import MANIFEST_PATH, render_manifest
from adapters.slack.render import (
    fallback_text,
    mrkdwn,
    parse_action_value,
    render_blocks,
)
from adapters.slack.surface import slash_command_names
from bot.features import COMMANDS
from bot.types import Attachment, Button, Field, ProgressBar, Reply
from tests.slack.fake_slack import block_problems


def test_bold_becomes_slack_bold_and_control_characters_are_escaped():
    assert mrkdwn("**Step 1** <!channel> & co") == "*Step 1* &lt;!channel&gt; &amp; co"


def test_a_full_reply_renders_every_part():
    reply = Reply(
        title="**Progress**",
        text="Hello **you**",
        fields=(Field("Steps", "1/10"), Field("Next", "long\nvalue", inline=False)),
        progress=ProgressBar(1, 4, label="days"),
        buttons=(Button("Done", "done", "step:2", "primary"), Button("Next", "next")),
        footer="footer",
    )
    blocks = render_blocks(reply)
    assert [b["type"] for b in blocks] == [
        "header",
        "section",
        "context",
        "section",
        "section",
        "actions",
        "context",
    ]
    assert blocks[0]["text"]["text"] == "Progress"
    assert blocks[1]["text"]["text"] == "Hello *you*"
    assert "25%" in blocks[2]["elements"][0]["text"]
    done, nxt = blocks[5]["elements"]
    assert (done["action_id"], done["value"], done["style"]) == (
        "st:done:0",
        "done step:2",
        "primary",
    )
    assert "style" not in nxt  # Slack has no "secondary" style
    assert fallback_text(reply) == "Progress\nHello you"
    assert block_problems(blocks, limit=50) == []


def test_limits_are_enforced():
    reply = Reply(
        title="t" * 500,
        text="x" * 10_000,
        fields=tuple(Field(f"f{i}", "v" * 3000, inline=i % 3 != 0) for i in range(300)),
        buttons=tuple(Button(f"b{i}" * 50, "done", str(i)) for i in range(60)),
        footer="the end",
    )
    blocks = render_blocks(reply)
    assert len(blocks) == 50
    assert block_problems(blocks, limit=50) == []
    assert blocks[1]["text"]["text"].endswith("…")
    assert len(blocks[1]["text"]["text"]) == 3000
    assert all(len(b.get("fields", [])) <= 10 for b in blocks)
    # the buttons and the footer survive; the body is cut and says so
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 25, 10]
    assert blocks[-1]["elements"][0]["text"] == "the end"
    assert any(b["type"] == "context" and b["elements"][0]["text"] == "…" for b in blocks)


def test_action_ids_can_start_anywhere_so_views_stay_unique():
    reply = Reply(text="x", buttons=(Button("A", "next"), Button("B", "progress")))
    ids = [e["action_id"] for e in render_blocks(reply, first_action=5)[-1]["elements"]]
    assert ids == ["st:next:5", "st:progress:6"]


def test_small_text_files_are_inlined_and_big_or_binary_ones_are_not():
    small = Attachment("a.json", b'{"a": 1}', "application/json")
    big = Attachment("b.json", b"x" * 5000, "application/json")
    image = Attachment("c.png", b"\x89PNG", "image/png")
    blocks = render_blocks(Reply(text="t", attachments=(small, big, image)))
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert texts == ["t", '`a.json`\n```{"a": 1}```']


def test_button_values_are_parsed_back_carefully():
    assert parse_action_value("done step:2") == "done step:2"
    assert parse_action_value("  ") is None
    assert parse_action_value(None) is None
    assert parse_action_value("x" * 3000) is None


def test_manifest_lists_exactly_the_core_commands():
    text = MANIFEST_PATH.read_text(encoding="utf-8")
    listed = re.findall(r"^\s*- command: /(\S+)$", text, flags=re.MULTILINE)
    assert listed == [c.name for c in COMMANDS]
    assert listed == slash_command_names()
    assert "remind" not in listed  # Slack's own
    assert text == render_manifest(), "run: python -m adapters.slack.manifest > manifest.yml"
    for needed in ("commands", "chat:write", "im:write", "users:read", "files:write"):
        assert f"      - {needed}\n" in text
    assert "home_tab_enabled: true" in text
    assert "      - app_home_opened\n" in text
    assert "socket_mode_enabled: false" in text
    # every command, events, interactivity and the reminder form's timezone search
    assert text.count("url: https://example.com/slack/events") == len(listed) + 3
    assert "message_menu_options_url: https://example.com/slack/events" in text
