"""What the server writes to its logs: JSON lines with a request id, and no signatures,
nonces, openids, ID numbers, phones, tokens or secrets (issue 13 §2, §4; issue 16 §3).

- ``JsonFormatter``: one JSON object per line (``VETBOT_LOG_FORMAT=text`` for a developer's
  terminal: ``TextFormatter``), with ``request_id`` — set for each HTTP request by
  ``bot.web.request_log`` and carried into worker threads (``asyncio.to_thread`` copies
  context variables) — and the request fields (method, path, status, ms).
- ``clean`` runs on every line, traceback included: ID-card and phone numbers and lookup
  codes are masked (``db.crypto.redact``); access tokens, app secrets, WeChat signatures,
  nonces, openids and Telegram bot tokens in URLs are cut out, whoever logged them
  (httpx logs each request's URL at INFO, so it is held at WARNING too).
- ``clean_target``: a request target (path?query) fit for a log line; ``AccessFilter``
  applies it to uvicorn's access lines, were they turned on (``vetbot serve`` turns them
  off: ``bot.web.request_log`` writes one line per request instead); ``RedactFilter``
  masks ID numbers and phones in a handler's records.

``uvicorn_config()`` is the logging ``vetbot serve`` passes to uvicorn, so every worker
process uses it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
from typing import Any
from urllib.parse import parse_qsl, quote

from db.crypto import redact

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

#: query parameters whose value never reaches a log
SECRET_PARAMS = frozenset(
    {"signature", "msg_signature", "timestamp", "nonce", "openid", "echostr", "q", "code"}
)
HIDDEN = "…"


def clean_target(target: str) -> str:
    """A request target (path?query) fit for a log line."""
    path, sep, query = target.partition("?")
    if not sep:
        return redact(path)
    pairs = parse_qsl(query, keep_blank_values=True)
    shown = [
        f"{quote(k, safe='')}={HIDDEN if k in SECRET_PARAMS else quote(redact(v), safe='')}"
        for k, v in pairs
    ]
    return redact(path) + "?" + "&".join(shown)


class AccessFilter(logging.Filter):
    """uvicorn.access records carry (client, method, target, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], clean_target(args[2]), args[3], args[4])
        return True


class RedactFilter(logging.Filter):
    """Mask ID numbers and phones in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_SECRET_PARAMS = re.compile(
    r"((?:access_token|secret|corpsecret|signature|msg_signature|nonce|openid|echostr|timestamp)=)[^&\s\"']+",
    re.IGNORECASE,
)
_BOT_TOKEN = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
FIELDS = ("method", "path", "status", "ms", "channel")  # extra= fields a line may carry
QUIET_LOGGERS = ("httpx", "httpcore", "telegram.ext", "alembic")


def clean(text: str) -> str:
    text = _SECRET_PARAMS.sub(lambda m: m.group(1) + "***", text)
    text = _BOT_TOKEN.sub("/bot***", text)
    return redact(text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": clean(record.getMessage()),
        }
        if rid := request_id.get():
            line["request_id"] = rid
        for name in FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            line["trace"] = clean(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a developer's terminal (VETBOT_LOG_FORMAT=text): still cleaned."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = request_id.get()
        return clean(super().format(record)) + (f" [{rid}]" if rid else "")


def uvicorn_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server (uvicorn's ``log_config``)."""
    formatter = (
        "bot.process.logs.JsonFormatter" if fmt == "json" else "bot.process.logs.TextFormatter"
    )
    quiet = {name: {"level": "WARNING"} for name in QUIET_LOGGERS}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"vetbot": {"()": formatter}},
        "filters": {
            "access": {"()": "bot.process.logs.AccessFilter"},
            "redact": {"()": "bot.process.logs.RedactFilter"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "vetbot",
                "stream": "ext://sys.stderr",
                "filters": ["redact"],
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "vetbot",
                "stream": "ext://sys.stderr",
                "filters": ["access", "redact"],
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            # off in `vetbot serve` (bot.web.request_log instead); cleaned if turned on
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
            **quiet,
        },
    }
