"""The core's command specs as Discord application commands, and syncing them only on change.

Commands are declared once, as data, in ``bot.features``; this module is the single mapping from
that data to Discord's wire format. The same payloads are used for the sync (a bulk overwrite)
and for ``skilltree discord commands``, so what an operator inspects is exactly what is sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.features import COMMANDS
from bot.i18n import (
    COMMAND_NAME,
    N_,
    SOURCE,
    Locale,
    catalogues,
    likely_script,
    normalize_locale,
    ptr,
    tr,
)
from bot.options import MAX_OPTION_LENGTH, CommandSpec, OptionSpec, OptionType

if TYPE_CHECKING:
    from discord.http import HTTPClient

    from bot.config import Settings

log = logging.getLogger(__name__)

MANAGE_GUILD = 1 << 5  # "Manage Server": hides admin commands from everyone else by default

# Discord's numeric types (application command option types, contexts, integrations).
STRING, INTEGER, USER = 3, 4, 6
CHAT_INPUT = 1
CONTEXT_GUILD, CONTEXT_BOT_DM = 0, 1
GUILD_INSTALL = 0

MAX_CHOICES = 25
MAX_DESCRIPTION = 100
MAX_CHOICE_NAME = 100

# Which autocomplete source an option type uses when its spec does not name one.
DEFAULT_AUTOCOMPLETE: dict[OptionType, str] = {
    OptionType.CHAPTER: "chapters",
    OptionType.TIMEZONE: "timezones",
    OptionType.PATH: "paths",
}

WEEKDAY_CHOICES: tuple[tuple[str, str], ...] = (
    ("mon", N_("Monday")),
    ("tue", N_("Tuesday")),
    ("wed", N_("Wednesday")),
    ("thu", N_("Thursday")),
    ("fri", N_("Friday")),
    ("sat", N_("Saturday")),
    ("sun", N_("Sunday")),
)

# Discord's rule for a command name in any language (lower case where the script has case).
NAME_RULE = re.compile(r"^[-_\w]{1,32}$")


def discord_locales() -> dict[discord.Locale, Locale]:
    """Every Discord locale we have a catalogue for (not English, our source): the same
    language, and the same script where the catalogue names one (``zh-CN`` reads ``zh_Hans``,
    ``zh-TW`` does not)."""
    found: dict[discord.Locale, Locale] = {}
    for dl in discord.Locale:
        code = normalize_locale(dl.value)
        if code == SOURCE:
            continue
        ours = catalogues().babel(code)
        if ours.script is not None and likely_script(dl.value) != ours.script:
            continue
        found[dl] = code
    return found


class CatalogueTranslator(app_commands.Translator):
    """discord.py's translation hook, fed from our gettext catalogues. A string left as it
    is (no translation) gives None, so Discord shows the default."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        code = discord_locales().get(locale)
        if code is None:
            return None
        if context.location is app_commands.TranslationContextLocation.command_name:
            text = ptr(code, COMMAND_NAME, string.message)
            if text != string.message and not NAME_RULE.match(text):
                log.warning(
                    "ignoring the %s name %r for /%s: Discord refuses it",
                    code,
                    text,
                    string.message,
                )
                return None
        else:
            text = tr(code, string.message)
        return None if text == string.message else text


