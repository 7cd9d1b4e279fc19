"""Weekly prompts: when they fall due (here) and, later, the job that sends them."""

from bot.timing import next_weekly

__all__ = ["next_weekly"]
