"""The Slack adapter's own sentences, in English and Simplified Chinese."""

from __future__ import annotations

from bot.i18n import L

TEXTS: dict[str, L] = {
    "file_sent": L("I sent `{name}` to our direct messages.", "我已把 `{name}` 发到我们的私信中。"),
    "file_failed": L(
        "I could not upload `{name}`; please try again later.",
        "无法上传 `{name}`，请稍后再试。",
    ),
    "bad_button": L(
        "That button no longer works. Type `/help` to see every command.",
        "这个按钮已失效。输入 `/help` 查看所有命令。",
    ),
    "home_title": L("Your study dashboard", "你的学习面板"),
    "modal_open": L("Change reminder settings", "修改提醒设置"),
    "modal_title": L("Weekly reminder", "每周提醒"),
    "modal_save": L("Save", "保存"),
    "modal_cancel": L("Cancel", "取消"),
    "modal_day": L("Day of the week", "星期几"),
    "modal_time": L("Local time", "当地时间"),
    "modal_tz": L("Timezone", "时区"),
    "modal_tz_hint": L(
        "Type a city or region, e.g. Shanghai or Berlin", "输入城市或地区，如 Shanghai 或 Berlin"
    ),
    "home_last": L("Last action", "上一步操作"),
    "home_intro": L(
        "Type `/path` in any channel to pick a learning path; `/help` lists every command.",
        "在任意频道输入 `/path` 选择学习路线；输入 `/help` 查看所有命令。",
    ),
}


def t(locale: str, key: str, **kwargs: object) -> str:
    return TEXTS[key].get(locale).format(**kwargs)
