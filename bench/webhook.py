"""Throughput and latency of `POST /wechat` (AES safe mode, real engine, SQLite) at 50
concurrent clients, next to a bare wechatpy + Starlette decrypt-and-echo endpoint
measured in the same run, on the same machine.

    .venv/bin/python bench/webhook.py [--requests 3000] [--clients 50] [--common]

Each server runs in its own process (uvicorn); the load comes from this process
(asyncio streams, bodies encrypted and signed before the clock starts). Each client
sends messages one after another, as on a phone, playing a new veteran every five
messages. The questions are the eval sets' long tail (several hundred, most asked
once), or with --common six menu-like questions the engine's caches answer.
Targets: ratio (vetbot req/s ÷ bare req/s) ≥ 0.6, vetbot p99 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
APPID = "wxbench0000000001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PER_VETERAN = 5  # messages from one veteran before the client plays the next one
COMMON = [
    "优待证怎么办",
    "生存认证怎么做",
    "抚恤金什么时候发",
    "你好",
    "光荣牌怎么申请",
    "优待证丢了怎么办",
]


def varied_questions() -> list[str]:
    """Every question of the eval sets (several hundred, most asked once): the engine's
    caches of recent questions help little, as with a real long tail."""
    import json

    questions: list[str] = []
    for path in sorted((ROOT / "tests" / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["q"])
    return questions or COMMON


# -- the two servers ------------------------------------------------------------------


def serve_vetbot(port: int, db_path: str) -> None:
    import uvicorn

    from bot.app import create_app
    from bot.process.settings import Settings
    from db.migrate import upgrade

    url = f"sqlite:///{db_path}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        secret_key="bench-secret",
        wechat_token=TOKEN,
        wechat_appid=APPID,
        wechat_aes_key=AES_KEY,
    )
    uvicorn.run(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


def serve_bare(port: int) -> None:
    """The floor: verify, decrypt, parse, encrypt an echo — what any wechatpy app must do."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
    from wechatpy import parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.replies import TextReply
    from wechatpy.utils import check_signature

    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    async def wechat(request: Request) -> Response:
        q = request.query_params
        check_signature(TOKEN, q["signature"], q["timestamp"], q["nonce"])
        xml = crypto.decrypt_message(
            await request.body(), q["msg_signature"], q["timestamp"], q["nonce"]
        )
        msg = parse_message(xml)
        reply = TextReply(message=msg, content=getattr(msg, "content", ""))
        return Response(
            crypto.encrypt_message(reply.render(), q["nonce"], q["timestamp"]),
            media_type="application/xml",
        )

    async def healthz(_: Request) -> Response:
        return Response("ok")

    app = Starlette(routes=[Route("/wechat", wechat, methods=["POST"]), Route("/healthz", healthz)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the load ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    params: dict[str, str]
    body: bytes


def prepare(n: int, clients: int, questions: list[str] | None = None) -> list[list[Prepared]]:
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    questions = questions or COMMON
    per_client: list[list[Prepared]] = [[] for _ in range(clients)]
    run = uuid.uuid4().hex[:6]
    for i in range(n):
        c = i % clients
        xml = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-{run}-{c}-{i // (clients * PER_VETERAN)}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{questions[i % len(questions)]}]]></Content><MsgId>{run}{i}</MsgId></xml>"
        )
        ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        envelope = crypto.encrypt_message(xml, nonce, ts)
        msg_signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        signature = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
        params = {
            "signature": signature,
            "timestamp": ts,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": msg_signature,
        }
        per_client[c].append(Prepared(params, envelope.encode()))
    return per_client


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000


async def load(name: str, url: str, work: list[list[Prepared]]) -> Result:
    """Each client keeps one HTTP/1.1 keep-alive connection (a minimal client on asyncio
    streams: httpx's pool, not the servers, was the bottleneck at 50 connections)."""
    latencies: list[float] = []
    errors = 0
    host, port = url.removeprefix("http://").split(":")

    async def one_client(items: list[Prepared]) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for item in items:
                start = time.perf_counter()
                status, body = await _post(reader, writer, host, item)
                latencies.append(time.perf_counter() - start)
                if status != 200 or (body != b"success" and b"<Encrypt>" not in body):
                    errors += 1  # "success": no passive reply (e.g. a human has taken over)
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(one_client(items) for items in work))
    seconds = time.perf_counter() - start
    return Result(name, sum(len(w) for w in work), seconds, latencies, errors)


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, item: Prepared
) -> tuple[int, bytes]:
    query = urlencode(item.params)
    head = (
        f"POST /wechat?{query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(item.body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    writer.write(head.encode() + item.body)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return int(status_line.split()[1]), body


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(
    name: str, target: mp.Process, url: str, n: int, clients: int, questions: list[str]
) -> Result:
    target.start()
    try:
        wait_ready(url)
        warm = prepare(clients * 4, clients, COMMON)  # DB pages, connections (not the tail)
        asyncio.run(load(name, url, warm))
        return asyncio.run(load(name, url, prepare(n, clients, questions)))
    finally:
        target.terminate()
        target.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--common",
        action="store_true",
        help="only six common questions (menu-like traffic) instead of the eval sets' long tail",
    )
    args = parser.parse_args()
    questions = COMMON if args.common else varied_questions()
    print(
        f"{len(set(questions))} distinct questions, {args.requests} requests, {args.clients} clients"
    )
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        p1, p2 = free_port(), free_port()
        bare = measure(
            "bare wechatpy+Starlette echo",
            ctx.Process(target=serve_bare, args=(p2,)),
            f"http://127.0.0.1:{p2}",
            args.requests,
            args.clients,
            questions,
        )
        real = measure(
            "vetbot /wechat (engine+SQLite)",
            ctx.Process(target=serve_vetbot, args=(p1, str(Path(tmp) / "bench.db"))),
            f"http://127.0.0.1:{p1}",
            args.requests,
            args.clients,
            questions,
        )
    print(f"{'endpoint':34} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for r in (bare, real):
        print(
            f"{r.name:34} {r.requests:8d} {r.errors:6d} {r.rps:8.1f} {r.pct(0.50):8.1f} {r.pct(0.99):8.1f}"
        )
    ratio = real.rps / bare.rps
    print(
        f"ratio vetbot/bare: {ratio:.2f} (target >= 0.6) {'OK' if ratio >= 0.6 else 'BELOW TARGET'}"
    )
    print(
        f"vetbot p99: {real.pct(0.99):.0f} ms (target <= 300 ms) {'OK' if real.pct(0.99) <= 300 else 'ABOVE TARGET'}"
    )
    mean = statistics.mean(real.latencies) * 1000
    bound = args.clients / real.rps * 1000  # Little's law for a closed loop of N clients
    print(
        f"(clients={args.clients}; vetbot mean {mean:.0f} ms; closed-loop bound N/throughput {bound:.0f} ms)"
    )


if __name__ == "__main__":
    main()
