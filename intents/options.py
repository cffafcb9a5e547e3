"""Reading a choice back: "1", "一", "第一个", "①", or the option's text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from knowledge.text import clean

CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(10)}
_ORDINAL = re.compile(
    r"^(?:第|选|选择|选第|要|就)?\s*([0-9]{1,2}|[一二两三四五六七八九十])\s*(?:个|项|条|号|种|。|\.|、)?(?:吧|呀|啊)?$"
)
_STRIP = re.compile(r"[\s，。,.!！?？、;；:：~～\"'“”‘’()（）\[\]【】]+")


def pick(text: str, options: Sequence[str]) -> int | None:
    """Index (0-based) of the option the user chose, or None."""
    if not options:
        return None
    raw = clean(text)
    if raw in _CIRCLED:
        return _within(_CIRCLED[raw], options)
    m = _ORDINAL.match(raw.strip())
    if m:
        token = m.group(1)
        n = number(token)
        return _within(n, options)
    said = _STRIP.sub("", raw).lower()
    if not said:
        return None
    labels = [_STRIP.sub("", clean(o)).lower() for o in options]
    for i, label in enumerate(labels):
        if said == label:
            return i
    contained = [
        i for i, label in enumerate(labels) if len(said) >= 2 and (said in label or label in said)
    ]
    if len(contained) == 1:
        return contained[0]
    scored = sorted(((fuzz.ratio(said, label), i) for i, label in enumerate(labels)), reverse=True)
    if scored and scored[0][0] >= 80 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 10):
        return scored[0][1]
    return None


def number(token: str) -> int:
    """ "3" or "三" → 3 (0 when it is neither)."""
    return int(token) if token.isdigit() else CN_DIGITS.get(token, 0)


def _within(n: int, options: Sequence[str]) -> int | None:
    return n - 1 if 1 <= n <= len(options) else None
