"""Staff console over HTTP (Starlette TestClient), on SQLite and PostgreSQL: access control,
CSRF, lockout, ticket actions, handoff both ways, consultation, dashboard and CSV."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.app import create_app
from bot.process.runtime import Runtime
from bot.shell.effects import EffectContext, apply_all
from bot.shell.inbound import handle, read_state
from db import conversations, staff
from db.models import AuditLog, Conversation, OutboxMessage, Ticket, TicketEvent
from db.session import transaction
from intents.turn import Inbound, OpenTicket

PASSWORD = "correct-horse-1"
PHONE = "13812345678"


def add_staff(rt: Runtime, username: str, role: str, region: str, name: str = "") -> None:
    with transaction(rt.sessions) as s:
        staff.create(s, username, PASSWORD, role, region, name or username)


def open_ticket(
    rt: Runtime,
    user_id: str,
    kind: str = "petition",
    region: str = "990101001",
    channel: str = "web",
    handoff: bool = False,
    phone: str = PHONE,
) -> str:
    """A ticket as the bot opens it (same effects path), for a veteran on ``channel``.
    (The intake merges a second open petition of the same person: vary ``phone`` for another.)"""
    with transaction(rt.sessions) as s:
        conv = conversations.get_or_create(s, channel, user_id)
        ec = EffectContext(
            session=s,
            ctx=rt.ctx,
            vault=rt.vault,
            conversation=conv,
            today=rt.clock.today(),
            channel=channel,
        )
        effect = OpenTicket(
            kind,
            region,
            "拖欠抚恤金三个月未发",
            category="抚恤",
            pii={
                "name": "张三丰",
                "phone": phone,
                "id_number": "11010119900307803X" if phone == PHONE else "",
            },
            handoff=handoff,
        )
        applied = apply_all(ec, (effect,))
        number = applied.tickets[0].number
        if handoff:
            from bot.shell.inbound import write_state

            write_state(
                conv,
                read_state(conv, rt.vault).model_copy(update={"handoff_ticket": number}),
                rt.vault,
            )
        return number


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf[-_]token" (?:value|content)="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


class Browser:
    """A logged-in staff member's HTTP session."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD) -> Any:
        token = csrf_of(self.client.get("/staff/login").text)
        response = self.client.post(
            "/staff/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        if response.status_code == 303:
            self.csrf = csrf_of(self.client.get("/staff/").text)
        return response

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, **data: str) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf, **data}, follow_redirects=False)


@pytest.fixture
def app(runtime: Runtime) -> Any:
    add_staff(runtime, "dong", "staff", "990101", "东城小王")
    add_staff(runtime, "xishan", "staff", "990102", "西山小赵")
    add_staff(runtime, "county", "supervisor", "990100", "县局老李")
    add_staff(runtime, "chief", "leader", "990100", "王局长")
    return create_app(runtime=runtime)


def browser(app: Any, username: str | None = None) -> Browser:
    b = Browser(TestClient(app))
    if username:
        assert b.login(username).status_code == 303
    return b


def ticket(rt: Runtime, number: str) -> Ticket:
    with rt.sessions() as s:
        row = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        s.expunge(row)
        return row


def events(rt: Runtime, number: str) -> list[str]:
    with rt.sessions() as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        return list(
            s.scalars(
                select(TicketEvent.action)
                .where(TicketEvent.ticket_id == t.id)
                .order_by(TicketEvent.id)
            )
        )


def outbox(rt: Runtime, recipient: str) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id)
            )
        )


# -- accounts and access -------------------------------------------------------


def test_login_sets_httponly_strict_cookies_and_wrong_password_is_refused(app: Any) -> None:
    b = browser(app)
    assert b.login("dong", "wrong-password").status_code == 401
    response = b.login("dong")
    cookie = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith("vetbot_staff="))
    assert (
        "HttpOnly" in session_cookie
        and "SameSite=strict" in session_cookie
        and "Path=/staff" in session_cookie
    )
    page = b.get("/staff/")
    assert "东城小王" in page.text
    assert (
        page.headers["x-frame-options"] == "DENY"
        and "default-src 'self'" in page.headers["content-security-policy"]
    )


def test_pages_need_login(app: Any) -> None:
    response = browser(app).client.get("/staff/queue/unit", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/login")


def test_brute_force_locks_the_account(app: Any, runtime: Runtime) -> None:
    b = browser(app)
    for _ in range(staff.MAX_FAILURES):
        b.login("dong", "guess-guess")
    locked = b.login("dong")  # the right password, but too late
    assert locked.status_code == 401 and "锁定" in locked.text
    with runtime.sessions() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == "login_failed")
            )
            == staff.MAX_FAILURES
        )


