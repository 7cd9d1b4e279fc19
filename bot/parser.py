"""The one text parser behind Slack's slash-command text, the console and button values.

``/reminders wed 19:30 tz:Asia/Shanghai``: tokens are shell-like (quotes group words);
``name:value`` or ``name=value`` sets an option by name; a bare token goes to the first
positional option still free that accepts it, so people can type in the order they think.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from datetime import date

from bot.i18n import N_
from bot.options import CommandSpec, OptionError, OptionSpec, OptionType, clean_text, convert
from bot.suggest import closest

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


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
    try:
        return shlex.split(clean_text(text).translate(_QUOTES), posix=True)
    except ValueError:
        raise OptionError(N_("A quote is not closed.")) from None


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
