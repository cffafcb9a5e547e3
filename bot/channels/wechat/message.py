"""WeChat Official Account messages: signature check, AES decryption, safe XML, replies.

Every XML document (the outer envelope and the decrypted inner message) is parsed
with defusedxml, DTDs and entities forbidden, before anything else reads it.

With an AES key configured (安全模式) only encrypted posts are accepted, and each is
checked with ``msg_signature`` over its ciphertext (``WeChatCrypto``): the outer
``signature`` covers only token, timestamp and nonce, never the body, so a plaintext
post signed with a triple copied from anywhere is refused. Freshness and single use of
the timestamp/nonce are checked against the database by ``replay.ReplayGuard``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from intents.turn import Inbound

MEDIA_TYPES = frozenset({"image", "voice", "video", "shortvideo", "location", "link", "file"})
PLEASE_TYPE = (
    "抱歉，我暂时只能看懂文字消息。请直接打字告诉我您想办的事或想问的问题，比如“优待证怎么办”。"
)


class Forbidden(Exception):
    """Bad signature: the request did not come from WeChat (→ 403)."""


class BadMessage(Exception):
    """Unparseable or hostile XML (→ 400)."""


@dataclass(frozen=True)
class WeChatKeys:
    token: str
    appid: str
    aes_key: str

    def crypto(self) -> WeChatCrypto | None:
        return _crypto(self.token, self.aes_key, self.appid) if self.aes_key else None


@lru_cache(maxsize=4)
def _crypto(token: str, aes_key: str, appid: str) -> WeChatCrypto:
    return WeChatCrypto(token, aes_key, appid)


@dataclass(frozen=True)
class Query:
    """The query string WeChat signs every callback with."""

    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""

    @property
    def aes(self) -> bool:
        return self.encrypt_type == "aes"


@dataclass(frozen=True)
class WeChatMessage:
    """The fields of a WeChat push the bot uses (MsgType text/event/image/voice/…)."""

    msg_type: str
    from_user: str
    to_user: str
    create_time: str
    msg_id: str = ""
    content: str = ""
    event: str = ""
    event_key: str = ""
    recognition: str = ""

    @property
    def dedupe_key(self) -> str:
        """FromUserName+MsgId for messages (MsgIds of two users can collide: each must get
        their own answer); FromUserName+CreateTime for events (WeChat's own rule)."""
        if self.msg_id:
            return _key("m", self.from_user, self.msg_id)
        return _key("e", self.from_user, self.create_time, self.event)


def _key(*parts: str) -> str:
    """Parts joined unambiguously (each percent-quoted), within the receipt key's 255."""
    return ":".join(quote(p, safe="") for p in parts)[:255]


def verify(keys: WeChatKeys, query: Query) -> None:
    try:
        check_signature(keys.token, query.signature, query.timestamp, query.nonce)
    except InvalidSignatureException as exc:
        raise Forbidden from exc


def read(keys: WeChatKeys, query: Query, body: bytes) -> WeChatMessage:
    """Check the signature, decrypt in safe mode, parse safely."""
    verify(keys, query)
    fields = safe_fields(body)
    crypto = keys.crypto()
    if crypto is None:
        if query.aes:
            raise BadMessage("encrypted message but no AES key configured")
        return _message(fields)
    if not (query.aes and query.msg_signature and "Encrypt" in fields):
        raise Forbidden("safe mode: only encrypted posts with msg_signature are accepted")
    try:  # checks msg_signature over token, timestamp, nonce and the ciphertext
        inner = crypto.decrypt_message(
            {"Encrypt": fields["Encrypt"]}, query.msg_signature, query.timestamp, query.nonce
        )
    except InvalidSignatureException as exc:
        raise Forbidden from exc
    except (InvalidAppIdException, ValueError, UnicodeDecodeError) as exc:
        raise BadMessage("cannot decrypt") from exc
    return _message(safe_fields(inner if isinstance(inner, bytes) else str(inner).encode("utf-8")))


def safe_fields(body: bytes) -> dict[str, str]:
    """The child elements of ``<xml>`` as a flat dict; DTDs and entities refused."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise BadMessage(type(exc).__name__) from exc
    if root.tag != "xml":
        raise BadMessage("root element is not <xml>")
    return {child.tag: (child.text or "") for child in root}


def _message(fields: dict[str, str]) -> WeChatMessage:
    if not fields.get("MsgType") or not fields.get("FromUserName"):
        raise BadMessage("MsgType and FromUserName are required")
    return WeChatMessage(
        msg_type=fields["MsgType"].strip().lower(),
        from_user=fields["FromUserName"].strip()[:128],
        to_user=fields.get("ToUserName", "").strip(),
        create_time=fields.get("CreateTime", "").strip()[:20],
        msg_id=fields.get("MsgId", "").strip()[:64],
        content=fields.get("Content", ""),
        event=fields.get("Event", "").strip().lower(),
        event_key=fields.get("EventKey", "").strip(),
        recognition=fields.get("Recognition", "") or "",
    )


def to_inbound(msg: WeChatMessage, at: dt.datetime) -> Inbound | None:
    """What the engine should see; None when the bot only needs to say 'please type'
    (images, video, files …) or nothing at all (unsubscribe, link clicks, unknown events)."""
    if msg.msg_type == "text":
        return _inbound(msg, at, text=msg.content)
    if msg.msg_type == "voice" and msg.recognition.strip():
        return _inbound(msg, at, text=msg.recognition)  # WeChat's speech recognition (语音识别结果)
    if msg.msg_type == "voice":  # not transcribed: the engine offers numbered choices
        return _inbound(msg, at, event="voice")
    if msg.msg_type == "event":
        event = _event(msg)
        return _inbound(msg, at, event=event) if event else None
    return None


def _inbound(
    msg: WeChatMessage, at: dt.datetime, text: str = "", event: str | None = None
) -> Inbound:
    return Inbound(
        channel="wechat",
        user_id=msg.from_user,
        text=text,
        at=at,
        msg_id=msg.dedupe_key,
        event=event,
    )


def _event(msg: WeChatMessage) -> str | None:
    if msg.event == "subscribe":  # also scanning a QR code to subscribe (EventKey qrscene_…)
        return "subscribe"
    if msg.event == "click" and msg.event_key:
        return f"menu:{msg.event_key[:32]}"
    return None


def wants_please_type(msg: WeChatMessage) -> bool:
    return msg.msg_type in MEDIA_TYPES or (msg.msg_type not in ("text", "event"))


def render(keys: WeChatKeys, query: Query, msg: WeChatMessage, text: str) -> str:
    """The passive reply XML (encrypted in safe mode)."""
    xml = TextReply(source=msg.to_user, target=msg.from_user, content=text).render()
    crypto = keys.crypto()
    if query.aes and crypto is not None:  # the callback's own (checked) timestamp and nonce
        return str(crypto.encrypt_message(xml, query.nonce, query.timestamp))
    return str(xml)
