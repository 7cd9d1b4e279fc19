"""Every command, declared once as data. Adapters render these; ``/help`` reads them."""

from __future__ import annotations

from bot.features import admin as admin_h
from bot.features import help as help_h
from bot.features import leaderboard, learn, paths, privacy, progress, reminders
from bot.i18n import L
from bot.options import Choice, CommandSpec, OptionSpec, always
from bot.options import OptionType as T

_CHAPTER = OptionSpec(
    "chapter",
    T.CHAPTER,
    L("Chapter id such as 4.2, or a word from its title", "章节编号（如 4.2）或标题中的词"),
    required=True,
    autocomplete="chapters",
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "path",
        L("List the learning paths, or enrol in one", "查看学习路线，或加入其中一条"),
        paths.path,
        options=(
            OptionSpec(
                "name",
                T.PATH,
                L("Path to follow: app, research or mlops", "要学习的路线：app、research 或 mlops"),
                autocomplete="paths",
            ),
        ),
        examples=("/path", "/path mlops", "/path 应用开发"),
        reads=lambda options: not options.get("name"),
    ),
    CommandSpec(
        "progress",
        L("Your progress, pace and current step", "你的进度、节奏和当前步骤"),
        progress.progress,
        options=(
            OptionSpec("user", T.USER, L("Someone else in this workspace", "本工作区的其他成员")),
        ),
        examples=("/progress", "/progress @alice"),
        reads=always,
    ),
    CommandSpec(
        "done",
        L("Mark your current step, or one chapter, as done", "将当前步骤或某一章标记为完成"),
        progress.done,
        options=(
            OptionSpec(
                "chapter",
                T.CHAPTER,
                L(
                    "Chapter id such as 4.2 (default: your current step)",
                    "章节编号，如 4.2（默认：当前步骤）",
                ),
                autocomplete="chapters",
            ),
            OptionSpec(
                "step",
                T.INTEGER,
                L("Step number of your path", "你的路线中的步骤序号"),
                positional=False,
                min_value=1,
                max_value=99,
            ),
        ),
        examples=("/done", "/done 4.2", "/done step:3"),
    ),
    CommandSpec(
        "undo",
        L("Set a chapter back to to-do", "将某一章恢复为未开始"),
        progress.undo,
        options=(_CHAPTER,),
        examples=("/undo 4.2",),
    ),
    CommandSpec(
        "skip",
        L("Skip a chapter you already know", "跳过已经掌握的章节"),
        progress.skip,
        options=(_CHAPTER,),
        examples=("/skip 1.2",),
    ),
    CommandSpec(
        "start",
        L("Mark a chapter as in progress", "将某一章标记为学习中"),
        progress.start,
        options=(_CHAPTER,),
        examples=("/start 5.4",),
    ),
    CommandSpec(
        "next",
        L("What to study now, with stack, project and a tip", "现在该学什么：技术栈、项目和建议"),
        learn.next_step,
        examples=("/next",),
        reads=always,
    ),
    CommandSpec(
        "chapter",
        L(
            "A chapter: titles, paths that include it, your state",
            "查看章节：标题、所属路线和你的状态",
        ),
        learn.chapter,
        options=(
            OptionSpec(
                "id",
                T.CHAPTER,
                L(
                    "Chapter id such as 4.2, or a word from its title",
                    "章节编号（如 4.2）或标题中的词",
                ),
                required=True,
                autocomplete="chapters",
            ),
        ),
        examples=("/chapter 4.2", "/chapter RAG"),
        reads=always,
    ),
    CommandSpec(
        "reminders",
        L("View or set your weekly study reminder", "查看或设置每周学习提醒"),
        reminders.reminders,
        options=(
            OptionSpec(
                "action",
                T.CHOICE,
                L("What to do", "操作"),
                choices=(
                    Choice("show", L("Show my settings", "查看设置")),
                    Choice("on", L("Turn on", "开启")),
                    Choice("off", L("Turn off", "关闭")),
                    Choice("pause", L("Pause until a date", "暂停到某天")),
                    Choice("resume", L("Resume now", "立即恢复")),
                    Choice("snooze", L("Remind me again in a day", "一天后再提醒")),
                    Choice("skip", L("Skip this week", "跳过本周")),
                ),
            ),
            OptionSpec("day", T.WEEKDAY, L("Day of the week", "星期几")),
            OptionSpec(
                "time", T.TIME, L("Local time, HH:MM (24h)", "当地时间，HH:MM（24 小时制）")
            ),
            OptionSpec(
                "tz",
                T.TIMEZONE,
                L("IANA timezone, e.g. Asia/Shanghai", "IANA 时区，如 Asia/Shanghai"),
                autocomplete="timezones",
            ),
            OptionSpec(
                "until",
                T.DATE,
                L("Pause until this date (YYYY-MM-DD)", "暂停到此日期（YYYY-MM-DD）"),
            ),
            OptionSpec(
                "quiet",
                T.STRING,
                L(
                    "Quiet hours, e.g. 22:00-07:00 (or off): nothing is sent then",
                    "免打扰时段，如 22:00-07:00（或 off）：期间不发送提醒",
                ),
                positional=False,
            ),
        ),
        examples=(
            "/reminders",
            "/reminders day:wed time:19:30 tz:Europe/Berlin",
            "/reminders pause 2027-01-10",
            "/reminders quiet:22:00-07:00",
            "/reminders off",
        ),
        # Showing the settings only reads; any other action or option saves them.
        reads=lambda options: (
            set(options) <= {"action"} and options.get("action") in (None, "show")
        ),
    ),
    CommandSpec(
        "privacy",
        L("How you appear on leaderboards", "你在排行榜上的显示方式"),
        privacy.privacy,
        options=(
            OptionSpec(
                "mode",
                T.CHOICE,
                L("Leaderboard visibility", "排行榜可见性"),
                choices=(
                    Choice("shown", L("Show my name", "显示名字")),
                    Choice("anonymous", L("Count me without my name", "匿名计入")),
                    Choice("hidden", L("Leave me out", "不上榜")),
                ),
            ),
        ),
        examples=("/privacy", "/privacy anonymous"),
    ),
    CommandSpec(
        "export-my-data",
        L("Everything stored about you, as a JSON file", "以 JSON 文件导出关于你的全部数据"),
        privacy.export_my_data,
        examples=("/export-my-data",),
    ),
    CommandSpec(
        "forget-me",
        L("Delete everything stored about you", "删除关于你的全部数据"),
        privacy.forget_me,
        options=(
            OptionSpec(
                "confirm",
                T.CHOICE,
                L("Type confirm to delete", "输入 confirm 确认删除"),
                choices=(Choice("confirm", L("Yes, delete everything", "确认删除全部数据")),),
            ),
        ),
        examples=("/forget-me", "/forget-me confirm"),
    ),
    CommandSpec(
        "leaderboard",
        L(
            "The study group's ranking, its history, or a web link",
            "学习小组排行榜、历史或网页链接",
        ),
        leaderboard.leaderboard,
        options=(
            OptionSpec(
                "view",
                T.CHOICE,
                L("Which board", "哪个榜单"),
                choices=(
                    Choice("week", L("This week", "本周")),
                    Choice("month", L("This month", "本月")),
                    Choice("all", L("All time", "总榜")),
                    Choice("history", L("Past winners", "历届前三")),
                    Choice("web", L("A link to the web page", "网页版链接")),
                ),
            ),
        ),
        admin_only=True,
        examples=("/leaderboard", "/leaderboard month", "/leaderboard history"),
        # Writes only the first call after a week or month closes (its winners' snapshot).
        reads=always,
    ),
    CommandSpec(
        "admin",
        L(
            "Study group settings, cohort view, nudges, export",
            "学习小组设置、成员概览、提醒、导出",
        ),
        admin_h.admin,
        options=(
            OptionSpec(
                "action",
                T.CHOICE,
                L("What to do", "操作"),
                required=True,
                choices=(
                    Choice(
                        "schedule", L("Weekly prompt day, time, zone", "每周提示的日期时间时区")
                    ),
                    Choice("role", L("The admin role", "管理员角色")),
                    Choice("cohort", L("Who is where, who is behind", "成员进度与落后情况")),
                    Choice("nudge", L("Nudge those behind pace", "提醒落后的成员")),
                    Choice("export", L("Progress as a CSV file", "导出 CSV 进度表")),
                    Choice("reset", L("Restart the leaderboards", "重置排行榜")),
                ),
            ),
            OptionSpec(
                "value",
                T.STRING,
                L(
                    "Role id or name (role); confirm (reset)",
                    "角色 ID 或名称（role）；confirm（reset）",
                ),
            ),
            OptionSpec("day", T.WEEKDAY, L("Day of the week", "星期几"), positional=False),
            OptionSpec(
                "time",
                T.TIME,
                L("Local time, HH:MM (24h)", "当地时间，HH:MM（24 小时制）"),
                positional=False,
            ),
            OptionSpec(
                "tz",
                T.TIMEZONE,
                L("IANA timezone, e.g. Asia/Shanghai", "IANA 时区，如 Asia/Shanghai"),
                autocomplete="timezones",
                positional=False,
            ),
        ),
        admin_only=True,
        examples=(
            "/admin cohort",
            "/admin schedule day:mon time:09:00 tz:Europe/Berlin",
            "/admin role Moderators",
            "/admin export",
            "/admin reset",
        ),
    ),
    CommandSpec(
        "help",
        L("Every command, or one in detail", "查看所有命令或某个命令的详情"),
        help_h.help_cmd,
        options=(OptionSpec("command", T.STRING, L("A command name", "命令名")),),
        examples=("/help", "/help reminders"),
        reads=always,
    ),
)
