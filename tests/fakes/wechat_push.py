"""The WeChat server's side of the callback: signed (and optionally encrypted) pushes."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import httpx
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def text_xml(openid: str, content: str, msg_id: str, create_time: int | None = None) -> str:
    return _xml(openid, create_time, MsgType="text", Content=content, MsgId=msg_id)


def event_xml(openid: str, event: str, key: str = "", create_time: int | None = None) -> str:
    return _xml(openid, create_time, MsgType="event", Event=event, EventKey=key)


def media_xml(openid: str, msg_type: str, msg_id: str, **extra: str) -> str:
    return _xml(openid, None, MsgType=msg_type, MsgId=msg_id, **extra)


def _xml(openid: str, create_time: int | None, **fields: str) -> str:
    parts = [
        f"<ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
    ]
    parts.append(f"<CreateTime>{create_time or int(time.time())}</CreateTime>")
    parts += [f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


@dataclass
class Pushed:
    status: int
    body: str
    fields: dict[str, str]  # the (decrypted) reply's fields; {} for "success" or errors

    @property
    def content(self) -> str:
        return self.fields.get("Content", "")


@dataclass
class WeChatPusher:
    base_url: str
    token: str
    appid: str = ""
    aes_key: str = ""
    #: WeChat's clock (epoch seconds); tests pass the app's pinned clock, since the app
    #: refuses timestamps more than a few minutes from its own now
    now: Callable[[], int] = field(default=lambda: int(time.time()))

    def params(
        self, aes: bool, timestamp: str, nonce: str, msg_signature: str = ""
    ) -> dict[str, str]:
        params = {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": "x",
        }
        if aes:
            params |= {"encrypt_type": "aes", "msg_signature": msg_signature}
        return params

    def body_and_params(self, xml: str, aes: bool) -> tuple[bytes, dict[str, str]]:
        timestamp, nonce = str(self.now()), uuid.uuid4().hex[:10]
        if not aes:
            return xml.encode(), self.params(False, timestamp, nonce)
        envelope = WeChatCrypto(self.token, self.aes_key, self.appid).encrypt_message(
            xml, nonce, timestamp
        )
        msg_signature = fromstring(envelope.encode()).findtext("MsgSignature") or ""
        return envelope.encode(), self.params(True, timestamp, nonce, msg_signature)

    def push(
        self, xml: str, aes: bool = False, client: httpx.Client | None = None, **kw: Any
    ) -> Pushed:
        body, params = self.body_and_params(xml, aes)
        own = client or httpx.Client(timeout=30)
        try:
            res = own.post(
                self.base_url + "/wechat",
                params=params,
                content=body,
                headers={"Content-Type": "text/xml"},
                **kw,
            )
        finally:
            if client is None:
                own.close()
        return Pushed(
            res.status_code,
            res.text,
            self.decode(res.text, params) if res.status_code == 200 else {},
        )

    def decode(self, body: str, params: dict[str, str]) -> dict[str, str]:
        if not body.startswith("<xml>"):
            return {}
        fields = {c.tag: c.text or "" for c in fromstring(body.encode())}
        if "Encrypt" in fields:
            crypto = WeChatCrypto(self.token, self.aes_key, self.appid)
            inner = crypto.decrypt_message(
                fields, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
            fields = {
                c.tag: c.text or ""
                for c in fromstring(inner.encode() if isinstance(inner, str) else inner)
            }
        return fields
