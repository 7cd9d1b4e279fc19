"""``python -m bot.i18n.tools``: the catalogue workflow a translator runs (``make messages``).

1. ``pybabel extract`` writes the template ``locales/skilltree.pot`` from the code;
2. ``pybabel update`` merges it into every ``locales/<id>/LC_MESSAGES/skilltree.po``;
3. ``pybabel compile`` writes each ``.mo`` beside its ``.po``.
The keywords are the functions that take a msgid: ``ctx.t``/``ctx.nt``, ``tr``/``ntr``/``ptr``,
and ``N_``/``pN_`` for msgids kept as data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT_DIR, DOMAIN, SOURCE

ROOT = Path(__file__).resolve().parents[2]  # the checkout: babel.cfg names bot/, adapters/ …
TEMPLATE = DEFAULT_DIR / f"{DOMAIN}.pot"
KEYWORDS = ("N_", "pN_:1c,2", "t", "nt:1,2", "tr:2", "ntr:2,3", "ptr:2c,3")


def _pybabel(*args: str) -> None:
    """Babel's own command line, run from the checkout so locations read ``bot/core.py:42``."""
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]
    finally:
        os.chdir(here)


def extract(template: Path = TEMPLATE) -> None:
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "--no-default-keywords",
        *keywords,
        "--sort-by-file",
        "--add-comments=TRANSLATORS:",
        "--project=skilltree-bot",
        "-o",
        str(template),
        ".",
    )


def update() -> None:
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(DEFAULT_DIR), "-D", DOMAIN, "-N")
    fill_source()


def fill_source() -> None:
    """The source language's catalogue says each msgid as it is (its plural forms too): a
    translator of English has nothing to add, and a check can ask every catalogue to be
    complete."""
    path = DEFAULT_DIR / SOURCE / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fp:
        catalog = read_po(fp)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not any(strings):
            message.string = tuple(message.id) if message.pluralizable else message.id
    with path.open("wb") as fp:
        write_po(fp, catalog, width=100, sort_by_file=True)


def compile_all() -> None:
    _pybabel("compile", "-d", str(DEFAULT_DIR), "-D", DOMAIN, "--use-fuzzy")


def main(argv: list[str]) -> int:
    steps = {"extract": extract, "update": update, "compile": compile_all}
    for name in argv or list(steps):
        steps[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
