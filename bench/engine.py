"""Dialogue throughput: turns per second of ``bot.shell.handle`` (load state → ``step``
→ apply effects → save state and messages, one transaction per turn) on SQLite with
the real KB, plus p50/p99 per turn; and the pure ``step`` alone for comparison.

    .venv/bin/python bench/engine.py [--users 50] [--rounds 4] [--db sqlite:////tmp/x.db]

The conversations mix what veterans do: the 优待证 guide with 预登记 (a ticket),
生存认证 online and with a 上门 booking (a ticket), FAQ questions, a cancel. Users
are interleaved line by line, so every turn loads another conversation's state.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime import build_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.shell import handle  # noqa: E402
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
    return [(user, lines[i]) for i in range(longest) for user, lines in scripts.items() if i < len(lines)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_handle(url: str, users: int, rounds: int) -> list[float]:
    rt = build_runtime(Settings(database_url=url, secret_key="bench-secret-key-0123456789"))
    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    timings: list[float] = []
    for r in range(rounds):
        for user, text in conversation_lines(users):
            at += dt.timedelta(seconds=1)
            inbound = Inbound(channel="web", user_id=f"{user}-{r}", text=text, at=at)
            t0 = time.perf_counter()
            handle(rt, inbound)
            timings.append(time.perf_counter() - t0)
    rt.engine.dispose()
    return timings


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


def report(name: str, timings: list[float]) -> None:
    total = sum(timings)
    print(
        f"{name:<28} turns={len(timings):>5}  {len(timings) / total:8.0f} turns/s  "
        f"p50={statistics.median(timings) * 1000:6.2f} ms  p99={percentile(timings, 0.99) * 1000:6.2f} ms  "
        f"max={max(timings) * 1000:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        bench_step(url, args.users)  # warm up: jieba, index, regex caches
        report("step only (pure engine)", bench_step(url, args.users))
        report("handle: step + DB save", bench_handle(url, args.users, args.rounds))


if __name__ == "__main__":
    main()
