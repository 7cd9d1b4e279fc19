"""The console adapter: the whole bot in a terminal, no tokens needed."""

from adapters.console.notifier import ConsoleNotifier
from adapters.console.render import render_text
from adapters.console.repl import ConsoleAdapter

__all__ = ["ConsoleAdapter", "ConsoleNotifier", "render_text"]
