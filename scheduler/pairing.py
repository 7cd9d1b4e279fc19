"""Who studies with whom this week: a pure, deterministic pairing of a channel's opted-in members.

The rule (the README's "Study buddies" section says the same):

1. Candidates are sorted by (path, step index, user id); hidden people never get here.
2. On each path, in that order, the first unpaired person takes a partner among the later ones
   whose step differs by at most one, preferring, in order: someone they were not paired with
   in the recent weeks, the nearest step, then a tie-break hashed from the seed (channel and
   ISO week), so pairs rotate from week to week without any randomness.
3. A swap pass then trades partners between two pairs whenever that removes a repeat and keeps
   every pair within one step (greedy choices alone can leave the last two as a repeat).
4. Someone left over (an odd count) joins the pair on their path whose steps are all within one
   of theirs, making a trio; with none, they stay unpaired this week rather than being put with
   someone on another path or far ahead. So an odd group on one step gets exactly one trio.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, groupby

Pair = frozenset[int]


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    path: str
    step: int  # index of the step they study now (the path's length when finished)
    user_id: int


def _tie(seed: str, a: int, b: int) -> int:
    lo, hi = sorted((a, b))
    return int.from_bytes(hashlib.sha256(f"{seed}:{lo}:{hi}".encode()).digest()[:8], "big")


def _repeats(group: Iterable[Candidate], recent: frozenset[Pair]) -> int:
    return sum(frozenset((a.user_id, b.user_id)) in recent for a, b in combinations(group, 2))


def _close(group: Iterable[Candidate]) -> bool:
    steps = [c.step for c in group]
    return max(steps) - min(steps) <= 1


def _greedy(
    people: list[Candidate], recent: frozenset[Pair], seed: str
) -> tuple[list[list[Candidate]], list[Candidate]]:
    pairs: list[list[Candidate]] = []
    left: list[Candidate] = []
    rest = list(people)
    while rest:
        a = rest.pop(0)
        options = [b for b in rest if b.step - a.step <= 1]
        if not options:
            left.append(a)
            continue
        b = min(
            options,
            key=lambda b: (
                frozenset((a.user_id, b.user_id)) in recent,
                b.step - a.step,
                _tie(seed, a.user_id, b.user_id),
                b.user_id,
            ),
        )
        rest.remove(b)
        pairs.append([a, b])
    return pairs, left


def _swap_repeats(pairs: list[list[Candidate]], recent: frozenset[Pair]) -> None:
    """Trade partners between two pairs when it lowers the repeats (in place; terminates since
    every accepted swap lowers the total)."""
    improved = True
    while improved:
        improved = False
        for i, j in combinations(range(len(pairs)), 2):
            (a, b), (c, d) = pairs[i], pairs[j]
            now = _repeats((a, b), recent) + _repeats((c, d), recent)
            if now == 0:
                continue
            for x, y in (([a, c], [b, d]), ([a, d], [b, c])):
                if _close(x) and _close(y) and _repeats(x, recent) + _repeats(y, recent) < now:
                    pairs[i], pairs[j] = sorted(x), sorted(y)
                    improved = True
                    break


def pair(
    candidates: Iterable[Candidate], recent: Iterable[Pair] = (), *, seed: str
) -> list[tuple[int, ...]]:
    """The week's groups as sorted user-id tuples (pairs, and trios for leftovers), sorted.

    ``recent``: pairs from the last weeks, avoided when possible. Same input, same output.
    """
    seen = frozenset(recent)
    people = sorted(set(candidates))
    assert len({c.user_id for c in people}) == len(people), "one candidate per person"
    groups: list[list[Candidate]] = []
    for _, on_path in groupby(people, key=lambda c: c.path):
        pairs, left = _greedy(list(on_path), seen, seed)
        _swap_repeats(pairs, seen)
        for x in left:
            fits = [g for g in pairs if len(g) == 2 and _close([*g, x])]
            if fits:
                best = min(
                    fits,
                    key=lambda g: (
                        _repeats([*g, x], seen),
                        sum(_tie(seed, x.user_id, m.user_id) for m in g),
                        [m.user_id for m in g],
                    ),
                )
                best.append(x)
        groups += pairs
    return sorted(tuple(sorted(c.user_id for c in g)) for g in groups)


def member_key(group: Sequence[int]) -> str:
    """``BuddyGroup.member_key``: the sorted ids, ``"12-15"``."""
    return "-".join(str(u) for u in sorted(group))
