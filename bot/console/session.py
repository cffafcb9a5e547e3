"""Console cookies and CSRF tokens.

The session cookie holds a random token; the server keeps its hash (``db.staff``), so
logging out, a password change or disabling the account ends the session for every copy
of the cookie. A form's CSRF token is an HMAC of that session (not of any cookie): a token
from another session, or a cookie planted next to the victim's, is refused.
Before login, the login form itself is protected by a per-browser nonce cookie.

Over https (directly, or behind a trusted proxy sending ``X-Forwarded-Proto``) cookies are
``Secure`` and ``__Host-`` prefixed (so no sibling subdomain can set them); see
``VETBOT_COOKIE_SECURE`` and ``VETBOT_FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from db.staff import SESSION_HOURS

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_AGE = SESSION_HOURS * 3600


@dataclass(frozen=True)
class Cookies:
    """Names and attributes of the console's two cookies for one request."""

    secure: bool

    @property
    def session(self) -> str:
        return "__Host-vetbot_staff" if self.secure else "vetbot_staff"

    @property
    def login_nonce(self) -> str:
        return "__Host-vetbot_csrf" if self.secure else "vetbot_csrf"

    @property
    def path(self) -> str:
        return "/" if self.secure else "/staff"  # __Host- requires Path=/


def cookies_for(request: Request, mode: str, public_url: str = "") -> Cookies:
    """``mode``: ``auto`` (Secure when the request came over https, or the public URL is
    https), ``always`` or ``never``."""
    if mode == "always":
        return Cookies(True)
    if mode == "never":
        return Cookies(False)
    return Cookies(request.url.scheme == "https" or public_url.startswith("https://"))


def session_token(request: Request, c: Cookies) -> str:
    return request.cookies.get(c.session, "")


def set_session(response: Response, c: Cookies, token: str) -> None:
    _set(response, c, c.session, token)
    response.delete_cookie(c.login_nonce, path=c.path, secure=c.secure, httponly=True)


def clear_session(response: Response, c: Cookies) -> None:
    response.delete_cookie(
        c.session, path=c.path, secure=c.secure, httponly=True, samesite="strict"
    )


def login_nonce(request: Request, c: Cookies) -> str | None:
    return request.cookies.get(c.login_nonce)


def set_login_nonce(response: Response, c: Cookies, nonce: str) -> None:
    _set(response, c, c.login_nonce, nonce)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, session_key: str) -> str:
    """The form token of a logged-in session (bound to its stored key)."""
    return _mac(secret, b"csrf-session:", session_key)


def login_token(secret: str, nonce: str) -> str:
    """The login form's token, bound to the browser's nonce cookie."""
    return _mac(secret, b"csrf-login:", nonce)


def csrf_ok(secret: str, session_key: str | None, token: str | None) -> bool:
    return bool(session_key and token) and hmac.compare_digest(
        csrf_token(secret, str(session_key)), str(token)
    )


def login_token_ok(secret: str, nonce: str | None, token: str | None) -> bool:
    return bool(nonce and token) and hmac.compare_digest(
        login_token(secret, str(nonce)), str(token)
    )


def _mac(secret: str, purpose: bytes, value: str) -> str:
    return hmac.new(secret.encode(), purpose + value.encode(), hashlib.sha256).hexdigest()


def _set(response: Response, c: Cookies, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=MAX_AGE,
        path=c.path,
        httponly=True,
        samesite="strict",
        secure=c.secure,
    )
