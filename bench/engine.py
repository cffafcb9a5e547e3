"""Dialogue throughput: turns per second of ``bot.shell.inbound.handle`` (load state → ``step``
→ apply effects → save state and messages, one transaction per turn) on SQLite with
the real KB, plus p50/p99 per turn; and the pure ``step`` alone for comparison.
Turns per CPU-second is what one core sustains when the machine is not shared.

    .venv/bin/python bench/engine.py [--users 50] [--rounds 4] [--workers 2] [--db URL]

The conversations mix what veterans do: the 优待证 guide with 预登记 (a ticket),
生存认证 online and with a 上门 booking (a ticket), FAQ questions, a cancel. Users
are interleaved line by line, so every turn loads another conversation's state.
``--workers N`` runs N processes on the same database at once (as N server workers
would), each with its own users, and reports their combined turns per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.process.runtime import build_runtime  # noqa: E402
from bot.process.settings import Settings  # noqa: E402
from bot.shell.inbound import handle  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from intents.engine import step  # noqa: E402
from intents.state import ConversationState  # noqa: E402
from intents.turn import Inbound  # noqa: E402

SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("我要办优待证", "1", "已经建档了", "1", "和平村", "否", "好", "张三", "13812345678"),
    ("我要做生存认证", "1", "会用", "能出门", "1"),
    ("我要做生存认证", "2", "2", "2", "1", "西山乡", "石桥村", "石桥村5组8号", "13912345678", "2"),
    ("优待证照片有什么要求", "办优待证要交钱吗", "生存认证错过了会怎样", "抚恤金什么时候发"),
    ("我想申请优待证", "烈士遗属", "1", "南湖街道", "要带什么材料？", "湖滨社区", "2", "不用了"),
    ("你好", "1", "取消", "谢谢"),
)


def conversation_lines(users: int) -> list[tuple[str, str]]:
    """(user, text) pairs, users interleaved line by line."""
    scripts = {f"bench-{u}": SCRIPTS[u % len(SCRIPTS)] for u in range(users)}
    longest = max(len(s) for s in scripts.values())
    return [
        (user, lines[i])
        for i in range(longest)
        for user, lines in scripts.items()
        if i < len(lines)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_handle(
    url: str, users: int, rounds: int, worker: int = 0, ready: Any = None
) -> tuple[list[float], float]:
    """Per-turn wall times, and the CPU seconds the whole run used (this process)."""
    rt = build_runtime(Settings(database_url=url, secret_key="bench-secret-key-0123456789"))
    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    timings: list[float] = []
    if ready is not None:
        ready.wait()  # every worker starts together, after building its index
    cpu = time.process_time()
    for r in range(rounds):
        for user, text in conversation_lines(users):
            at += dt.timedelta(seconds=1)
            inbound = Inbound(channel="web", user_id=f"w{worker}-{user}-{r}", text=text, at=at)
            t0 = time.perf_counter()
            handle(rt, inbound)
            timings.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu
    rt.engine.dispose()
    return timings, cpu


def bench_step(url: str, users: int) -> list[float]:
    ctx = build_runtime(Settings(database_url=url, secret_key="bench-secret-key-0123456789")).ctx
    states: dict[str, ConversationState] = {}
    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    timings: list[float] = []
    for user, text in conversation_lines(users):
        at += dt.timedelta(seconds=1)
        t0 = time.perf_counter()
        turn = step(states.get(user, ConversationState()), Inbound("web", user, text, at=at), ctx)
        timings.append(time.perf_counter() - t0)
        states[user] = turn.state
    return timings


def _worker(url: str, users: int, rounds: int, n: int, ready: Any, out: Any) -> None:
    t0 = time.time()
    timings, _ = bench_handle(url, users, rounds, n, ready)
    out.put((t0, time.time(), timings))


def bench_workers(url: str, users: int, rounds: int, workers: int) -> tuple[list[float], float]:
    """Timings of all turns and the wall time from the common start to the last finish."""
    ctx = mp.get_context("fork")
    ready, out = ctx.Barrier(workers + 1), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, users, rounds, n, ready, out))
        for n in range(workers)
    ]
    for p in procs:
        p.start()
    ready.wait()
    start = time.time()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return [t for _, _, ts in results for t in ts], max(end for _, end, _ in results) - start


def report(
    name: str, timings: list[float], wall: float | None = None, cpu: float | None = None
) -> None:
    total = wall if wall is not None else sum(timings)
    per_cpu = f"  ({len(timings) / cpu:.0f} turns per CPU-second)" if cpu else ""
    print(
        f"{name:<28} turns={len(timings):>5}  {len(timings) / total:8.0f} turns/s  "
        f"p50={statistics.median(timings) * 1000:6.2f} ms  p99={percentile(timings, 0.99) * 1000:6.2f} ms  "
        f"max={max(timings) * 1000:6.2f} ms{per_cpu}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="processes for the combined run")
    parser.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        bench_step(url, args.users)  # warm up: jieba, index, regex caches
        report("step only (pure engine)", bench_step(url, args.users))
        timings, cpu = bench_handle(url, args.users, args.rounds)
        report("handle: step + DB save", timings, cpu=cpu)
        if args.workers > 1:
            timings, wall = bench_workers(url, args.users, args.rounds, args.workers)
            report(f"handle, {args.workers} processes", timings, wall)


if __name__ == "__main__":
    main()
