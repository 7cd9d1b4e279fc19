"""Reply → Discord message: embeds, stateless buttons, files, limits."""

from __future__ import annotations

from adapters.discord.render import (
    ButtonAction,
    build_view,
    decode_custom_id,
    encode_custom_id,
    render,
)
from bot.types import Attachment, Button, Field, ProgressBar, Reply


def test_custom_ids_round_trip():
    button = Button("Done", "done", "step:3")
    assert encode_custom_id(button) == "st:done:step:3"
    assert decode_custom_id("st:done:step:3") == ButtonAction("done", "step:3")
    assert decode_custom_id("st:next:") == ButtonAction("next", "")
    assert decode_custom_id("st@123:done:4.2") == ButtonAction("done", "4.2", "123")
    assert decode_custom_id("st:next:").line == "/next"
    assert decode_custom_id("st:chapter:RAG: intro").line == "/chapter RAG: intro"


def test_foreign_custom_ids_are_ignored():
    for custom_id in ("", "other:done:1", "st", "st:", "st@:done:1", "sty:done:1"):
        assert decode_custom_id(custom_id) is None, custom_id


async def test_buttons_are_rows_of_five_with_short_labels_and_no_overlong_ids():
    buttons = tuple(Button("L" * 100, "done", f"{i}") for i in range(30))
    buttons += (Button("too long", "chapter", "x" * 100),)
    view = build_view(buttons)
    assert view is not None and view.is_finished()  # never kept in discord.py's view store
    rows = view.to_components()
    assert len(rows) == 5 and all(len(r["components"]) == 5 for r in rows)
    for row in rows:
        for component in row["components"]:
            assert len(component["label"]) <= 80
            assert len(component["custom_id"]) <= 100


async def test_duplicate_buttons_are_sent_once():
    view = build_view((Button("A", "next"), Button("B", "next")))
    assert view is not None and len(view.children) == 1


async def test_reply_becomes_an_embed_with_progress_fields_footer_and_files():
    reply = Reply(
        text="Hello",
        title="Title",
        fields=(Field("Steps", "1/10"),),
        progress=ProgressBar(1, 4),
        footer="foot",
        buttons=(Button("Next", "next", style="primary"),),
        attachments=(Attachment("chart.png", b"\x89PNG", "image/png", alt="a chart"),),
    )
    out = render(reply)
    embed = out.embed.to_dict()
    assert embed["title"] == "Title"
    assert "Hello" in embed["description"] and "25%" in embed["description"]
    assert embed["fields"][0] == {"name": "Steps", "value": "1/10", "inline": True}
    assert embed["footer"]["text"] == "foot"
    assert embed["image"]["url"] == "attachment://chart.png"
    assert out.files[0].filename == "chart.png"
    assert out.ephemeral


async def test_errors_are_ephemeral_text():
    out = render(Reply(text="nope", kind="error", ephemeral=False))
    assert out.content == "nope" and out.embed is None and out.ephemeral


async def test_long_text_is_cut_to_discord_limits():
    reply = Reply(
        text="x" * 5000,
        title="t" * 300,
        fields=tuple(Field(f"f{i}", "v" * 2000) for i in range(30)),
    )
    embed = render(reply).embed
    assert len(embed.title) <= 256 and len(embed.description) <= 4096
    assert len(embed.fields) <= 25 and len(embed) <= 6000
    assert all(len(f.value) <= 1024 for f in embed.fields)


async def test_notifier_buttons_in_a_dm_remember_the_guild():
    out = render(Reply(text="x", buttons=(Button("Done", "done"),)), workspace="42")
    assert out.view.children[0].custom_id == "st@42:done:"
