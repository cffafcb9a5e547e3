"""wechatpy clients (Official Account and WeCom) pointed at a configurable API base URL,
with their access token kept in the shared ``TokenCache`` instead of process memory."""

from __future__ import annotations

from typing import Any

from wechatpy import WeChatClient
from wechatpy.enterprise import WeChatClient as WeComClient
from wechatpy.exceptions import WeChatClientException

from bot.delivery.tokens import Fetched, TokenCache

TIMEOUT = 10.0


class _SharedToken:
    """Mixin: ``access_token`` comes from the TokenCache; wechatpy's own retry on an
    expired token (40001/42001) goes through ``fetch_access_token`` → one shared refresh."""

    API_BASE_URL: str
    _tokens: TokenCache
    _token_name: str
    _http: Any
    session: Any
    timeout: float
    access_token_key: str

    def _token_request(self) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def _fetch(self) -> Fetched:
        endpoint, params = self._token_request()
        res = self._http.get(self.API_BASE_URL + endpoint, params=params, timeout=self.timeout)
        res.raise_for_status()
        data = res.json()
        if data.get("errcode"):
            raise WeChatClientException(data["errcode"], data.get("errmsg", ""), client=self)
        return Fetched(str(data["access_token"]), int(data.get("expires_in", 7200)))

    @property
    def access_token(self) -> str:
        token = self._tokens.get(self._token_name, self._fetch)
        self.session.set(self.access_token_key, token)
        return token

    def fetch_access_token(self) -> dict[str, str]:
        stale = self.session.get(self.access_token_key)
        token = self._tokens.refresh(self._token_name, stale, self._fetch)
        self.session.set(self.access_token_key, token)
        return {"access_token": token}


class OfficialAccountClient(_SharedToken, WeChatClient):
    """微信公众号 API client."""

    def __init__(
        self, appid: str, secret: str, api_base: str, tokens: TokenCache, timeout: float = TIMEOUT
    ) -> None:
        super().__init__(appid, secret, timeout=timeout)
        self.API_BASE_URL = api_base
        self._tokens = tokens
        self._token_name = f"wechat:{appid}"

    def _token_request(self) -> tuple[str, dict[str, str]]:
        return "token", {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
        }


class WeComAppClient(_SharedToken, WeComClient):
    """企业微信 application client (staff notifications)."""

    def __init__(
        self, corp_id: str, secret: str, api_base: str, tokens: TokenCache, timeout: float = TIMEOUT
    ) -> None:
        super().__init__(corp_id, secret, timeout=timeout)
        self.API_BASE_URL = api_base
        self._tokens = tokens
        self._token_name = f"wecom:{corp_id}"

    def _token_request(self) -> tuple[str, dict[str, str]]:
        return "gettoken", {"corpid": self.corp_id, "corpsecret": self.secret}
