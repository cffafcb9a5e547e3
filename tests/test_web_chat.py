"""The web chat as a veteran meets it again: the conversation on reload (staff replies
included, with who sent them), old option buttons, and public numbers left readable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient
from test_console import app, browser  # noqa: F401 (the console app with staff accounts)

from bot.process.runtime import Runtime
from bot.web.chat import STALE
from db.crypto import public_numbers, redact
from db.models import Message, Ticket


def _latest_ticket(runtime: Runtime) -> str:
    with runtime.sessions() as s:
        number = s.scalars(select(Ticket.number).order_by(Ticket.id.desc())).first()
    assert number is not None
    return number


def test_reopened_chat_shows_the_conversation_and_a_reply_sent_while_closed(
    app: Any,  # noqa: F811
    runtime: Runtime,
) -> None:
    chat = TestClient(app)
    chat.get("/chat")
    chat.post("/chat/send", json={"text": "转人工"})
    number = _latest_ticket(runtime)
    county = browser(app, "county")
    county.post(f"/staff/tickets/{number}/claim")
    county.post(f"/staff/tickets/{number}/reply", text="我是县局老李，请讲。")  # page closed

    history = chat.get("/chat/poll").json()  # the page opens again
    lines = history["messages"]
    assert [m["who"] for m in lines][:2] == ["me", "bot"]
    assert lines[0]["text"] == "转人工"
    staff = [m for m in lines if m["who"] == "staff"]
    assert staff and staff[0]["text"].startswith("我是县局老李，请讲。")
    assert staff[0]["from"] == "工作人员 县局老李（示例县）"
    assert history["human"] is True  # 人工服务中
    assert history["after"] == lines[-1]["id"]
    assert chat.get(f"/chat/poll?after={history['after']}").json()["messages"] == []


def test_an_old_option_button_is_answered_that_the_question_has_ended(
    app: Any,  # noqa: F811
    runtime: Runtime,
) -> None:
    chat = TestClient(app)
    chat.get("/chat")
    first = chat.post("/chat/send", json={"text": "我想申请优待证"}).json()["replies"]
    offered = next(r for r in first if r["options"])
    assert isinstance(offered["id"], int)  # options are tied to the message that offered them
    chat.post("/chat/send", json={"text": "取消"})
    chat.post("/chat/send", json={"text": "生存认证"})
    before = _count(runtime)
    stale = chat.post(
        "/chat/send", json={"text": offered["options"][1], "offered": offered["id"]}
    ).json()
    assert stale["replies"][0]["text"] == STALE
    assert _count(runtime) == before  # nothing was started or stored

    current = chat.post("/chat/send", json={"text": "取消"}).json()["replies"]
    menu = chat.post("/chat/send", json={"text": "我想申请优待证"}).json()["replies"]
    live = next(r for r in menu if r["options"])
    assert chat.get("/chat/poll").json()["offer"] == live["id"]
    chosen = chat.post(
        "/chat/send", json={"text": live["options"][0], "offered": live["id"]}
    ).json()["replies"]
    assert chosen[0]["text"] != STALE and current
    with runtime.sessions() as s:  # the bubble (and the log) show the label, not a digit
        texts = list(s.scalars(select(Message.text).where(Message.direction == "in")))
    assert live["options"][0] in texts and "1" not in texts


def _count(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return len(list(s.scalars(select(Message.id))))


def test_published_station_numbers_stay_readable_and_typed_ones_are_masked(
    runtime: Runtime,
) -> None:
    public = public_numbers(runtime.ctx.regions.published_texts())
    assert "00000000101" in public
    text = "请拨打东城镇服务站 0000-0000101，或您留的 13812345678、0731-88886666"
    assert redact(text, public) == (
        "请拨打东城镇服务站 0000-0000101，或您留的 138****5678、073******6666"
    )


def test_a_staff_reply_with_the_station_number_reaches_the_web_chat_unmasked(
    app: Any,  # noqa: F811
    runtime: Runtime,
) -> None:
    chat = TestClient(app)
    chat.get("/chat")
    chat.post("/chat/send", json={"text": "转人工"})
    cursor = chat.get("/chat/poll").json()["after"]
    number = _latest_ticket(runtime)
    county = browser(app, "county")
    county.post(f"/staff/tickets/{number}/claim")
    county.post(
        f"/staff/tickets/{number}/reply", text="请打东城镇服务站 0000-0000101，或 13912345678"
    )
    line = chat.get(f"/chat/poll?after={cursor}").json()["messages"][0]["text"]
    assert "0000-0000101" in line and "139****5678" in line


def test_resolving_sends_the_result_before_the_satisfaction_question(
    app: Any,  # noqa: F811
    runtime: Runtime,
) -> None:
    chat = TestClient(app)
    chat.get("/chat")
    chat.post("/chat/send", json={"text": "转人工"})
    cursor = chat.get("/chat/poll").json()["after"]
    number = _latest_ticket(runtime)
    county = browser(app, "county")
    county.post(f"/staff/tickets/{number}/claim")
    county.post(f"/staff/tickets/{number}/resolve", text="已核实，本月20日前补发到账。")
    lines = chat.get(f"/chat/poll?after={cursor}").json()["messages"]
    texts = [m["text"] for m in lines]
    assert "办理结果" in texts[0] and "本月20日前补发到账" in texts[0]
    assert "评价" in texts[1] and lines[1]["options"] == ["满意", "基本满意", "不满意"]
    assert {m["from"] for m in lines} == {"服务通知"}  # sent by the system, not as 工作人员


def test_the_ticket_page_tells_staff_when_the_web_user_is_not_on_the_page(
    app: Any,  # noqa: F811
    runtime: Runtime,
) -> None:
    from bot.shell.inbound import handle
    from intents.turn import Inbound

    handle(runtime, Inbound("web", "w-away", "转人工", runtime.clock.now()))  # page since closed
    number = _latest_ticket(runtime)
    county = browser(app, "county")
    county.post(f"/staff/tickets/{number}/claim")
    page = county.get(f"/staff/tickets/{number}").text
    assert "群众现在不在网页聊天页面上" in page

    chat = TestClient(app)
    chat.get("/chat")
    chat.post("/chat/send", json={"text": "转人工"})
    chat.get("/chat/poll")  # this page is open and polling
    number = _latest_ticket(runtime)
    county.post(f"/staff/tickets/{number}/claim")
    assert "群众现在不在网页聊天页面上" not in county.get(f"/staff/tickets/{number}").text
