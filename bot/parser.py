"""The one text parser behind Slack's slash-command text, the console and button values.

``/reminders wed 19:30 tz:Asia/Shanghai``: tokens are shell-like (quotes group words);
``name:value`` or ``name=value`` sets an option by name; a bare token goes to the first
positional option still free that accepts it, so people can type in the order they think.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from bot.i18n import N_
from bot.options import CommandSpec, OptionError, OptionSpec, OptionType, clean_text, convert
from bot.suggest import closest

# What opens a quoted group, and what closes it. Curly and CJK quotes count as straight ones;
# single quotes double as apostrophes, so they only group at a word's edges (below).
_CLOSERS = {'"': '"“”', "“": '"“”', "”": '"“”', "「": "」", "'": "'‘’", "‘": "'‘’", "’": "'‘’"}
_SINGLE = frozenset("'‘’")
_OPENS_AFTER = frozenset(":=")  # note:"my notes", note='my notes'


class UnknownCommand(ValueError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = suggestions


def split_command(line: str) -> tuple[str, str]:
    """``"/path mlops"`` → ``("path", "mlops")``; the slash (or a Chinese keyboard's ``／``)
    is optional."""
    stripped = clean_text(line)
    if stripped[:1] in ("/", "／"):
        stripped = stripped[1:]
    name, _, rest = stripped.partition(" ")
    return name.strip().casefold(), rest.strip()


def find_command(name: str, commands: Mapping[str, CommandSpec]) -> CommandSpec:
    if name in commands:
        return commands[name]
    # Accept underscores for hyphens (export_my_data) since some keyboards autocorrect.
    alt = name.replace("_", "-")
    if alt in commands:
        return commands[alt]
    raise UnknownCommand(name, closest(name, commands, n=2, cutoff=0.5))


def tokenize(text: str) -> list[str]:
    """Words split on spaces; quotes group words (``"my RAG notes"``, ``“…”``, ``「…」``) and
    are dropped. An apostrophe inside or at the end of a word is just a letter (``I'm``,
    ``I’m`` as phones type it, ``students'``): a single quote opens a group only at a word's
    start, and closes it only at a word's end."""
    tokens: list[str] = []
    word: list[str] = []  # the token so far; an empty pair of quotes makes it [""], a token
    chars = clean_text(text)
    i, n = 0, len(chars)
    unclosable = n  # no single quote closes from here on (a scan found none): scan once
    while i < n:
        c = chars[i]
        if c.isspace():
            if word:
                tokens.append("".join(word))
            word = []
        elif c in _CLOSERS and (c not in _SINGLE or not word or word[-1] in _OPENS_AFTER):
            end = -1 if c in _SINGLE and i >= unclosable else _closing(chars, i + 1, c)
            if end >= 0:
                word.append(chars[i + 1 : end])
                i = end
            elif c in _SINGLE:  # a lone leading apostrophe ('90s): a letter after all
                unclosable = min(unclosable, i)
                word.append(c)
            else:
                raise OptionError(N_("A quote is not closed."))
        else:
            word.append(c)
        i += 1
    if word:
        tokens.append("".join(word))
    return tokens


def _closing(chars: str, start: int, opener: str) -> int:
    """Where the group opened by ``opener`` closes, or -1. A single quote closes only where
    a word ends, so ``'it's fine'`` is one group."""
    closers = _CLOSERS[opener]
    for j in range(start, len(chars)):
        if chars[j] in closers and (
            opener not in _SINGLE or j + 1 == len(chars) or chars[j + 1].isspace()
        ):
            return j
    return -1


def parse_args(spec: CommandSpec, text: str, today: date) -> dict[str, str]:
    """Assign the tokens of ``text`` to the command's options, as raw strings."""
    raw: dict[str, str] = {}
    names = {o.name.casefold(): o.name for o in spec.options}
    positional: list[str] = []
    for token in tokenize(text):
        key, sep, value = token.partition(":") if ":" in token else token.partition("=")
        if sep and key.casefold() in names:
            name = names[key.casefold()]
            if name in raw:
                raise OptionError(N_("Option `{option}` was given twice."), option=name)
            raw[name] = value
        elif sep and key.isidentifier() and not key.isdigit() and len(key) > 2 and "/" not in value:
            # Looks like `something:value` meant as an option (not a time or a URL).
            raise OptionError(
                N_("`/{name}` has no option `{option}`."),
                suggestions=closest(key, names.values()),
                name=spec.name,
                option=key,
            )
        else:
            positional.append(token)

    rest = next((o.name for o in spec.options if o.rest and o.positional), None)
    for token in positional:
        free = [o for o in spec.options if o.positional and o.name not in raw]
        if not free and rest is not None and rest in raw:
            raw[rest] = f"{raw[rest]} {token}"
            continue
        if not free:
            raise OptionError(
                N_("`/{name}` takes fewer arguments: I can't place `{value}`."),
                name=spec.name,
                value=token,
            )
        target = None
        for candidate in free:
            try:
                convert(candidate, token, today)
            except OptionError:
                continue
            target = candidate
            break
        # No option takes it: give it to the one it looks meant for, so the error names that.
        raw[(target or _looks_like(free, token)).name] = token
    return raw


_SHAPES: tuple[tuple[OptionType, re.Pattern[str]], ...] = (
    (OptionType.DATE, re.compile(r"^\d{4}[-/.]")),
    (OptionType.TIME, re.compile(r"^\d{1,2}\s*([:.h]|am|pm)", re.IGNORECASE)),
    (OptionType.TIMEZONE, re.compile(r"/|^(utc|gmt)[+-]", re.IGNORECASE)),
    (OptionType.INTEGER, re.compile(r"^-?\d+$")),
)


def _looks_like(free: list[OptionSpec], token: str) -> OptionSpec:
    for kind, shape in _SHAPES:
        if shape.search(token):
            for option in free:
                if option.type is kind:
                    return option
    return free[0]
