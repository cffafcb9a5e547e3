"""Retrieval speed and memory: p50/p99 of one `ask` on the real KB and on a KB
inflated to 50,000 phrasings; index build time; process RSS; CLI cold start.

    .venv/bin/python bench/retrieval.py [--inflate 50000] [--queries 400]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.process.runtime import build_context  # noqa: E402
from bot.process.settings import Settings  # noqa: E402
from bot.shell.ask import ask  # noqa: E402
from knowledge.index import Index  # noqa: E402


def questions() -> list[str]:
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    qs = (
        [json.loads(line)["q"] for line in dev.read_text(encoding="utf-8").splitlines()]
        if dev.exists()
        else []
    )
    qs += [
        q.strip()
        for q in (ROOT / "bench" / "oos_questions.txt").read_text(encoding="utf-8").splitlines()
        if q.strip()
    ]
    return qs


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def time_asks(ctx, qs: list[str], n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    samples = []
    for _ in range(n):
        q = rng.choice(qs)
        t = time.perf_counter()
        ask(ctx, q)
        samples.append((time.perf_counter() - t) * 1000)
    return percentiles(samples)


def inflated_extra(ctx, target: int) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Synthetic phrasings: real ones with their characters shuffled into new combinations."""
    rng = random.Random(11)
    base = [(i, q) for i, e in enumerate(ctx.kb.entries) for q in e.questions]
    extra = []
    while len(extra) + len(base) < target:
        i, q = rng.choice(base)
        _, other = rng.choice(base)
        cut = rng.randint(1, max(1, len(q) - 1))
        extra.append((i, q[:cut] + other[len(other) // 2 :] + str(rng.randint(0, 999))))
    return extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inflate", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    qs = questions()

    t = time.perf_counter()
    ctx = build_context(Settings())
    build_s = time.perf_counter() - t
    ask(ctx, "warm up")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p50, p99 = time_asks(ctx, qs, args.queries)
    print(
        f"real KB: {len(ctx.kb)} entries, {ctx.index.size} phrasings; build {build_s:.2f}s; RSS {rss_mb:.0f} MB"
    )
    print(f"  ask latency: p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 <= 5 ms)")

    t = time.perf_counter()
    big = Index(ctx.kb, extra=inflated_extra(ctx, args.inflate))
    big_build = time.perf_counter() - t
    from dataclasses import replace

    big_ctx = replace(ctx, index=big)
    p50, p99 = time_asks(big_ctx, qs, args.queries)
    print(f"inflated KB: {big.size} phrasings; build {big_build:.2f}s")
    print(f"  ask latency: p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 <= 20 ms)")

    vetbot = ROOT / ".venv" / "bin" / "vetbot"
    if vetbot.exists():
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(
                [str(vetbot), "ask", "优待证怎么办", "--json"], capture_output=True, check=True
            )
            runs.append(time.perf_counter() - t)
        print(
            f"vetbot ask cold start: best {min(runs):.2f}s, worst {max(runs):.2f}s (target <= 3 s)"
        )


if __name__ == "__main__":
    main()