def test_post_without_or_with_a_forged_csrf_token_is_403(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-csrf")
    b = browser(app, "dong")
    assert b.client.post(f"/staff/tickets/{number}/claim", data={}).status_code == 403
    assert (
        b.client.post(f"/staff/tickets/{number}/claim", data={"csrf_token": "forged"}).status_code
        == 403
    )
    assert (
        b.client.post("/staff/login", data={"username": "dong", "password": PASSWORD}).status_code
        == 403
    )
    assert ticket(runtime, number).owner_id is None
    assert b.post(f"/staff/tickets/{number}/claim").status_code == 303


def test_town_user_cannot_open_another_towns_ticket(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-rbac", region="990101001")  # 东城镇
    xishan = browser(app, "xishan")  # outside their area: 404, as for a number that does not exist
    assert xishan.get(f"/staff/tickets/{number}").status_code == 404
    assert xishan.post(f"/staff/tickets/{number}/claim").status_code == 404
    assert xishan.get(f"/staff/tickets/{number}/messages").status_code == 404
    assert number not in xishan.get("/staff/queue/unit").text
    assert browser(app, "dong").get(f"/staff/tickets/{number}").status_code == 200
    assert (
        browser(app, "county").get(f"/staff/tickets/{number}").status_code == 200
    )  # the county sees its towns


def test_staff_role_cannot_curate_or_see_the_dashboard(app: Any) -> None:
    b = browser(app, "dong")
    assert b.get("/staff/kb").status_code == 403
    assert b.get("/staff/dashboard").status_code == 403
    assert b.post("/staff/kb/attach", entry_id="card.fee", texts="x").status_code == 403


def test_password_change_ends_other_sessions(app: Any) -> None:
    first, second = browser(app, "dong"), browser(app, "dong")
    r = first.post("/staff/password", old=PASSWORD, new="another-pass-2", again="another-pass-2")
    assert r.status_code == 303
    assert first.get("/staff/").status_code == 200  # the changer stays logged in
    assert (
        second.client.get("/staff/", follow_redirects=False).status_code == 303
    )  # the old session is gone


# -- queues ----------------------------------------------------------------------


def test_queue_lists_crisis_first_and_finds_by_phone(app: Any, runtime: Runtime) -> None:
    petition = open_ticket(runtime, "w-q1")
    crisis = open_ticket(runtime, "w-q2", kind="crisis", region="990101001", phone="13900002222")
    county = browser(app, "county")
    page = county.get("/staff/queue/unit").text
    assert page.index(crisis) < page.index(petition)
    assert "138****5678" in page and PHONE not in page
    found = county.get(f"/staff/queue/unit?q={PHONE}").text
    assert petition in found
    assert petition not in county.get("/staff/queue/unit?q=13900000000").text
    assert "剩 " in page  # time left is shown


# -- the ticket page -----------------------------------------------------------


def test_claim_reply_transfer_escalate_resolve_and_satisfaction(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-flow")
    dong = browser(app, "dong")
    assert (
        dong.post(f"/staff/tickets/{number}/reply", text="您好").status_code == 422
    )  # 首问负责: claim first
    assert dong.post(f"/staff/tickets/{number}/claim").status_code == 303
    assert (
        dong.post(
            f"/staff/tickets/{number}/reply", text="您好，材料已收到，我们正在核实。"
        ).status_code
        == 303
    )
    assert any("材料已收到" in o.text for o in outbox(runtime, "w-flow"))
    # the human owns the conversation: the veteran's next message goes to the ticket, not the bot
    handled = handle(
        runtime, Inbound("web", "w-flow", "好的，谢谢，我什么时候能拿到？", runtime.clock.now())
    )
    assert "优待证" not in handled.text()
    poll = dong.get(f"/staff/tickets/{number}/messages?after=0").json()
    assert any("什么时候能拿到" in m["text"] for m in poll["messages"])
    # the web chat shows the staff reply
    chat = TestClient(app)
    chat.get("/chat")
    # transfer needs a reason
    assert (
        dong.post(f"/staff/tickets/{number}/transfer", unit="990103", reason="").status_code == 422
    )
    assert (
        dong.post(
            f"/staff/tickets/{number}/transfer", unit="990101", person="", reason="本镇专人办理"
        ).status_code
        == 303
    )
    assert dong.post(f"/staff/tickets/{number}/claim").status_code == 303
    assert dong.post(f"/staff/tickets/{number}/escalate", reason="涉及县级资金").status_code == 303
    assert ticket(runtime, number).queue == "990100"
    county = browser(app, "county")
    log = county.get(f"/staff/tickets/{number}").text.split("办理记录")[-1]
    assert "东城小王" in log and "示例县东城镇" in log, "the log names people and units, not ids"
    assert county.post(f"/staff/tickets/{number}/leader", leader="chief").status_code == 303
    assert number in browser(app, "chief").get("/staff/queue/baoan").text
    early = county.post(f"/staff/tickets/{number}/resolve", text="已协调补发")
    assert early.status_code == 422 and "先作出受理决定" in early.text
    assert (
        county.post(f"/staff/tickets/{number}/accept", notice="您反映的事项已受理。").status_code
        == 303
    )
    assert county.post(f"/staff/tickets/{number}/resolve", text="已协调补发").status_code == 303
    question = outbox(runtime, "w-flow")[-1]
    assert "评价" in question.text and "满意" in question.options_json
    answered = handle(runtime, Inbound("web", "w-flow", "1", runtime.clock.now()))
    assert "感谢" in answered.text()
    assert ticket(runtime, number).satisfaction == "满意"
    assert events(runtime, number)[:4] == ["created", "claim", "reply", "message"]
    assert {"transfer", "escalate", "leader", "status", "satisfaction"} <= set(
        events(runtime, number)
    )
    assert ticket(runtime, number).status == "replied"


def test_release_returns_the_conversation_to_the_bot(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-release", kind="consultation", handoff=True)
    dong = browser(app, "dong")
    dong.post(f"/staff/tickets/{number}/claim")
    assert "交还机器人" in dong.get(f"/staff/tickets/{number}").text
    assert dong.post(f"/staff/tickets/{number}/release").status_code == 303
    answer = handle(runtime, Inbound("web", "w-release", "优待证丢了怎么补办", runtime.clock.now()))
    assert "依据" in answer.text() and "转给工作人员" not in answer.text()  # the bot answers again
    assert "release" in events(runtime, number)
    assert events(runtime, number).count("message") == 0


def test_petition_acceptance_and_one_extension(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-ext")
    dong, county = browser(app, "dong"), browser(app, "county")
    dong.post(f"/staff/tickets/{number}/claim")
    assert dong.post(f"/staff/tickets/{number}/accept", notice="").status_code == 422
    assert (
        dong.post(f"/staff/tickets/{number}/accept", notice="您反映的事项已受理。").status_code
        == 303
    )
    accepted = ticket(runtime, number)
    assert (
        accepted.status == "accepted"
        and accepted.due_on is not None
        and accepted.due_on >= runtime.clock.today() + dt.timedelta(days=60)
    )
    assert "已受理" in outbox(runtime, "w-ext")[-1].text
    assert (
        dong.post(f"/staff/tickets/{number}/extend", days="30", reason="情况复杂").status_code
        == 422
    )  # the head approves
    assert (
        county.post(f"/staff/tickets/{number}/extend", days="31", reason="情况复杂").status_code
        == 422
    )
    assert (
        county.post(f"/staff/tickets/{number}/extend", days="30", reason="需多部门核实").status_code
        == 303
    )
    assert ticket(runtime, number).due_on == accepted.due_on + dt.timedelta(days=30)
    again = county.post(f"/staff/tickets/{number}/extend", days="5", reason="再延")
    assert again.status_code == 422 and "已延期过一次" in again.text


def test_pii_is_masked_until_revealed_and_the_reveal_is_logged(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-pii")
    dong = browser(app, "dong")
    page = dong.get(f"/staff/tickets/{number}").text
    assert "138****5678" in page and PHONE not in page and "张*丰" in page
    assert dong.post(f"/staff/tickets/{number}/reveal").status_code == 403  # not the owner yet
    dong.post(f"/staff/tickets/{number}/claim")
    shown = dong.post(f"/staff/tickets/{number}/reveal")
    assert shown.status_code == 200 and PHONE in shown.text and "11010119900307803X" in shown.text
    with runtime.sessions() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "pii_reveal", AuditLog.target == number)
            )
            == 1
        )


def test_web_chat_poll_delivers_staff_replies(app: Any, runtime: Runtime) -> None:
    chat = TestClient(app)
    chat.get("/chat")
    chat.post("/chat/send", json={"text": "转人工"})
    cursor = chat.get("/chat/poll").json()["after"]
    with runtime.sessions() as s:
        number = s.scalars(select(Ticket.number).order_by(Ticket.id.desc())).first()
    assert number is not None
    dong = browser(app, "county")
    dong.post(f"/staff/tickets/{number}/claim")
    dong.post(f"/staff/tickets/{number}/reply", text="我是县局老李，请讲。")
    lines = chat.get(f"/chat/poll?after={cursor}").json()["messages"]
    assert lines and lines[0]["text"].startswith("我是县局老李，请讲。")
    chat.post("/chat/send", json={"text": "我的抚恤金没到账"})
    poll = dong.get(f"/staff/tickets/{number}/messages?after=0").json()["messages"]
    assert poll[-1]["text"] == "我的抚恤金没到账" and poll[-1]["direction"] == "in"


def test_veteran_ends_the_human_session(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-end", kind="consultation", handoff=True)
    handle(runtime, Inbound("web", "w-end", "结束人工", runtime.clock.now()))
    assert "end_handoff" in events(runtime, number)
    with runtime.sessions() as s:
        conv = s.scalars(select(Conversation).where(Conversation.user_id == "w-end")).one()
        assert read_state(conv, runtime.vault).handoff_ticket is None
    page = browser(app, "dong").get(f"/staff/tickets/{number}").text
    assert "人工服务中" not in page


# -- consultation aid, dashboard -------------------------------------------------


def test_consultation_aid_answers_with_sources_and_records_a_ticket(
    app: Any, runtime: Runtime
) -> None:
    dong = browser(app, "dong")
    page = dong.get("/staff/consult?q=优待证丢了怎么补办").text
    assert "依据：" in page and "优待证" in page
    entry_id = re.search(r'name="entry_id" value="([^"]+)"', page)
    assert entry_id
    r = dong.post(
        "/staff/consult/record",
        q="优待证丢了怎么补办",
        entry_id=entry_id.group(1),
        answered="1",
        how="来电",
    )
    assert r.status_code == 303
    number = r.headers["location"].split("/")[-1].split("?")[0]
    made = ticket(runtime, number)
    assert made.kind == "consultation" and made.status == "replied" and made.queue == "990101"


def test_dashboard_charts_and_csv_export_without_pii(app: Any, runtime: Runtime) -> None:
    open_ticket(runtime, "w-d1")
    open_ticket(runtime, "w-d2", kind="home_visit", region="990102001", phone="13900001111")
    county = browser(app, "county")
    page = county.get("/staff/dashboard").text
    assert page.count("<svg") >= 5 and "信访" in page and "上门服务" in page
    csv = county.get("/staff/reports/tickets.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("\ufeff编号")
    assert (
        len(csv.text.strip().splitlines()) == 3
        and PHONE not in csv.text
        and "张三丰" not in csv.text
    )
    summary = county.get("/staff/reports/summary.csv").text
    assert "工单总数,,2" in summary


def veteran_asks(rt: Runtime, user_id: str, region: str | None, *texts: str) -> None:
    """A web chat veteran whose region is known (as after a flow) or not, asking ``texts``."""
    from bot.shell.inbound import write_state

    with transaction(rt.sessions) as s:
        conv = conversations.get_or_create(s, "web", user_id)
        if region:
            state = read_state(conv, rt.vault).model_copy(update={"region": region})
            write_state(conv, state, rt.vault)
    for text in texts:
        handle(rt, Inbound("web", user_id, text, rt.clock.now()))


def test_dashboard_questions_are_those_of_the_users_region(app: Any, runtime: Runtime) -> None:
    add_staff(runtime, "dongsup", "supervisor", "990101", "东城站长")
    veteran_asks(runtime, "w-east", "990101001", "优待证丢了怎么补办", "？？", "阿巴阿巴咕噜咕噜")
    veteran_asks(runtime, "w-west", "990102001", "生存认证每年什么时候做", "阿巴阿巴咕噜咕噜")
    veteran_asks(
        runtime, "w-unknown", None, "伤残抚恤金什么时候发"
    )  # counts at the default (county)
    town = browser(app, "dongsup").get("/staff/dashboard").text
    assert "优待证丢了怎么补办" in town and "（1/3）" in town  # "？？" got the menu: not a question
    assert "生存认证每年什么时候做" not in town and "伤残抚恤金什么时候发" not in town
    summary = browser(app, "dongsup").get("/staff/reports/summary.csv").text
    assert "常见问题,优待证丢了怎么补办,1" in summary and "群众来信（条）,,3" in summary
    assert "生存认证" not in summary
    county = browser(app, "county").get("/staff/dashboard").text
    assert all(
        q in county
        for q in ("优待证丢了怎么补办", "生存认证每年什么时候做", "伤残抚恤金什么时候发")
    )
    assert "（2/6）" in county
