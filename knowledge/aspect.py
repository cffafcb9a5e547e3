"""What a question asks about its topic (问的是哪一方面): fee, deadline, who, ….

The names are fixed here (a KB entry's ``facets`` may only use them); the words that
signal each aspect, and what an answer must contain to answer it, are data
(``knowledge/data/aspects.yaml``: patterns with examples and not-examples, checked by
tests/test_aspect.py). Detection reads the veteran's own words after 全角→半角 and 繁→简
but before the synonym fold (which turns 多少钱 into 收费).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ASPECTS: tuple[str, ...] = (
    "fee",  # 收费/免费/要钱吗: what the veteran pays
    "deadline",  # 时限/多久/几天内: a time limit or a date
    "who",  # 条件/哪些人/能不能领: eligibility
    "materials",  # 带什么/材料/证明
    "where",  # 去哪办/哪个部门
    "amount",  # 多少钱/标准: a sum or a rate the veteran gets
    "process",  # 怎么办/流程/步骤
    "yesno",  # 能不能/是不是/有没有 (a question answered by yes or no)
    "definition",  # 是什么/指什么/算不算
    "status",  # 进度/到哪一步了
)
#: names the eval sets and curators also use, folded onto the ones above
ALIASES = {
    "eligibility": "who",
    "yes_no": "yesno",
    "time_limit": "deadline",
    "standard": "amount",
    "office": "where",
    "steps": "process",
    "cost": "fee",
}
#: aspects whose answer is one fact (a sum, a day count, a list of people, an office);
#: a general summary without that fact does not answer them
SPECIFIC = frozenset({"fee", "deadline", "who", "materials", "where", "amount"})
#: how each aspect is named to the veteran ("您问的是…")
LABELS = {
    "fee": "收不收费",
    "deadline": "时限和时间",
    "who": "哪些人符合条件",
    "materials": "要带的材料",
    "where": "到哪里办",
    "amount": "具体金额和标准",
    "process": "怎么办理",
    "yesno": "能不能",
    "definition": "是什么意思",
    "status": "办理进度",
}

VOCABULARY = Path(__file__).parent / "data" / "aspects.yaml"


def canonical(name: str) -> str | None:
    """The aspect name for ``name`` (an alias allowed), or None when it is none of them."""
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    return key if key in ASPECTS else None


@dataclass(frozen=True)
class Cue:
    """One aspect's signal words (a regular expression) and what they must not match."""

    aspect: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None

    def found(self, text: str) -> bool:
        return bool(self.pattern.search(text)) and not (self.unless and self.unless.search(text))


@dataclass(frozen=True)
class Vocabulary:
    cues: tuple[Cue, ...]
    evidence: dict[str, re.Pattern[str]]  # aspect -> what an answer must contain
    long_message: int
    rumour: re.Pattern[str] | None


def _either(patterns: list[Any] | None) -> re.Pattern[str] | None:
    parts = [str(p) for p in patterns or []]
    return re.compile("|".join(parts)) if parts else None


def load(path: Path = VOCABULARY) -> Vocabulary:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cues: list[Cue] = []
    for raw in doc.get("aspects") or []:
        name = canonical(str(raw.get("aspect", "")))
        pattern = _either(raw.get("patterns"))
        if name is None or pattern is None:
            raise ValueError(f"{path.name}: bad aspect {raw.get('aspect')!r} (name or patterns)")
        cues.append(Cue(name, pattern, _either(raw.get("unless"))))
    evidence: dict[str, re.Pattern[str]] = {}
    for name, patterns in (doc.get("answered_by") or {}).items():
        aspect, pattern = canonical(str(name)), _either(patterns)
        if aspect is None or pattern is None:
            raise ValueError(f"{path.name}: answered_by names unknown aspect {name!r}")
        evidence[aspect] = pattern
    return Vocabulary(
        tuple(cues), evidence, int(doc.get("long_message") or 60), _either(doc.get("rumour"))
    )


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return load()


def _plain(text: str) -> str:
    from knowledge.text import clean

    return clean(text).lower()


def detect(text: str, vocab: Vocabulary | None = None) -> tuple[str, ...]:
    """The aspects a question asks about, most specific first (a fee question that also says
    能不能 is a fee question); () when it names none."""
    plain = _plain(text)
    found = [c.aspect for c in (vocab or vocabulary()).cues if c.found(plain)]
    return tuple(dict.fromkeys(found))


def primary(text: str, vocab: Vocabulary | None = None) -> str | None:
    """The one aspect the answer should open with, or None."""
    found = detect(text, vocab)
    return found[0] if found else None


def answers(aspect: str | None, text: str, vocab: Vocabulary | None = None) -> bool:
    """Does an answer text contain what ``aspect`` asks for (a sum for an amount question,
    a time for a deadline question)? True for aspects any answer serves."""
    pattern = (vocab or vocabulary()).evidence.get(aspect or "")
    return pattern is None or bool(pattern.search(text))


def checked(
    aspects: tuple[str, ...], text: str, vocab: Vocabulary | None = None
) -> tuple[str, ...]:
    """The asked aspects an answer must be checked against: the specific ones of a short
    question; none for a long story or a rumour to confirm (the answer refutes a claim)."""
    vocab = vocab or vocabulary()
    plain = _plain(text)
    if len(plain) > vocab.long_message or (vocab.rumour and vocab.rumour.search(plain)):
        return ()
    return tuple(a for a in aspects if a in vocab.evidence)
