"""What a question asks about its topic (问的是哪一方面): fee, deadline, who, ….

The names are fixed here (a KB entry's ``facets`` may only use them); the words that
signal each aspect are data (``knowledge/data/aspects.yaml``: patterns with examples and
not-examples, checked by the tests). Detection reads the veteran's own words after
全角→半角 and 繁→简 but before the synonym fold (which turns 多少钱 into 收费).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


def load_cues(path: Path = VOCABULARY) -> tuple[Cue, ...]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cues: list[Cue] = []
    for raw in doc.get("aspects") or []:
        name = canonical(str(raw.get("aspect", "")))
        if name is None:
            raise ValueError(f"{path.name}: unknown aspect {raw.get('aspect')!r}")
        unless = "|".join(raw.get("unless") or [])
        cues.append(
            Cue(name, re.compile("|".join(raw["patterns"])), re.compile(unless) if unless else None)
        )
    return tuple(cues)


@lru_cache(maxsize=1)
def _cues() -> tuple[Cue, ...]:
    return load_cues()


def detect(text: str, cues: tuple[Cue, ...] | None = None) -> tuple[str, ...]:
    """The aspects a question asks about, most specific first (a fee question that also says
    能不能 is a fee question); () when it names none."""
    from knowledge.text import clean

    plain = clean(text).lower()
    found = [c.aspect for c in (cues or _cues()) if c.found(plain)]
    return tuple(dict.fromkeys(found))


def primary(text: str, cues: tuple[Cue, ...] | None = None) -> str | None:
    """The one aspect the answer should open with, or None."""
    found = detect(text, cues)
    return found[0] if found else None
