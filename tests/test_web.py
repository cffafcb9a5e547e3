"""HTTP entry points: /api/ask, /chat, /healthz — bad input never yields a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.process.runtime import Runtime


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as c:
        yield c


def test_healthz_checks_the_database(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["ok"] is True and body["kb_entries"] > 100


def test_api_ask_answers_with_the_cli_contract(client: TestClient) -> None:
    body = client.post("/api/ask", json={"q": "优待证照片有什么要求", "id": 7}).json()
    assert body["id"] == 7 and body["intent"] in ("faq", "card") and "352" in body["answer"]


@pytest.mark.parametrize(
    "payload",
    [b"", b"not json", b"[]", b'{"q": 5}', b'{"x": "y"}', b'{"q": "\\u0000"}', b"\xff\xfe"],
)
def test_api_ask_bad_bodies_get_a_clear_4xx_or_an_answer(
    client: TestClient, payload: bytes
) -> None:
    response = client.post(
        "/api/ask", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 400, 422)
    assert response.json()


def test_api_ask_body_over_16kb_is_413(client: TestClient) -> None:
    assert client.post("/api/ask", content=b"{" + b" " * 17_000 + b"}").status_code == 413


@pytest.mark.parametrize(
    "text", ["", "优" * 10_000, "<b>x</b>", "👍", "'; drop table x; --", "\x00"]
)
def test_web_chat_survives_odd_messages(client: TestClient, text: str) -> None:
    assert client.get("/chat").status_code == 200
    response = client.post("/chat/send", json={"text": text})
    assert response.status_code in (200, 413)
    if response.status_code == 200:
        assert response.json()["replies"]


def test_web_chat_remembers_the_conversation_by_cookie(client: TestClient) -> None:
    client.get("/chat")
    first = client.post("/chat/send", json={"text": "我想申请优待证"}).json()["replies"]
    assert first and first[-1]["options"], "the card flow asks a numbered question"
    again = client.post("/chat/send", json={"text": "取消"}).json()["replies"]
    assert "取消" in again[0]["text"]


def test_web_chat_without_cookie_is_told_to_reload(client: TestClient) -> None:
    client.cookies.clear()
    response = client.post("/chat/send", json={"text": "你好"})
    assert response.status_code == 400
