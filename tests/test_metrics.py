"""/metrics (Prometheus, vetbot_ prefix, multiprocess mode) and structured JSON logs with a
request id and nothing personal or secret in them."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot.app import create_app
from bot.process.logs import JsonFormatter, clean, request_id
from bot.process.metrics import Metrics
from bot.process.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(found: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_messages_latency_confidence_abstentions_and_what_waits(
    runtime: Runtime,
) -> None:
    with TestClient(create_app(runtime=runtime)) as client:
        client.get("/chat")
        client.post("/chat/send", json={"text": "优待证怎么办"})
        client.post("/chat/send", json={"text": "火星上的量子纠缠补贴怎么领"})
        client.post("/chat/send", json={"text": "转人工"})
        res = client.get("/metrics")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    found = samples(res.text)
    assert value(found, "vetbot_messages_in_total", channel="web", intent="faq") == 1
    assert value(found, "vetbot_messages_in_total", channel="web", intent="handoff") == 1
    assert value(found, "vetbot_abstained_total", channel="web") >= 1
    assert value(found, "vetbot_engine_seconds_count", channel="web") == 3
    assert value(found, "vetbot_retrieval_confidence_count") >= 2
    assert value(found, "vetbot_inbox_received_total", channel="web") == 3
    assert value(found, "vetbot_db_up") == 1
    assert value(found, "vetbot_inbox_pending") == 0
    assert sum(v for (n, _), v in found.items() if n == "vetbot_tickets_open") == 1
    assert ("vetbot_outbox_lag_seconds", ()) in found
    assert all(name.startswith("vetbot_") for name, _ in found)


def test_metrics_live_in_the_runtime_and_nothing_is_registered_at_import() -> None:
    import bot.app  # noqa: F401 — everything imported, nothing registered globally

    assert not [n for n in REGISTRY._names_to_collectors if n.startswith("vetbot_")]
    a, b = Metrics(), Metrics()
    a.rate_limited.labels(channel="wechat").inc()  # what a rate limiter calls
    a.lockouts.inc()
    assert (
        value(samples(a.exposition().decode()), "vetbot_rate_limited_total", channel="wechat") == 1
    )
    assert (
        value(samples(b.exposition().decode()), "vetbot_rate_limited_total", channel="wechat") == 0
    )


def test_several_worker_processes_are_summed_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = (
        "from bot.process.metrics import Metrics\n"
        "m = Metrics()\n"
        "m.messages_in.labels('wechat', 'faq').inc(3)\n"
        "m.engine_seconds.labels('wechat').observe(0.01)\n"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, cwd=ROOT, check=True)
    scrape = "from bot.process.metrics import Metrics\nprint(Metrics().exposition().decode())"
    out = subprocess.run(
        [sys.executable, "-c", scrape],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = samples(out)
    assert value(found, "vetbot_messages_in_total", channel="wechat", intent="faq") == 6
    assert value(found, "vetbot_engine_seconds_count", channel="wechat") == 2


# -- logs ----------------------------------------------------------------------------------


def test_log_lines_are_json_with_the_request_id_and_no_personal_data_or_secrets() -> None:
    record = logging.LogRecord(
        "bot.x",
        logging.WARNING,
        __file__,
        1,
        "GET https://api.weixin.qq.com/cgi-bin/token?grant_type=x&appid=wx1&secret=%s "
        "for 11010519491231002X at 13912345678 via https://api.telegram.org/bot123456:ABC-def/send",
        ("s3cr3t",),
        None,
    )
    token = request_id.set("req-12345678")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["level"] == "warning" and line["request_id"] == "req-12345678"
    for secret in ("s3cr3t", "11010519491231002X", "13912345678", "ABC-def"):
        assert secret not in line["msg"]
    assert clean("?signature=abc&timestamp=1&nonce=n&openid=o") == (
        "?signature=***&timestamp=***&nonce=***&openid=***"
    )


def test_each_request_is_logged_once_with_its_query_string_cleaned_under_its_request_id(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(runtime=runtime)) as client, caplog.at_level(logging.INFO):
        res = client.get("/chat?q=11010519491231002X", headers={"X-Request-ID": "from-nginx-0001"})
        made_up = client.get("/chat")
    assert res.headers["x-request-id"] == "from-nginx-0001"
    assert len(made_up.headers["x-request-id"]) == 16
    access = [r for r in caplog.records if r.name == "vetbot.access"]
    assert [(r.path, r.status) for r in access] == [("/chat?q=…", 200), ("/chat", 200)]  # type: ignore[attr-defined]
    assert not [
        r for r in access if "1101" in r.getMessage()
    ]  # (httpx's own line is held at WARNING)
