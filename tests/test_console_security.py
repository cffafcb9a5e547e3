"""The console cannot be bypassed (issue 13 §3), on SQLite and PostgreSQL: an atomic login
limit, per-address throttling, no account enumeration, admins unlock, sessions that end on
the server, Secure cookies behind a TLS proxy, CSRF bound to the session, security headers
on every response, one 404 for "not yours" and "no such ticket", and `vetbot serve`
refusing an unmigrated database or the public secret."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fakes import serve_app
from fakes.setup import with_settings
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient
from test_console import PASSWORD, add_staff, csrf_of, open_ticket
from typer.testing import CliRunner

from bot.app import create_app
from bot.cli import app as cli
from bot.process.runtime import Runtime
from bot.process.settings import DEV_SECRET
from db import staff
from db.models import AuditLog
from db.session import normalize_url

LOCKED = "锁定"


def error(response: Any) -> str:
    """The login page's error line ("" when there is none)."""
    m = re.search(r'class="error"[^>]*>([^<]+)<', response.text)
    return m.group(1) if m else ""


def app_for(rt: Runtime, **settings: Any) -> Any:
    return create_app(runtime=with_settings(rt, **settings) if settings else rt)


@pytest.fixture
def people(runtime: Runtime) -> Runtime:
    add_staff(runtime, "dong", "staff", "990101", "东城小王")
    add_staff(runtime, "xishan", "staff", "990102", "西山小赵")
    add_staff(runtime, "boss", "admin", "990100", "县局管理员")
    return runtime


def login(
    client: TestClient, username: str, password: str = PASSWORD, via: str | None = None
) -> Any:
    """One login through the form; ``via``: the client address a trusted proxy reports."""
    headers = {"X-Forwarded-For": via} if via else {}
    token = csrf_of(client.get("/staff/login", headers=headers).text)
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


def audits(rt: Runtime, action: str, target: str) -> int:
    with rt.sessions() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == action, AuditLog.target == target)
            )
            or 0
        )


# -- the login limit -------------------------------------------------------------


async def _parallel_logins(base: str, username: str, n: int) -> list[int]:
    async def one(i: int) -> int:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            page = await c.get("/staff/login")
            r = await c.post(
                "/staff/login",
                data={
                    "csrf_token": csrf_of(page.text),
                    "username": username,
                    "password": f"parallel-guess-{i}",
                },
            )
            return r.status_code

    return list(await asyncio.gather(*(one(i) for i in range(n))))


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(people: Runtime) -> None:
    """PostgreSQL lost updates let 30 of 30 parallel guesses through (75 before the lock)."""
    with serve_app(create_app(runtime=people)) as base:
        codes = asyncio.run(_parallel_logins(base, "dong", 30))
        assert codes == [401] * 30
        assert audits(people, "login_failed", "dong") <= staff.MAX_FAILURES
        with httpx.Client(base_url=base) as c:  # the right password, but the name is locked
            page = c.get("/staff/login")
            r = c.post(
                "/staff/login",
                data={"csrf_token": csrf_of(page.text), "username": "dong", "password": PASSWORD},
            )
            assert r.status_code == 401 and LOCKED in error(r)


def test_one_address_cannot_spray_many_names(people: Runtime) -> None:
    """40 wrong passwords from one address, 4 on each of 10 names (under the per-name
    limit), were all checked: the address is throttled after IP_MAX_FAILURES."""
    app = app_for(people, forwarded_allow_ips="testclient")
    names = ["dong", "xishan", "boss", "admin", "root", "test", "nobody1", "nobody2", "a", "b"]
    c = TestClient(app)
    results = [login(c, names[i % 10], f"spray-{i}", via="203.0.113.7") for i in range(40)]
    assert all(r.status_code == 401 for r in results)
    # the sprayer cannot log in even with a right password; a colleague elsewhere can
    assert login(c, "boss", via="203.0.113.7").status_code == 401
    assert login(TestClient(app), "boss", via="198.51.100.20").status_code == 303
    assert LOCKED in error(results[-1]) and LOCKED not in error(results[0])
    failed = sum(audits(people, "login_failed", n) for n in names)
    assert failed == staff.IP_MAX_FAILURES < 40
    # and the throttle ends by itself
    people.clock.advance(dt.timedelta(minutes=staff.LOCK_MINUTES + 1))  # type: ignore[attr-defined]
    assert login(TestClient(app), "boss", via="203.0.113.7").status_code == 303


