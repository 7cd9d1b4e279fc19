""" "Did you mean …?" for anything a person types by hand."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(query: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The candidates most like ``query``, case-insensitively, best first, in their own spelling."""
    by_key: dict[str, str] = {}
    for c in candidates:
        by_key.setdefault(c.casefold(), c)
    keys = difflib.get_close_matches(query.casefold(), list(by_key), n=n, cutoff=cutoff)
    return [by_key[k] for k in keys]
