"""The shape of a question, read in the veteran's own words (not normalised): two
questions in one message, questions listed one after another, a question about a sum.
"""

from __future__ import annotations

import re

# "我是五级伤残，抚恤金每年都要确认吗？还有坐公交要钱不": two questions in one message
_SECOND = re.compile(
    r"[？?][，,\s]*(还有|另外|再(问|就是)(一下|个)?|顺便问(一下)?|那)?|(还有|另外|再问一下|顺便问一下)[，,\s]*"
)
_LEAD = re.compile(r"^(我|俺|咱|我家|俺家|我们)[^，,。？?]{1,16}[，,]")  # "我是五级伤残，"


# "定补一个月多少钱", "抚恤金涨到多少了": asks for a sum of money (read in the veteran's own
# words: the synonym fold turns 多少钱 into 收费). Not "多少天", "加多少分", "几个人".
_NOT_MONEY = r"(?!天|年|次|个|岁|人|分|公里|日|小时|周|回|遍|张|级|项|种|条|家)"
AMOUNT = re.compile(
    r"(多少|几|幾)(块|塊)?(钱|錢|元)|多少(块|塊)|金额|金額|标准是多少|標準是多少|"
    rf"(领|領|拿|发|發|给|給|补|補|涨|漲|报|報|报销|報銷|提|加)(了|到)?(多少|几多|幾多){_NOT_MONEY}|"
    rf"(一个月|一年|每月|每年|每个月|一月|月|年)(能|可以)?(领|領|拿|发|發|给|給)?(多少|几多|幾多){_NOT_MONEY}"
)
MONEY_STATED = re.compile(
    r"\d[\d,.]*\s*(元|万|块)|\d+(\.\d+)?\s*[%％]|"
    r"(金额|标准|额度|多少)[^。\n]{0,24}(以当地|以本省|为准)"  # already says where the sum is set
)


COST = re.compile(
    r"(要|花|交|收|付|缴|繳|掏)(了)?(多少|几|幾)(块|塊)?(钱|錢|块|塊|元)?|多少钱一"
)  # a fee, not a benefit


def asks_amount(text: str) -> bool:
    """Does the message ask how much money the veteran gets (a sum the KB may not hold)?"""
    return bool(AMOUNT.search(text)) and not COST.search(text)


def second_question(text: str) -> str | None:
    """The second question of a message that asks two, with the asker's self-description
    ("我是五级伤残，") carried over; None when the message asks one thing."""
    for found in _SECOND.finditer(text):
        rest = text[found.end() :].strip("，,。 ")
        if len(re.findall(r"[\u3400-\u9fff]", rest)) < 4 or found.start() < 4:
            continue
        lead = _LEAD.match(text)
        return (lead.group(0) if lead else "") + rest
    return None


def first_question(text: str) -> str:
    """The first question of a message that asks two (the whole message otherwise): the
    part whose aspect the first answer must serve."""
    for found in _SECOND.finditer(text):
        rest = text[found.end() :].strip("，,。 ")
        if len(re.findall(r"[\u3400-\u9fff]", rest)) < 4 or found.start() < 4:
            continue
        return text[: found.start() + 1]
    return text


# "两个事：一是…，二是…", "第一…第二…", "1.… 2.…": questions listed one after another
_LISTED = re.compile(
    r"(?:^|(?<=[\s，,。；;：:？?！!]))(一是|二是|三是|第一|第二|第三|其一|其二|[1-3][.、．)）]|[①②③])"
)


def listed_questions(text: str) -> list[str]:
    """The questions of a message that lists them (two or three); [] when it does not."""
    marks = list(_LISTED.finditer(text))
    if len(marks) < 2:
        return []
    ends = [m.start() for m in marks[1:]] + [len(text)]
    parts = [text[m.end() : end].strip("，,。；;：: ") for m, end in zip(marks, ends, strict=True)]
    parts = [p for p in parts if len(re.findall(r"[\u3400-\u9fff]", p)) >= 4]
    return parts if len(parts) >= 2 else []
