"""Errors a person caused and can fix: each carries a translated message key and hints."""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """Answered to the person (never logged as a fault): a message, suggestions, maybe usage."""

    def __init__(
        self,
        key: str,
        suggestions: list[str] | None = None,
        *,
        hint: str | None = None,
        usage: bool = False,
        **params: Any,
    ) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.suggestions = suggestions or []
        self.hint = hint
        self.usage = usage
