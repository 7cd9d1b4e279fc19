"""The bot's own sentences, in GNU gettext catalogues read through Babel.

English is the source language: a message's msgid is its English text, written where it is
used (``ctx.t("...")``, ``tr(locale, "...")``), where ``pybabel extract`` finds it (``make
messages``). Every sentence with a count has plural forms (``ctx.nt`` / ``ntr``), and dates,
weekdays, times and numbers are formatted by Babel for the reader's locale.

A language is one catalogue, ``locales/<id>/LC_MESSAGES/skilltree.po``; ``pybabel compile``
puts the ``.mo`` beside it, and a ``.po`` without one is compiled in memory when first used,
so adding a language is adding its ``.po`` file. A locale is named by its language when only
one catalogue speaks it (``zh_Hans`` is ``zh``), else by the catalogue's id.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path

from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

log = logging.getLogger(__name__)

DOMAIN = "skilltree"
SOURCE = "en"  # the language the msgids are written in
DEFAULT_DIR = Path(__file__).with_name("locales")

Locale = str  # a code from ``locales()``: "en", "zh", or a catalogue id


class Catalogues:
    """The catalogues in one directory: which locales exist, and their translations."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        ids = sorted(
            p.parent.parent.name
            for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
            if _known(p.parent.parent.name)
        )
        languages = [BabelLocale.parse(i).language for i in ids]
        self.ids: dict[Locale, str] = {
            (lang if languages.count(lang) == 1 else i): i
            for i, lang in zip(ids, languages, strict=True)
        }
        self.ids.setdefault(SOURCE, SOURCE)
        self.codes = tuple(sorted(self.ids, key=lambda c: (c != SOURCE, c)))

    @functools.cache  # noqa: B019 - one Catalogues per directory, kept for the process
    def translations(self, code: Locale) -> Translations:
        catalogue = self.directory / self.ids.get(code, SOURCE) / "LC_MESSAGES"
        mo = catalogue / f"{DOMAIN}.mo"
        if mo.is_file():
            with mo.open("rb") as fp:
                return Translations(fp, domain=DOMAIN)
        po = catalogue / f"{DOMAIN}.po"
        if not po.is_file():
            return Translations(domain=DOMAIN)  # msgids as they are: English
        with po.open("rb") as fp:
            compiled = io.BytesIO()
            write_mo(compiled, read_po(fp, locale=self.ids[code], domain=DOMAIN))
        compiled.seek(0)
        log.debug("compiled %s in memory (no .mo beside it)", po)
        return Translations(compiled, domain=DOMAIN)

    def babel(self, code: Locale) -> BabelLocale:
        return BabelLocale.parse(self.ids.get(code, SOURCE))

    def negotiate(self, raw: str | None) -> Locale:
        """The best catalogue for what a platform says (``zh-CN``, ``zh_TW``, ``en-GB``, ``fr``):
        the same language, the script breaking ties; else English."""
        if not raw:
            return SOURCE
        tag = raw.strip().replace("-", "_")
        try:
            wanted = BabelLocale.parse(tag)
        except (ValueError, UnknownLocaleError):
            wanted = None
        language = wanted.language if wanted else tag.split("_")[0].lower()
        matches = [c for c in self.codes if self.babel(c).language == language]
        if len(matches) > 1 and wanted is not None:
            script = likely_script(str(wanted))
            matches = [c for c in matches if self.babel(c).script == script] or matches
        return matches[0] if matches else SOURCE


def likely_script(tag: str) -> str | None:
    """The script a locale tag most likely writes in (CLDR's likely subtags): ``zh_CN`` Hans,
    ``zh_TW`` Hant."""
    tag = tag.replace("-", "_")
    subtags = get_global("likely_subtags")
    likely = subtags.get(tag) or subtags.get(tag.split("_")[0])
    if likely is None:
        return None
    try:
        return BabelLocale.parse(likely).script
    except (ValueError, UnknownLocaleError):
        return None


def _known(catalogue_id: str) -> bool:
    try:
        BabelLocale.parse(catalogue_id)
    except (ValueError, UnknownLocaleError):
        log.warning("ignoring catalogue %r: not a locale Babel knows", catalogue_id)
        return False
    return True


_catalogues = Catalogues(DEFAULT_DIR)


def use_catalogues(directory: Path) -> Catalogues:
    """Read catalogues from ``directory`` from now on (tests: a language added in a copy)."""
    global _catalogues
    _catalogues = Catalogues(directory)
    return _catalogues


def catalogues() -> Catalogues:
    return _catalogues


def locales() -> tuple[Locale, ...]:
    """Every language the bot speaks, English first."""
    return _catalogues.codes


def normalize_locale(raw: str | None) -> Locale:
    return _catalogues.negotiate(raw)


def _fill(text: str, params: Mapping[str, object]) -> str:
    return text.format(**params) if params else text


def tr(locale: Locale, message: str, **params: object) -> str:
    """``message`` (its English msgid) in ``locale``, placeholders filled."""
    return _fill(_catalogues.translations(locale).ugettext(message), params)


def ntr(locale: Locale, singular: str, plural: str, n: int, **params: object) -> str:
    """The plural form of ``locale`` for ``n``; ``{n}`` is filled with ``n``."""
    text = _catalogues.translations(locale).ungettext(singular, plural, n)
    return _fill(text, {"n": format_number(locale, n), **params})


def ptr(locale: Locale, context: str, message: str, **params: object) -> str:
    """``message`` in ``context`` (the same English word meaning two things, e.g. a button)."""
    return _fill(_catalogues.translations(locale).upgettext(context, message), params)


COMMAND_NAME = "command name"  # the msgctxt of commands' names (Discord shows them translated)


def pN_(context: str, message: str) -> str:
    """Mark a msgid in a context for extraction, e.g. a command's name."""
    return message


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is defined as data (command descriptions)."""
    return message


# --- Babel's locale-aware formatting ---------------------------------------------------------


def format_number(locale: Locale, value: float) -> str:
    return format_decimal(value, locale=_catalogues.babel(locale))


def format_day(locale: Locale, day: date) -> str:
    """Weekday and date: "Monday, December 7" / "12月7日星期一". CLDR has no skeleton with a
    full weekday, so its month-day-weekday pattern gets the wide weekday."""
    babel = _catalogues.babel(locale)
    pattern = re.sub(r"E+", "EEEE", str(babel.datetime_skeletons["MMMMEd"].pattern))
    return babel_format_date(day, pattern, locale=babel)


def format_date(locale: Locale, day: date) -> str:
    """A date with its year: "Dec 7, 2026" / "2026年12月7日"."""
    return format_skeleton("yMMMd", day, locale=_catalogues.babel(locale))


def format_clock(locale: Locale, at: time | datetime) -> str:
    """A time of day on the 24-hour clock the bot's settings use: "09:00"."""
    return format_time(at, "HH:mm", locale=_catalogues.babel(locale))


def format_when(locale: Locale, at: datetime) -> str:
    """Weekday, date and time, joined as the locale joins them: "12月7日星期一 09:00"."""
    babel = _catalogues.babel(locale)
    pattern = str(babel.datetime_formats["medium"])
    return pattern.format(format_clock(locale, at), format_day(locale, at.date()))


def weekday_name(locale: Locale, weekday: int) -> str:
    """Monday is 0, as ``date.weekday()``."""
    return str(_catalogues.babel(locale).days["format"]["wide"][weekday])