def test_unknown_and_known_names_get_the_same_answer_in_the_same_time(people: Runtime) -> None:
    """The lock text appeared only for real accounts, and a real one answered ~20x slower."""
    app = app_for(people, forwarded_allow_ips="testclient")
    c = TestClient(app)
    answers = {}
    for name in ("dong", "ghost-user"):
        answers[name] = [error(login(c, name, f"x{i}", via=f"192.0.2.{i}")) for i in range(6)]
    assert answers["dong"] == answers["ghost-user"]
    assert LOCKED in answers["ghost-user"][-1]

    def timed(name: str, i: int) -> float:
        page = c.get("/staff/login")
        data = {"csrf_token": csrf_of(page.text), "username": name, "password": "wrong"}
        start = time.perf_counter()
        c.post("/staff/login", data=data, headers={"X-Forwarded-For": f"192.0.2.{100 + i}"})
        return time.perf_counter() - start

    add_staff(people, "timer", "staff", "990101")
    known = statistics.median(timed("timer", i) for i in range(4))
    unknown = statistics.median(timed(f"ghost{i}", 10 + i) for i in range(4))
    assert unknown > 0.4 * known, (known, unknown)


def test_a_lock_ends_by_itself_and_an_admin_lifts_it_at_once(
    people: Runtime, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(people)  # every attempt from one address (the test client), under its limit
    for _ in range(staff.MAX_FAILURES):
        login(TestClient(app), "dong", "guess-guess")
    assert LOCKED in error(login(TestClient(app), "dong"))

    admin = TestClient(app)
    assert login(admin, "boss").status_code == 303
    accounts = admin.get("/staff/accounts")
    assert accounts.status_code == 200 and "已锁定" in accounts.text
    token = csrf_of(accounts.text)
    r = admin.post(
        "/staff/accounts/unlock",
        data={"csrf_token": token, "username": "dong"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert login(TestClient(app), "dong").status_code == 303
    assert audits(people, "staff_unlock", "dong") == 1

    # staff cannot open the accounts page
    dong = TestClient(app)
    login(dong, "dong")
    assert dong.get("/staff/accounts").status_code == 403

    # the command line, when no admin can log in
    for _ in range(staff.MAX_FAILURES):
        login(TestClient(app), "boss", "guess-guess")
    assert LOCKED in error(login(TestClient(app), "boss"))
    monkeypatch.setenv("VETBOT_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["staff", "unlock", "boss"])
    assert result.exit_code == 0 and "unlocked" in result.output
    assert login(TestClient(app), "boss").status_code == 303

    # and a lock nobody lifts ends after LOCK_MINUTES
    for _ in range(staff.MAX_FAILURES):
        login(TestClient(app), "xishan", "guess-guess")
    assert LOCKED in error(login(TestClient(app), "xishan"))
    people.clock.advance(dt.timedelta(minutes=staff.LOCK_MINUTES + 1))  # type: ignore[attr-defined]
    assert login(TestClient(app), "xishan").status_code == 303


# -- sessions --------------------------------------------------------------------


def test_logout_ends_the_session_for_every_copy_of_the_cookie(people: Runtime) -> None:
    """The pre-logout cookie worked for the rest of its 10 hours."""
    app = app_for(people)
    b = TestClient(app)
    assert login(b, "dong").status_code == 303
    copied = {"Cookie": f"vetbot_staff={b.cookies.get('vetbot_staff')}"}
    copy = TestClient(app)
    assert copy.get("/staff/queue/unit", headers=copied, follow_redirects=False).status_code == 200
    token = csrf_of(b.get("/staff/").text)
    logout = b.post("/staff/logout", data={"csrf_token": token}, follow_redirects=False)
    assert logout.status_code == 303
    replay = copy.get("/staff/queue/unit", headers=copied, follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/staff/login")
    assert audits(people, "logout", "dong") == 1


def test_password_change_and_disabling_end_other_sessions(
    people: Runtime, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(people)
    first, second = TestClient(app), TestClient(app)
    login(first, "dong")
    login(second, "dong")
    token = csrf_of(first.get("/staff/password").text)
    r = first.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "old": PASSWORD,
            "new": "new-pass-2026",
            "again": "new-pass-2026",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert first.get("/staff/", follow_redirects=False).status_code == 200
    assert second.get("/staff/", follow_redirects=False).status_code == 303

    monkeypatch.setenv("VETBOT_DATABASE_URL", db_url)
    assert (
        CliRunner()
        .invoke(cli, ["staff", "passwd", "dong", "--password", "cli-pass-2026"])
        .exit_code
        == 0
    )
    assert first.get("/staff/", follow_redirects=False).status_code == 303
    third = TestClient(app)
    assert login(third, "dong", "cli-pass-2026").status_code == 303
    assert CliRunner().invoke(cli, ["staff", "disable", "dong"]).exit_code == 0
    assert third.get("/staff/", follow_redirects=False).status_code == 303


def test_cookies_are_secure_behind_a_trusted_tls_proxy(people: Runtime) -> None:
    """Behind a TLS proxy (X-Forwarded-Proto: https) no cookie was ever Secure."""
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    app = app_for(people, forwarded_allow_ips="testclient")
    c = TestClient(app)
    page = c.get("/staff/login", headers=proxy)
    nonce = [h for h in page.headers.get_list("set-cookie") if "vetbot_csrf" in h]
    assert nonce and nonce[0].startswith("__Host-vetbot_csrf=") and "Secure" in nonce[0]
    assert page.headers["strict-transport-security"].startswith("max-age=")
    value = nonce[0].split(";")[0].split("=", 1)[1]
    r = c.post(
        "/staff/login",
        data={"csrf_token": csrf_of(page.text), "username": "dong", "password": PASSWORD},
        headers={**proxy, "Cookie": f"__Host-vetbot_csrf={value}"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = next(
        h for h in r.headers.get_list("set-cookie") if h.startswith("__Host-vetbot_staff=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/;" in cookie + ";"
    session = cookie.split(";")[0].split("=", 1)[1]
    home = c.get("/staff/", headers={**proxy, "Cookie": f"__Host-vetbot_staff={session}"})
    assert home.status_code == 200 and "东城小王" in home.text

    # an untrusted client cannot claim https (nor another address)
    untrusted = TestClient(app_for(people, forwarded_allow_ips="192.0.2.1"))
    plain = untrusted.get("/staff/login", headers=proxy)
    assert all("Secure" not in h for h in plain.headers.get_list("set-cookie"))
    # VETBOT_COOKIE_SECURE=always: Secure even on plain http, and the page says to use https
    always = TestClient(app_for(people, cookie_secure="always")).get("/staff/login")
    assert all("Secure" in h for h in always.headers.get_list("set-cookie"))
    assert "须通过 https" in always.text


def test_csrf_token_is_bound_to_the_session_not_a_cookie(people: Runtime) -> None:
    """The attacker's own CSRF cookie and token, planted next to the victim's session, passed."""
    number = open_ticket(people, "w-csrf-pair")
    app = app_for(people)
    victim, attacker = TestClient(app), TestClient(app)
    login(victim, "dong")
    login(attacker, "xishan")
    session = victim.cookies.get("vetbot_staff")
    claim = f"/staff/tickets/{number}/claim"
    # the attacker's own session token, and a login-form nonce cookie with its token
    their_token = csrf_of(attacker.get("/staff/").text)
    fresh = TestClient(app)
    form_token = csrf_of(fresh.get("/staff/login").text)
    nonce = fresh.cookies.get("vetbot_csrf")
    for token, cookie in (
        (their_token, f"vetbot_staff={session}"),
        (form_token, f"vetbot_staff={session}; vetbot_csrf={nonce}"),
    ):
        planted = TestClient(app).post(
            claim, data={"csrf_token": token}, headers={"Cookie": cookie}, follow_redirects=False
        )
        assert planted.status_code == 403
    own = csrf_of(victim.get("/staff/").text)
    assert victim.post(claim, data={"csrf_token": own}, follow_redirects=False).status_code == 303
    login(victim, "dong")  # a new session has a new token
    assert csrf_of(victim.get("/staff/").text) != own


# -- every response ----------------------------------------------------------------


def test_security_headers_on_every_response(people: Runtime) -> None:
    """/chat, /api/ask, /wechat and /healthz sent none: the web chat could be framed."""
    c = TestClient(app_for(people))
    responses = [
        c.get("/chat"),
        c.post("/api/ask", json={"q": "优待证怎么办"}),
        c.get("/wechat"),
        c.get("/healthz"),
        c.get("/static/chat.js"),
        c.get("/staff/login"),
        c.get("/no/such/page"),
    ]
    for r in responses:
        h = r.headers
        assert "frame-ancestors 'none'" in h.get("content-security-policy", ""), r.url
        assert h.get("x-frame-options") == "DENY", r.url
        assert h.get("x-content-type-options") == "nosniff", r.url
        assert h.get("referrer-policy") == "same-origin", r.url


def test_not_yours_and_does_not_exist_are_the_same_404(people: Runtime) -> None:
    """403 for other units' tickets against 404 for free numbers told which numbers exist."""
    number = open_ticket(people, "w-oracle", region="990101001")
    c = TestClient(app_for(people))
    login(c, "xishan")
    elsewhere, missing = (
        c.get(f"/staff/tickets/{number}"),
        c.get(f"/staff/tickets/{number[:-4]}9999"),
    )
    assert elsewhere.status_code == missing.status_code == 404
    assert elsewhere.text == missing.text
    token = csrf_of(c.get("/staff/").text)
    for action in ("claim", "escalate", "note"):
        r = c.post(
            f"/staff/tickets/{number}/{action}",
            data={"csrf_token": token, "reason": "x", "text": "x"},
        )
        assert r.status_code == 404


# -- vetbot serve --------------------------------------------------------------------


@pytest.fixture
def empty_db(request: pytest.FixtureRequest, tmp_path: Any, db_url: str) -> Iterator[str]:
    """A database nobody migrated, of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'never-migrated.db'}"
        return
    name = f"vetbot_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(db_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(normalize_url(db_url)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _serve(monkeypatch: pytest.MonkeyPatch, url: str, secret: str | None, *args: str) -> Any:
    import uvicorn

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: started.append(kw))
    monkeypatch.setenv("VETBOT_DATABASE_URL", url)
    monkeypatch.delenv("VETBOT_DEV_MODE", raising=False)
    if secret is None:
        monkeypatch.delenv("VETBOT_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("VETBOT_SECRET_KEY", secret)
    result = CliRunner().invoke(cli, ["serve", *args])
    return result, started


def test_serve_refuses_an_unmigrated_database(
    monkeypatch: pytest.MonkeyPatch, empty_db: str, db_url: str
) -> None:
    result, started = _serve(monkeypatch, empty_db, "a-real-secret-0123456789")
    assert result.exit_code == 2 and not started
    assert "not migrated" in result.output and "vetbot db upgrade" in result.output
    result, started = _serve(monkeypatch, db_url, "a-real-secret-0123456789")
    assert result.exit_code == 0 and started


def test_serve_refuses_the_public_secret_outside_development_mode(
    monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    result, started = _serve(monkeypatch, db_url, None)
    assert result.exit_code == 2 and not started
    assert "VETBOT_SECRET_KEY is the public default" in result.output
    result, started = _serve(monkeypatch, db_url, DEV_SECRET, "--dev")
    assert result.exit_code == 0 and started
    assert "development mode" in result.output
