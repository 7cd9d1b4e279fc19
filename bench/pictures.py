"""The cost of the PNG pictures: ``/progress``'s skill tree (en and zh) and a 50-row leaderboard.

Each figure is the wall time of ``--n`` renders through the public renderers (no result cache),
over models with varied chapter states, paths and captions, as ``/progress`` builds them. A
second pass renders the same mix from two threads at once, to see how much the GIL lets two
cores share. Nothing is written to RESULTS.md; the figures are printed.

    .venv/bin/python -m bench.pictures [--n 200] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import SEED, machine
from bot import pictures
from bot.features.leaderboard import board_header
from bot.pace import fmt_days, path_status, tree_caption
from curriculum import Curriculum, load_curriculum

START = datetime(2027, 3, 1, tzinfo=UTC)
STATES = ("done", "in_progress", "skipped", None, None)


def tree_models(
    curriculum: Curriculum, n: int, locale: str, *, history: bool = False
) -> list[pictures.TreeModel]:
    """``n`` distinct models with a caption like /progress's: a random path and either random
    states for every chapter, or (``history``) the path's first chapters done, 5% skipped, as
    bench.seed writes them (then few node rows differ between people)."""
    rng = random.Random(SEED)
    out = []
    for _ in range(n):
        path = rng.choice(curriculum.paths)
        if history:
            order = [c for step in path.steps for c in step.chapters]
            states = {
                c: "done" if rng.random() > 0.05 else "skipped"
                for c in order[: rng.randint(0, len(order))]
            }
        else:
            states = {c: s for c in curriculum.chapters if (s := rng.choice(STATES)) is not None}
        now = START + timedelta(days=rng.randrange(1, 60))
        status = path_status(path, states, START, now, "UTC")
        caption = tree_caption(locale, status)
        out.append(pictures.tree_model(curriculum, status, states, locale=locale, caption=caption))
    return out


def board_models(n: int, locale: str, rows: int = 50) -> list[pictures.BoardModel]:
    rng = random.Random(SEED)
    header = board_header(locale)
    out = []
    for k in range(n):
        board = [
            pictures.BoardRow(
                i + 1,
                f"person {rng.randrange(10_000)}"
                if locale == "en"
                else f"学员{rng.randrange(999)}",
                fmt_days(rng.randrange(0, 400) / 4),
                rng.randrange(0, 30),
                rng.randrange(0, 12),
                rng.random(),
            )
            for i in range(rows)
        ]
        out.append(
            pictures.board_model(board, title=f"Leaderboard #{k}", header=header, locale=locale)
        )
    return out


def _forget() -> None:
    """Drop every cache the renderer keeps between calls (older versions had only one)."""
    clear = getattr(pictures, "clear_caches", None)
    if clear is not None:
        clear()
    pictures._render_tree_cached.cache_clear()


def cold(render: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    """``render`` with every cache dropped first: the cost of a picture nothing is kept for."""

    def run(model: Any) -> bytes:
        _forget()
        return render(model)

    return run


def timed(
    render: Callable[[Any], bytes], models: Sequence[Any]
) -> tuple[list[float], list[float], int]:
    """Wall and thread-CPU milliseconds of each render, and the mean PNG size in bytes (CPU
    time is the steadier figure on a machine shared with other work)."""
    times, cpu = [], []
    size = 0
    for m in models:
        t0, c0 = time.perf_counter(), time.thread_time()
        data = render(m)
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
        size += len(data)
    return times, cpu, size // len(models)


def threaded(render: Callable[[Any], bytes], models: Sequence[Any], workers: int) -> float:
    """Pictures per second with ``workers`` threads drawing at once."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(render, models))
    return len(models) / (time.perf_counter() - t0)


def report(name: str, render: Callable[[Any], bytes], models: Sequence[Any]) -> None:
    _forget()
    first_t, _, _ = timed(render, models[:1])  # includes building any cached base image
    times, cpu, size = timed(render, models[1:])
    mean = statistics.fmean(times)
    med = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95)]
    _forget()  # the threaded passes start as cold as the timed one did
    rate1 = threaded(render, models, 1)
    _forget()
    rate2 = threaded(render, models, 2)
    print(
        f"{name:<20} first {first_t[0]:6.1f} ms | mean {mean:6.2f} ms  median {med:6.2f}  "
        f"p95 {p95:6.2f}  cpu {statistics.fmean(cpu):6.2f} | {size / 1024:5.1f} KiB/png | "
        f"1 thread {rate1:5.0f}/s, "
        f"2 threads {rate2:6.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="renders per case")
    parser.add_argument("--profile", action="store_true", help="cProfile the en tree renders")
    args = parser.parse_args()
    curriculum = load_curriculum()
    print(machine())
    print(f"CJK font: {pictures.cjk_font_path()}")
    tree, board = pictures.render_skill_tree, pictures.render_leaderboard
    cases: list[tuple[str, Callable[[Any], bytes], Sequence[Any]]] = []
    for loc in ("en", "zh"):
        random_states = tree_models(curriculum, args.n, loc)
        cases += [
            (f"tree {loc} cold", cold(tree), random_states[: args.n // 4]),
            (f"tree {loc} random", tree, random_states),
            (f"tree {loc} history", tree, tree_models(curriculum, args.n, loc, history=True)),
        ]
    for loc in ("en", "zh"):
        boards = board_models(args.n // 4, loc)
        cases += [(f"board50 {loc} cold", cold(board), boards), (f"board50 {loc}", board, boards)]
    for name, render, models in cases:
        report(name, render, models)
    if args.profile:
        _forget()
        models = cases[1][2]
        prof = cProfile.Profile()
        prof.enable()
        for m in models:
            pictures.render_skill_tree(m)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
        print(out.getvalue())


if __name__ == "__main__":
    main()
