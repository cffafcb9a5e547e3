"""Cutting long texts into the pieces a platform accepts, at line breaks when possible."""

from __future__ import annotations

from collections.abc import Callable

WECHAT_MAX_BYTES = 2048  # WeChat text messages (passive reply and 客服 API)
TELEGRAM_MAX_CHARS = 4000  # Telegram allows 4096 UTF-16 units; keep a margin

Measure = Callable[[str], int]


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_bytes(text: str, limit: int = WECHAT_MAX_BYTES) -> list[str]:
    """Pieces of at most ``limit`` UTF-8 bytes, never cutting a character."""
    return split(text, limit, utf8_bytes)


def split_chars(text: str, limit: int = TELEGRAM_MAX_CHARS) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 code units (Telegram's measure)."""
    return split(text, limit, utf16_units)


def split(text: str, limit: int, measure: Measure) -> list[str]:
    pieces: list[str] = []
    rest = text
    while measure(rest) > limit:
        cut = _cut_point(rest, limit, measure)
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int, measure: Measure) -> int:
    """The longest prefix within the limit, ending at a line break if one is in its second half."""
    low, high = 1, len(text)
    while low < high:  # binary search for the longest prefix that fits
        mid = (low + high + 1) // 2
        if measure(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    newline = text.rfind("\n", 0, low)
    return newline + 1 if newline > low // 2 else low
