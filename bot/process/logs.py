"""What the server writes to its logs: no signatures, nonces, openids, ID numbers or
phones (issue 13 §2, §4).

- ``AccessFilter`` rewrites uvicorn's access lines: the values of WeChat's callback
  parameters (signature, msg_signature, timestamp, nonce, openid, echostr) and of a
  console search (``q``) become ``…``; every other value is masked like stored text.
- ``RedactFilter`` masks ID numbers and phones in every other line, traceback included.

``uvicorn_config()`` is uvicorn's default logging with both filters, plus the app's own
loggers (``bot``, ``db``…) at INFO on the same handler; ``vetbot serve`` passes it to
uvicorn, so every worker process uses it.
"""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import parse_qsl, quote

from uvicorn.config import LOGGING_CONFIG

from db.crypto import redact

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


APP_LOGGERS = ("bot", "db", "intents", "knowledge")


def uvicorn_config(level: str = "INFO") -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "access": {"()": "bot.process.logs.AccessFilter"},
        "redact": {"()": "bot.process.logs.RedactFilter"},
    }
    config["formatters"]["app"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["access"]["filters"] = ["access"]
    config["handlers"]["default"]["filters"] = ["redact"]
    config["handlers"]["app"] = {
        "formatter": "app",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "filters": ["redact"],
    }
    for name in APP_LOGGERS:
        config["loggers"][name] = {"handlers": ["app"], "level": level, "propagate": False}
    return config