def _cut(text: str, limit: int) -> str:
    """Discord rejects the whole bulk overwrite if one string is too long: trim, never fail."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Localizer:
    """Builds ``*_localizations`` maps by asking the translator for every Discord locale."""

    def __init__(self, translator: app_commands.Translator) -> None:
        self.translator = translator
        self.locales = list(discord_locales())

    async def localized(
        self, message: str, location: app_commands.TranslationContextLocation, limit: int
    ) -> dict[str, str]:
        # Our commands are specs, not discord.py Command objects: the translator reads only
        # the location.
        context = app_commands.TranslationContext(location=location, data=None)  # type: ignore[call-overload]
        out: dict[str, str] = {}
        for dl in self.locales:
            text = await self.translator.translate(app_commands.locale_str(message), dl, context)
            if text:
                out[dl.value] = _cut(text, limit)
        return out

    async def described(
        self, description: str, location: app_commands.TranslationContextLocation
    ) -> dict[str, Any]:
        return {
            "description": _cut(description, MAX_DESCRIPTION),
            "description_localizations": await self.localized(
                description, location, MAX_DESCRIPTION
            ),
        }

    async def choice(self, value: str, label: str) -> dict[str, Any]:
        return {
            "name": _cut(label, MAX_CHOICE_NAME),
            "name_localizations": await self.localized(
                label, app_commands.TranslationContextLocation.choice_name, MAX_CHOICE_NAME
            ),
            "value": value,
        }


def autocomplete_source(option: OptionSpec) -> str | None:
    """The ``Core.autocomplete`` source for an option, or None when it takes free text."""
    if option.choices:
        return None
    return option.autocomplete or DEFAULT_AUTOCOMPLETE.get(option.type)


async def option_payload(option: OptionSpec, loc: _Localizer) -> dict[str, Any]:
    """One option: Discord does the typing it can (integers, users, fixed choices) client-side;
    everything else is a string the core converts, so errors read the same on every platform."""
    where = app_commands.TranslationContextLocation.parameter_description
    payload: dict[str, Any] = {
        "name": option.name,
        **await loc.described(option.description, where),
    }
    if option.type is OptionType.INTEGER:
        payload["type"] = INTEGER
        if option.min_value is not None:
            payload["min_value"] = option.min_value
        if option.max_value is not None:
            payload["max_value"] = option.max_value
    elif option.type is OptionType.USER:
        payload["type"] = USER
    elif option.choices:
        payload["type"] = STRING
        payload["choices"] = [
            await loc.choice(c.value, c.label) for c in option.choices[:MAX_CHOICES]
        ]
    elif option.type is OptionType.WEEKDAY:
        payload["type"] = STRING
        payload["choices"] = [await loc.choice(value, label) for value, label in WEEKDAY_CHOICES]
    else:
        payload["type"] = STRING
        payload["max_length"] = option.max_length or MAX_OPTION_LENGTH
        if autocomplete_source(option):
            payload["autocomplete"] = True
    payload["required"] = option.required
    return payload


async def command_payload(spec: CommandSpec, loc: _Localizer | None = None) -> dict[str, Any]:
    """One slash command. Admin commands are hidden from non-admins by Discord and guild-only
    (Manage Server means nothing in a DM); the core still checks ``is_admin`` at run time."""
    loc = loc or _Localizer(CatalogueTranslator())
    # Discord requires required options first; the core looks options up by name, not order.
    options = sorted(spec.options, key=lambda o: not o.required)
    where = app_commands.TranslationContextLocation
    payload: dict[str, Any] = {
        "type": CHAT_INPUT,
        "name": spec.name,
        "name_localizations": await loc.localized(spec.name, where.command_name, 32),
        **await loc.described(spec.description, where.command_description),
        "options": [await option_payload(o, loc) for o in options],
        "contexts": [CONTEXT_GUILD] if spec.admin_only else [CONTEXT_GUILD, CONTEXT_BOT_DM],
        "integration_types": [GUILD_INSTALL],
    }
    if spec.admin_only:
        payload["default_member_permissions"] = str(MANAGE_GUILD)
    return payload


async def command_payloads(
    commands: Iterable[CommandSpec] = COMMANDS,
    translator: app_commands.Translator | None = None,
) -> list[dict[str, Any]]:
    """Every command as Discord application-command JSON (the bulk-overwrite body), each
    string localised by ``translator`` (default: our catalogues) for every Discord locale."""
    loc = _Localizer(translator or CatalogueTranslator())
    return [await command_payload(spec, loc) for spec in commands]


def print_commands() -> int:
    """``skilltree discord commands``: print the payloads that a sync would send."""
    json.dump(asyncio.run(command_payloads()), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


# --- sync only when something changed ----------------------------------------------------------


def fingerprint(
    payloads: Sequence[dict[str, Any]], application_id: int, guild_ids: Sequence[int]
) -> str:
    """A hash of what a sync would do; the same hash means Discord already has these commands."""
    canonical = json.dumps(
        {"app": application_id, "guilds": sorted(guild_ids), "commands": list(payloads)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def sync_state_path(settings: Settings) -> Path:
    """Where the last synced fingerprint lives: next to a SQLite file, else in the output dir.

    Losing the file only costs one extra (idempotent) bulk overwrite on the next start.
    """
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db_file = Path(url.database)
        return db_file.with_name(db_file.name + ".discord-commands.json")
    return settings.output_dir / "discord-commands.json"


def _read_state(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _write_state(path: Path | None, value: str) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"fingerprint": value}) + "\n", encoding="utf-8")
    except OSError as exc:  # not fatal: we will just sync again next time
        log.warning("could not save the Discord command fingerprint to %s: %s", path, exc)


async def sync_commands(
    http: HTTPClient,
    application_id: int,
    guild_ids: Sequence[int] = (),
    *,
    state_file: Path | None = None,
    payloads: list[dict[str, Any]] | None = None,
    force: bool = False,
) -> bool:
    """Bulk-overwrite the commands (per guild when ``guild_ids`` is set: instant, for testing
    servers; else global) unless the fingerprint says Discord has them. True when it synced."""
    payloads = await command_payloads() if payloads is None else payloads
    value = fingerprint(payloads, application_id, guild_ids)
    if not force and _read_state(state_file) == value:
        log.info("Discord commands unchanged; not syncing")
        return False
    if guild_ids:
        for guild_id in guild_ids:
            await http.bulk_upsert_guild_commands(application_id, guild_id, payload=payloads)
    else:
        await http.bulk_upsert_global_commands(application_id, payload=payloads)
    _write_state(state_file, value)
    log.info(
        "synced %d Discord commands (%s)",
        len(payloads),
        f"guilds {', '.join(map(str, guild_ids))}" if guild_ids else "global",
    )
    return True
