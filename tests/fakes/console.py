"""A logged-in staff member's browser session against the console (Starlette TestClient)."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf[-_]token" (?:value|content)="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


class Browser:
    def __init__(self, app: Any, username: str, password: str) -> None:
        self.client = TestClient(app)
        token = csrf_of(self.client.get("/staff/login").text)
        response = self.client.post(
            "/staff/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, f"{username} could not log in"
        self.csrf = csrf_of(self.client.get("/staff/").text)

    def post(self, url: str, **data: str) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf, **data}, follow_redirects=False)
