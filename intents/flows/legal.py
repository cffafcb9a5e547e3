"""Is a matter for the courts, arbitration or administrative review? (依法分类处理,
《信访工作条例》第三十一条: such matters go through those legal channels.)"""

from __future__ import annotations

import re

LEGAL = re.compile(r"诉讼|起诉|告到法院|法院|判决|判了|裁定|仲裁|行政复议|申请复议|上诉|再审|开庭")
NAMES = (("仲裁", "仲裁"), ("复议", "行政复议"))


def legal_channel(text: str) -> str | None:
    """诉讼, 仲裁 or 行政复议 when the text points to one of them, else None."""
    if not LEGAL.search(text):
        return None
    return next((name for key, name in NAMES if key in text), "诉讼")
