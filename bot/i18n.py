"""The bot's own sentences in English and Simplified Chinese.

One flat catalog keeps both languages side by side, so a missing translation is visible in
review and a test can check that both sides take the same placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.types import Locale


@dataclass(frozen=True, slots=True)
class L:
    """A literal in both languages (command descriptions, choice labels)."""

    en: str
    zh: str

    def get(self, locale: str) -> str:
        return self.zh if locale == "zh" else self.en


MESSAGES: dict[str, L] = {
    # generic
    "error.internal": L(
        "Sorry, something went wrong on my side. Nothing was changed; please try again.",
        "抱歉，我这边出了点问题。没有任何改动，请再试一次。",
    ),
    "error.database": L(
        "Sorry, I can't reach my database right now. Nothing was changed; please try again"
        " in a minute.",
        "抱歉，暂时无法连接数据库。没有任何改动，请过一分钟再试。",
    ),
    "error.unknown_command": L("I don't know the command `/{name}`.", "我不认识命令 `/{name}`。"),
    "error.did_you_mean": L("Did you mean {options}?", "你是不是想输入 {options}？"),
    "error.see_help": L("Type `/help` to see every command.", "输入 `/help` 查看所有命令。"),
    "error.empty": L(
        "Type a command, for example `/path` or `/help`.", "请输入命令，例如 `/path` 或 `/help`。"
    ),
    "error.usage": L("Usage: `{usage}`", "用法：`{usage}`"),
    "error.too_many_args": L(
        "`/{name}` takes fewer arguments: I can't place `{value}`.",
        "`/{name}` 的参数太多了：`{value}` 放不进去。",
    ),
    "error.unknown_option": L(
        "`/{name}` has no option `{option}`.", "`/{name}` 没有名为 `{option}` 的选项。"
    ),
    "error.duplicate_option": L("Option `{option}` was given twice.", "选项 `{option}` 给了两次。"),
    "error.missing_option": L("`/{name}` needs `{option}`.", "`/{name}` 需要 `{option}`。"),
    "error.quotes": L("A quote is not closed.", "有一个引号没有闭合。"),
    "error.bad_choice": L(
        "`{value}` is not a valid {option}; choose one of: {choices}.",
        "`{value}` 不是有效的 {option}；可选：{choices}。",
    ),
    "error.bad_integer": L("`{value}` is not a whole number.", "`{value}` 不是整数。"),
    "error.out_of_range": L(
        "`{value}` is out of range; use a number from {min} to {max}.",
        "`{value}` 超出范围；请输入 {min} 到 {max} 之间的数字。",
    ),
    "error.bad_weekday": L(
        "`{value}` is not a day of the week; try `mon`, `tuesday` or `周三`.",
        "`{value}` 不是星期几；试试 `mon`、`tuesday` 或 `周三`。",
    ),
    "error.bad_time": L(
        "`{value}` is not a time of day; use 24-hour `HH:MM` such as `09:00` or `18:30`.",
        "`{value}` 不是有效时间；请用 24 小时制 `HH:MM`，例如 `09:00` 或 `18:30`。",
    ),
    "error.bad_date": L(
        "`{value}` is not a date; use `YYYY-MM-DD`, e.g. `{example}`.",
        "`{value}` 不是日期；请用 `YYYY-MM-DD`，例如 `{example}`。",
    ),
    "error.bad_timezone": L("`{value}` is not a timezone I know.", "我不认识时区 `{value}`。"),
    "error.timezone_hint": L(
        "Use an IANA name such as `Asia/Shanghai`, `Europe/Berlin` or `America/New_York`.",
        "请使用 IANA 时区名，例如 `Asia/Shanghai`、`Europe/Berlin` 或 `America/New_York`。",
    ),
    "error.bad_user": L("`{value}` is not a person I can look up.", "无法识别用户 `{value}`。"),
    "error.too_long": L(
        "That is too long for `{option}` (at most {max} characters).",
        "`{option}` 太长了（最多 {max} 个字符）。",
    ),
    # paths
    "path.unknown": L("There is no path called `{value}`.", "没有名为 `{value}` 的路线。"),
    "path.known": L("The paths are: {paths}.", "可选路线：{paths}。"),
    "path.list_title": L("Learning paths", "学习路线"),
    "path.list_line": L(
        "{steps} steps · {days} days (~{weeks} weeks) · `/path {id}`",
        "{steps} 步 · {days} 天（约 {weeks} 周）· `/path {id}`",
    ),
    "path.your_status": L(
        "You are on **{path}**: {done}/{steps} steps done.",
        "你正在学习 **{path}**：已完成 {done}/{steps} 步。",
    ),
    "path.not_enrolled": L(
        "You haven't picked a path yet. Choose one with `/path NAME`.",
        "你还没有选择路线。用 `/path 路线名` 选择一条。",
    ),
    "path.enrolled_title": L("Welcome to the {path}!", "欢迎加入{path}！"),
    "path.enrolled": L(
        "{steps} steps, {days} days of study (~{weeks} weeks).",
        "共 {steps} 步，{days} 天学习量（约 {weeks} 周）。",
    ),
    "path.switched": L(
        "Switched from {old} to **{new}**. Your {count} finished chapters carry over.",
        "已从{old}切换到 **{new}**。你已完成的 {count} 章全部保留。",
    ),
    "path.switched_fresh": L("Switched from {old} to **{new}**.", "已从{old}切换到 **{new}**。"),
    "path.already": L("You are already on the {path}.", "你已经在学习{path}了。"),
    "path.joined_group": L("You joined this channel's study group.", "你已加入本频道的学习小组。"),
    "path.first_step": L("Start here", "从这里开始"),
    "path.join_button": L("Join {path}", "加入{path}"),
    # progress
    "progress.title": L("{name} — {path}", "{name} — {path}"),
    "progress.steps": L("Steps", "步骤"),
    "progress.days": L("Study days", "学习天数"),
    "progress.pace": L("Pace", "节奏"),
    "progress.current": L("Current step", "当前步骤"),
    "progress.finish": L("Projected finish", "预计完成"),
    "progress.planned": L("planned {date}", "计划 {date}"),
    "progress.other_private": L(
        "{name} keeps their progress private.", "{name} 的学习进度不公开。"
    ),
    "progress.other_not_found": L(
        "I don't know `{value}` here yet; they need to use the bot first.",
        "这里还没有 `{value}` 的记录；对方需要先使用机器人。",
    ),
    "progress.other_not_enrolled": L("{name} hasn't picked a path yet.", "{name} 还没有选择路线。"),
    "progress.all_done": L("Every step is done. Congratulations!", "所有步骤都已完成，恭喜！"),
    "pace.on_track": L("on track", "按计划进行"),
    "pace.behind": L("{days} days behind", "落后 {days} 天"),
    "pace.behind_one": L("1 day behind", "落后 1 天"),
    "pace.ahead": L("{days} days ahead", "领先 {days} 天"),
    "pace.ahead_one": L("1 day ahead", "领先 1 天"),
    "pace.finished": L("finished", "已完成"),
    "step.line": L(
        "Step {n}: {chapters} — {focus} ({days} days)",
        "第 {n} 步：{chapters} — {focus}（{days} 天）",
    ),
    # marking chapters
    "done.step": L(
        "Step {n} done: {chapters}. {days_done}/{total} study days.",
        "第 {n} 步完成：{chapters}。学习天数 {days_done}/{total}。",
    ),
    "done.chapter": L("Marked {chapter} as done.", "已将 {chapter} 标记为完成。"),
    "done.already": L(
        "{chapter} was already done; nothing changed.", "{chapter} 之前已经完成，无需改动。"
    ),
    "done.step_already": L(
        "Step {n} was already done; nothing changed.", "第 {n} 步之前已经完成，无需改动。"
    ),
    "done.need_path": L(
        "Pick a path first with `/path NAME`, or name a chapter: `/done 4.2`.",
        "请先用 `/path 路线名` 选择路线，或指定章节：`/done 4.2`。",
    ),
    "done.path_complete": L(
        "That was the last step of the {path}. Congratulations!",
        "这是{path}的最后一步，恭喜完成！",
    ),
    "done.next": L("Up next", "下一步"),
    "done.no_step": L(
        "Your path has {steps} steps; there is no step {n}.",
        "你的路线共 {steps} 步，没有第 {n} 步。",
    ),
    "done.not_in_path": L(
        "(Not part of your path, but it counts toward your skill tree.)",
        "（不在你的路线中，但会计入你的技能树。）",
    ),
    "undo.done": L("{chapter} is back to to-do.", "{chapter} 已恢复为未开始。"),
    "undo.nothing": L("{chapter} had no progress to undo.", "{chapter} 没有可撤销的进度。"),
    "skip.done": L(
        "Skipped {chapter}. It no longer holds up your path.",
        "已跳过 {chapter}，它不会再阻挡你的路线。",
    ),
    "skip.already": L("{chapter} was already skipped.", "{chapter} 之前已经跳过。"),
    "start.done": L("{chapter} is now in progress. Good luck!", "{chapter} 已开始学习，加油！"),
    "start.already": L("{chapter} is already in progress.", "{chapter} 已在学习中。"),
    "start.is_done": L(
        "{chapter} is already done. Use `/undo {id}` to reopen it.",
        "{chapter} 已完成。如需重新学习，请用 `/undo {id}`。",
    ),
    "chapter.unknown": L("There is no chapter `{value}`.", "没有章节 `{value}`。"),
    "chapter.format_hint": L(
        "Chapters are numbered part.chapter, e.g. `4.2`; `/path` lists the paths.",
        "章节编号格式为 部分.章，例如 `4.2`；用 `/path` 查看路线。",
    ),
    "chapter.part": L("Part", "部分"),
    "chapter.in_paths": L("In paths", "所属路线"),
    "chapter.in_no_path": L("Not part of any path's plan.", "不在任何路线的计划中。"),
    "chapter.path_line": L(
        "{path}, step {n}: {focus} ({days} days)", "{path} 第 {n} 步：{focus}（{days} 天）"
    ),
    "chapter.path_line_shared": L(
        "{path}, step {n}: {focus} ({days} days for {count} chapters)",
        "{path} 第 {n} 步：{focus}（{count} 章共 {days} 天）",
    ),
    "chapter.your_state": L("Your state", "你的状态"),
    "chapter.link": L("Read", "阅读"),
    "state.todo": L("to do", "未开始"),
    "state.in_progress": L("in progress", "学习中"),
    "state.done": L("done", "已完成"),
    "state.skipped": L("skipped", "已跳过"),
    # next
    "next.title": L("Next up: step {n} of {steps}", "下一步：第 {n}/{steps} 步"),
    "next.focus": L("Focus", "学习重点"),
    "next.chapters": L("Chapters", "章节"),
    "next.time": L("Time", "时间"),
    "next.days": L("{days} days", "{days} 天"),
    "next.stack": L("Stack", "技术栈"),
    "next.project": L("Project idea", "实战项目"),
    "next.paper": L("Paper to read", "必读论文"),
    "next.tip": L("Tip", "学习建议"),
    "next.bridge": L("Where to go next: {title}", "进阶方向：{title}"),
    "next.all_done": L("You've finished the {path}. 🎉", "你已经完成了{path}。🎉"),
    # buttons
    "button.done": L("Done", "完成"),
    "button.skip": L("Skip", "跳过"),
    "button.start": L("Start", "开始"),
    "button.next": L("Next", "下一步"),
    "button.progress": L("Progress", "进度"),
    "button.forget_confirm": L("Yes, delete everything", "确认删除全部数据"),
    # reminders
    "reminders.title": L("Weekly reminder", "每周提醒"),
    "reminders.on": L("on", "开启"),
    "reminders.off": L("off", "关闭"),
    "reminders.status": L("Status", "状态"),
    "reminders.when": L("When", "时间"),
    "reminders.when_value": L("{weekday} {time} ({tz})", "{weekday} {time}（{tz}）"),
    "reminders.paused_until": L("paused until {date}", "暂停至 {date}"),
    "reminders.next": L("Next reminder", "下次提醒"),
    "reminders.none_next": L("none while it is off", "关闭期间不会提醒"),
    "reminders.saved": L("Saved.", "已保存。"),
    "reminders.turned_on": L("Reminders are on.", "提醒已开启。"),
    "reminders.turned_off": L(
        "Reminders are off. `/reminders on` brings them back.",
        "提醒已关闭。用 `/reminders on` 重新开启。",
    ),
    "reminders.paused": L(
        "Reminders paused until {date}. `/reminders resume` restarts them sooner.",
        "提醒暂停至 {date}。用 `/reminders resume` 可提前恢复。",
    ),
    "reminders.pause_past": L(
        "{date} is not in the future; pick a later date.",
        "{date} 不是将来的日期，请选择更晚的日期。",
    ),
    "reminders.resumed": L("Reminders resumed.", "提醒已恢复。"),
    "reminders.quiet": L("Quiet hours", "免打扰时段"),
    "reminders.bad_quiet": L(
        "`{value}` is not a quiet-hours window; write it like `22:00-07:00`, or `off`.",
        "`{value}` 不是有效的免打扰时段；请写成 `22:00-07:00`，或 `off`。",
    ),
    "reminders.snoozed": L(
        "Snoozed: I'll remind you again at {when}.", "已稍后提醒：将在 {when} 再次提醒你。"
    ),
    "reminders.snooze_off": L(
        "Reminders are off, so there is nothing to snooze. `/reminders on` turns them on.",
        "提醒已关闭，无需稍后提醒。用 `/reminders on` 开启。",
    ),
    "reminders.skipped": L(
        "Skipping this week: no more reminders until next week, and your plan moves on a week"
        " so you won't fall behind for it.",
        "本周跳过：下周之前不再提醒，你的计划顺延一周，不会因此落后。",
    ),
    "reminders.skip_already": L(
        "This week is already skipped; nothing changed.", "本周已经跳过，无需改动。"
    ),
    "reminders.hint": L(
        "Change it: `/reminders day:wed time:19:30 tz:Europe/Berlin`, `/reminders off`,"
        " `/reminders pause 2027-01-10`.",
        "修改：`/reminders day:wed time:19:30 tz:Asia/Shanghai`、`/reminders off`、"
        "`/reminders pause 2027-01-10`。",
    ),
    "reminders.delivery_note": L(
        "Delivered as a direct message at your local time.", "将在你当地时间以私信发送。"
    ),
    # privacy & data
    "privacy.title": L("Leaderboard visibility", "排行榜可见性"),
    "privacy.current": L("Your setting: **{mode}**.", "你的设置：**{mode}**。"),
    "privacy.set": L(
        "Leaderboard visibility is now **{mode}**.", "排行榜可见性已设为 **{mode}**。"
    ),
    "privacy.modes": L(
        "`shown`: your name on leaderboards · `anonymous`: counted without your name ·"
        " `hidden`: not on leaderboards at all.",
        "`shown`：排行榜显示你的名字 · `anonymous`：计入排名但不显示名字 · `hidden`：完全不上榜。",
    ),
    "privacy.shown": L("shown", "公开"),
    "privacy.anonymous": L("anonymous", "匿名"),
    "privacy.hidden": L("hidden", "隐藏"),
    "export.title": L("Your data", "你的数据"),
    "export.alt": L("Your data (JSON)", "你的数据（JSON）"),
    "export.text": L(
        "Everything I store about you is in the attached JSON file: {chapters} chapter records,"
        " {groups} study groups.",
        "我保存的关于你的全部数据都在附件 JSON 中：{chapters} 条章节记录，{groups} 个学习小组。",
    ),
    "forget.confirm": L(
        "This deletes everything I store about you: your path, progress, reminders, study"
        " groups and delivery history. It cannot be undone. Press the button or type"
        " `/forget-me confirm`.",
        "这会删除我保存的关于你的全部数据：路线、进度、提醒、学习小组和发送记录，且无法恢复。"
        "请点击按钮或输入 `/forget-me confirm`。",
    ),
    "forget.done": L(
        "Done. Everything I stored about you is deleted.", "完成。关于你的数据已全部删除。"
    ),
    "forget.nothing": L("I store nothing about you.", "我没有保存任何关于你的数据。"),
    # help
    "admin.csv_alt": L("Study group progress (CSV)", "学习小组进度（CSV）"),
    # web leaderboard page
    "web.title": L("Leaderboard {channel}", "排行榜 {channel}"),
    "web.heading": L("Leaderboard", "排行榜"),
    "web.week": L("This week", "本周"),
    "web.month": L("This month", "本月"),
    "web.all": L("All time", "总榜"),
    "web.empty": L(
        "Nobody has finished a chapter in this period yet.", "这段时间还没有人完成章节。"
    ),
    "web.columns": L(
        "Name|Study days|Steps|Streak|Path progress", "成员|学习天数|步骤|连续周数|路线进度"
    ),
    "web.streak": L("{weeks} w", "{weeks} 周"),
    "web.tree_title": L("Skill tree of the leader ({name})", "榜首的技能树（{name}）"),
    "web.tree_alt": L("skill tree of the leader", "榜首的技能树"),
    "web.since": L("Counting since {date}.", "自 {date} 起计算。"),
    "web.expires": L("Read-only; this link expires at {when}.", "只读页面；此链接于 {when} 失效。"),
    "web.invalid_title": L("This link is not valid", "此链接无效"),
    "web.invalid_text": L(
        "It has expired or was changed. Ask an admin for a fresh one with /leaderboard web.",
        "链接已过期或被修改。请管理员用 /leaderboard web 重新生成。",
    ),
    "help.title": L("Commands", "命令"),
    "help.footer": L(
        "`/help COMMAND` shows one command in detail.", "用 `/help 命令名` 查看某个命令的详细说明。"
    ),
    "help.examples": L("Examples", "示例"),
    "help.options": L("Options", "选项"),
    "help.admin_only": L("(admins only)", "（仅管理员）"),
    "help.required": L("required", "必填"),
    "help.optional": L("optional", "可选"),
    "error.admin_only": L(
        "Only admins of this workspace can use `/{name}`.", "只有工作区管理员可以使用 `/{name}`。"
    ),
    # scheduler
    "scheduler.reminder_title": L("Your weekly study reminder", "每周学习提醒"),
    "scheduler.reminder_text": L(
        "This week: step {n} of {steps} of the {path}.", "本周：{path}第 {n}/{steps} 步。"
    ),
    "scheduler.pitfall": L("Pitfall to avoid", "避坑提醒"),
    "scheduler.button_pause": L("Pause 2 weeks", "暂停两周"),
    "scheduler.button_snooze": L("Snooze 1 day", "一天后再提醒"),
    "scheduler.button_skip": L("Skip this week", "跳过本周"),
    "scheduler.reminder_footer": L(
        "Change the day or time, or pause: `/reminders`.", "修改时间或暂停：`/reminders`。"
    ),
    "scheduler.channel_title": L("This week in {channel}", "本周学习：{channel}"),
    "scheduler.channel_text": L(
        "{members} people study here; {behind} of them are behind pace.",
        "这里有 {members} 人在学习，其中 {behind} 人落后于计划。",
    ),
    "scheduler.channel_step_line": L(
        "Step {n} ({chapters}, {focus}): {count} studying",
        "第 {n} 步（{chapters}，{focus}）：{count} 人",
    ),
    "scheduler.channel_finished_line": L("Finished: {count}", "已完成：{count} 人"),
    "scheduler.channel_behind": L(
        "Behind pace: {behind} of {total}", "落后于计划：{behind}/{total}"
    ),
    "scheduler.channel_active": L("Most active last week", "上周最活跃"),
    "scheduler.channel_active_line": L("{name}: {count} chapter(s)", "{name}：{count} 章"),
    "scheduler.channel_active_none": L(
        "No chapters finished last week; this week is a fresh start.",
        "上周没有人完成章节，本周重新出发吧。",
    ),
    "scheduler.someone": L("someone", "某位同学"),
    "scheduler.channel_footer": L(
        "Join in: `/path` · what to study now: `/next`.",
        "加入学习：`/path` · 现在学什么：`/next`。",
    ),
    # leaderboard & admin
    "error.admin_only.leaderboard": L(
        "Sorry, the group leaderboard is for admins of this workspace. Your own rank is in"
        " `/progress`.",
        "抱歉，小组排行榜仅供本工作区管理员使用。你自己的排名可以在 `/progress` 中查看。",
    ),
    "error.admin_only.admin": L(
        "Sorry, `/{name}` is for admins of this workspace. Your own progress and rank:"
        " `/progress`.",
        "抱歉，`/{name}` 仅供本工作区管理员使用。你自己的进度和排名：`/progress`。",
    ),
    "lb.need_channel": L(
        "This works in a study group's channel, not in a direct message.",
        "请在学习小组的频道中使用，私信中无法使用。",
    ),
    "lb.anonymous": L("anonymous #{k}", "匿名 #{k}"),
    "lb.former": L("(former member)", "（已离开的成员）"),
    "lb.period_week": L("week {code}", "{code} 周"),
    "lb.period_month": L("month {code}", "{code} 月"),
    "lb.period_all": L("all time", "总榜"),
    "lb.title": L("Leaderboard {channel} · {period}", "排行榜 {channel} · {period}"),
    "lb.line": L(
        "{medal} **{name}** — {days} study days · {steps} step(s) · {streak}",
        "{medal} **{name}** — {days} 学习日 · {steps} 步 · {streak}",
    ),
    "lb.streak": L("🔥 {weeks}-week streak", "🔥 连续 {weeks} 周"),
    "lb.more": L("…and {count} more (see the picture).", "……还有 {count} 人（见图片）。"),
    "lb.empty": L(
        "No chapters finished in this period yet. `/done` counts from now on.",
        "本期还没有人完成章节。用 `/done` 记录学习吧。",
    ),
    "lb.footer": L(
        "Study days: each finished chapter's share of its step. Ties: who got there first.",
        "学习日：每完成一章，计入其所在步骤天数的相应份额。同分时先达到者优先。",
    ),
    "lb.since_reset": L("Counting since the reset on {date}.", "自 {date} 重置后开始计算。"),
    "lb.col_rank": L("#", "#"),
    "lb.col_name": L("Name", "成员"),
    "lb.col_days": L("Days", "学习日"),
    "lb.col_steps": L("Steps", "步骤"),
    "lb.col_streak": L("Streak", "连续"),
    "lb.col_path": L("Path", "路线进度"),
    "lb.button_week": L("This week", "本周"),
    "lb.button_month": L("This month", "本月"),
    "lb.button_all": L("All time", "总榜"),
    "lb.button_history": L("Past winners", "历届前三"),
    "lb.history_title": L("Past winners in {channel}", "{channel} 历届前三"),
    "lb.history_week": L("Weeks", "每周"),
    "lb.history_month": L("Months", "每月"),
    "lb.history_empty": L(
        "No finished week or month with winners yet.", "还没有已结束且有上榜者的周或月。"
    ),
    "lb.web_off": L(
        "The web leaderboard is off: the bot has no `WEB_SECRET` set.",
        "网页版排行榜未开启：机器人没有设置 `WEB_SECRET`。",
    ),
    "lb.web_link": L(
        "Read-only leaderboard page (link valid for {minutes} minutes; anyone with it can"
        " read the board): {url}",
        "只读排行榜网页（链接 {minutes} 分钟内有效；持有链接者均可查看）：{url}",
    ),
    "lb.rank_field": L("Rank in {channel}", "{channel} 排名"),
    "lb.rank_of": L("#{rank} of {total}", "第 {rank} / {total} 名"),
    "lb.rank_none": L("not ranked yet", "暂未上榜"),
    "lb.rank_value": L("this week {week} · all time {all}", "本周 {week} · 总榜 {all}"),
    "lb.rank_hidden": L(
        "(only you see this: your privacy is hidden)", "（仅你可见：你的隐私设置为不上榜）"
    ),
    "lb.tree_caption": L(
        "{days}/{total} study days · {steps}/{step_total} steps · {pace}",
        "{days}/{total} 学习日 · {steps}/{step_total} 步 · {pace}",
    ),
    "lb.tree_alt": L("Your skill tree", "你的技能树"),
    "admin.schedule_show": L(
        "Weekly prompt: {day} at {time} ({tz}). Change it with"
        " `/admin schedule day:DAY time:HH:MM tz:ZONE`.",
        "每周提示：{day} {time}（{tz}）。修改：`/admin schedule day:DAY time:HH:MM tz:ZONE`。",
    ),
    "admin.schedule_set": L(
        "Weekly prompt set to {day} at {time} ({tz}).", "每周提示已设为 {day} {time}（{tz}）。"
    ),
    "admin.role_show": L("Admin role: {role}", "管理员角色：{role}"),
    "admin.role_missing": L(
        "Name the role, e.g. `/admin role Moderators` or a role id.",
        "请给出角色，例如 `/admin role Moderators` 或角色 ID。",
    ),
    "admin.role_set": L("Admin role set to {role}.", "管理员角色已设为 {role}。"),
    "admin.no_members": L(
        "Nobody studies in this channel yet; people join with `/path`.",
        "这个频道还没有人学习；成员可用 `/path` 加入。",
    ),
    "admin.cohort_title": L("Study group {channel}", "学习小组 {channel}"),
    "admin.cohort_text": L(
        "{members} members; {behind} behind pace.", "共 {members} 人；{behind} 人落后于计划。"
    ),
    "admin.at_step": L("step {n}/{steps}", "第 {n}/{steps} 步"),
    "admin.no_path": L("No path chosen yet", "尚未选择路线"),
    "admin.behind_line": L("• {name}: {days} days behind", "• {name}：落后 {days} 天"),
    "admin.nudge_button": L("Nudge", "提醒他们"),
    "admin.nudge_nobody": L("Nobody is behind pace. Nothing to nudge.", "没有人落后，无需提醒。"),
    "admin.nudge_queued": L(
        "{count} nudge(s) queued for delivery:",
        "{count} 条提醒已加入发送队列：",
    ),
    "admin.nudge_recent": L(
        "Already nudged in the last day: {names}", "过去一天内已提醒过：{names}"
    ),
    "admin.export_text": L(
        "Progress of {count} member(s), as CSV.", "{count} 位成员的进度（CSV）。"
    ),
    "admin.reset_confirm": L(
        "Reset the leaderboards? They will count only chapters finished from now on. Nobody's"
        " progress changes, and past winners stay in `/leaderboard history`.",
        "要重置排行榜吗？之后只计算从现在起完成的章节。任何人的进度都不会改变，历届前三仍保留在"
        " `/leaderboard history` 中。",
    ),
    "admin.reset_button": L("Yes, reset the leaderboards", "确认重置排行榜"),
    "admin.reset_done": L(
        "Leaderboards reset: a fresh start from now. Progress and history are untouched.",
        "排行榜已重置，从现在重新开始。进度和历史记录均未改变。",
    ),
    # scheduler: an admin's nudge, as the person reads it (who asked is never named)
    "scheduler.nudge_title": L("A friendly nudge 👋", "友好提醒 👋"),
    "scheduler.nudge_text": L(
        "Your study group in {channel} is cheering you on! You're {behind} on the {path}:"
        " you're at step {n} of {steps}. Even one chapter today gets you closer.",
        "{channel} 的学习小组在为你加油！你在{path}上{behind}，目前在第 {n}/{steps} 步。"
        "今天哪怕只学一章，也会离目标更近一步。",
    ),
    "scheduler.nudge_footer": L(
        "Press Done when you finish a step; `/reminders` changes your weekly reminder.",
        "完成一步后点「完成」；用 `/reminders` 修改每周提醒。",
    ),
    # the console adapter's own lines (switching who types, where, in which language)
    "console.welcome": L(
        "skilltree console — type /help, or quit to leave.",
        "skilltree 控制台 — 输入 /help 查看命令，输入 quit 退出。",
    ),
    "console.no_button": L(
        "! There is no button {n}; choose 1–{count}.",
        "! 没有第 {n} 个按钮；请选择 1–{count}。",
    ),
    "console.user": L("(you are now {user})", "（你现在是 {user}）"),
    "console.in_dm": L("(now in a DM)", "（现在在私信中）"),
    "console.in_channel": L("(now in #{channel})", "（现在在 #{channel}）"),
    "console.admin_on": L("(admin on)", "（管理员：开）"),
    "console.admin_off": L("(admin off)", "（管理员：关）"),
    "console.language": L("(language en)", "（语言：中文）"),
    "console.meta_help": L(
        "! Console commands: :user NAME, :channel NAME|dm, :admin on|off, :lang en|zh",
        "! 控制台命令：:user 名字、:channel 频道名|dm、:admin on|off、:lang en|zh",
    ),
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def tr(locale: Locale | str, key: str, **kwargs: object) -> str:
    """Look up ``key`` in the caller's language and fill in its placeholders."""
    msg = MESSAGES[key].get(locale)
    return msg.format(**kwargs) if kwargs else msg


def weekday_name(locale: Locale | str, weekday: int) -> str:
    return WEEKDAYS["zh" if locale == "zh" else "en"][weekday]
