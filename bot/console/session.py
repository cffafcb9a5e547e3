"""Staff sessions and CSRF: signed, HttpOnly, SameSite cookies; nothing stored server-side.

The session cookie names the staff member and a fingerprint of their password hash,
so changing a password (or disabling the account) ends every open session.
CSRF uses a per-browser random cookie and, in every form, an HMAC of it
(double submit, bound to the server key): a cross-site POST cannot know the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "vetbot_staff"
CSRF_COOKIE = "vetbot_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_HOURS = 10


@dataclass(frozen=True)
class SessionData:
    staff_id: int
    fingerprint: str


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="staff-session")


def read_session(request: Request, secret: str) -> SessionData | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(secret).loads(raw, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return SessionData(int(data["s"]), str(data.get("f", "")))


def start_session(
    request: Request, response: Response, secret: str, staff_id: int, password_hash: str
) -> None:
    value = _serializer(secret).dumps(
        {"s": staff_id, "f": fingerprint(password_hash), "n": secrets.token_hex(4)}
    )
    set_cookie(request, response, SESSION_COOKIE, value, SESSION_HOURS * 3600)
    set_cookie(request, response, CSRF_COOKIE, new_nonce(), SESSION_HOURS * 3600)  # rotate on login


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/staff")


def csrf_cookie(request: Request) -> str | None:
    return request.cookies.get(CSRF_COOKIE)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce), token)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/staff",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
