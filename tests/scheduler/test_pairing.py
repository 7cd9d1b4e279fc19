"""The pairing rule: deterministic, nobody twice, steps within one, repeats avoided, odd → trio."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.pairing import Candidate, member_key, pair

PATHS = st.sampled_from(["app", "mlops", "research"])


@st.composite
def groups(draw: st.DrawFn) -> list[Candidate]:
    ids = draw(st.lists(st.integers(1, 500), unique=True, max_size=30))
    return [Candidate(draw(PATHS), draw(st.integers(0, 6)), uid) for uid in ids]


def pairs_in(result: list[tuple[int, ...]]) -> set[frozenset[int]]:
    return {frozenset(p) for g in result for p in combinations(g, 2)}


@settings(max_examples=300, deadline=None)
@given(groups(), st.text(max_size=12))
def test_pairing_is_deterministic_whatever_the_input_order(people, seed):
    assert pair(people, seed=seed) == pair(list(reversed(people)), seed=seed)


@settings(max_examples=300, deadline=None)
@given(groups(), st.text(max_size=12))
def test_nobody_is_in_two_groups_and_groups_share_a_path_and_near_steps(people, seed):
    by_id = {c.user_id: c for c in people}
    result = pair(people, seed=seed)
    members = [u for g in result for u in g]
    assert len(members) == len(set(members))
    for g in result:
        assert len(g) in (2, 3)
        assert len({by_id[u].path for u in g}) == 1
        steps = [by_id[u].step for u in g]
        assert max(steps) - min(steps) <= 1


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 40), st.text(max_size=8))
def test_one_step_an_odd_count_makes_exactly_one_trio_and_pairs_everyone(n, seed):
    people = [Candidate("mlops", 2, uid) for uid in range(1, n + 1)]
    result = pair(people, seed=seed)
    assert sum(len(g) for g in result) == n
    assert sum(len(g) == 3 for g in result) == (n % 2)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 20).map(lambda k: 2 * k), st.text(max_size=8))
def test_last_weeks_pairs_are_not_repeated_when_avoidable(n, seed):
    people = [Candidate("app", 1, uid) for uid in range(1, n + 1)]
    last_week = {frozenset(g) for g in pair(people, seed=seed + "-last")}
    result = pair(people, last_week, seed=seed)
    assert not pairs_in(result) & last_week


def test_a_pair_repeats_only_when_there_is_no_one_else():
    people = [Candidate("app", 0, 1), Candidate("app", 0, 2)]
    assert pair(people, [frozenset((1, 2))], seed="x") == [(1, 2)]


def test_people_alone_on_their_path_or_far_ahead_stay_unpaired():
    people = [
        Candidate("app", 0, 1),
        Candidate("app", 0, 2),
        Candidate("app", 5, 3),  # four steps ahead of anyone else on app
        Candidate("research", 2, 4),  # nobody else on research
    ]
    assert pair(people, seed="s") == [(1, 2)]


def test_adjacent_steps_pair_and_a_leftover_joins_the_near_pair():
    people = [Candidate("mlops", 3, 10), Candidate("mlops", 4, 11), Candidate("mlops", 4, 12)]
    assert pair(people, seed="s") == [(10, 11, 12)]


def test_the_seed_rotates_pairs_between_weeks():
    people = [Candidate("app", 0, uid) for uid in range(1, 9)]
    weeks = {tuple(pair(people, seed=f"7:2027-W{w:02d}")) for w in range(1, 11)}
    assert len(weeks) > 1


def test_member_key_is_the_sorted_ids():
    assert member_key((15, 12)) == "12-15"
