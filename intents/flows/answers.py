"""Two-option questions answered in plain words: "1", the option text, 是/否/好/不用,
"他不会用手机" (the subject is dropped) and words a slot knows ("卧床" → 出门不方便)."""

from __future__ import annotations

import re
from collections.abc import Callable

from intents.flows.base import Invalid, Parsed, ParseResult, View
from intents.flows.fields import parse_yes_no
from intents.options import pick
from knowledge.text import normalize

_NOT = re.compile(r"^(不|没|别|否|未|还没)")
_CAN = re.compile(r"^(会|能|可以|行(?!动)|有|是|要|好|对|嗯|中)")
_SUBJECT = re.compile(r"^(他|她|我|俺|咱|老人|家人|父母|老伴|爷爷|奶奶)(们)?(也|都|还|倒)?")


def choice_or_yes_no(
    options: tuple[str, str], yes_words: str = "", no_words: str = ""
) -> Callable[[str, View], ParseResult]:
    """A parser for a two-option slot, yes first; ``yes_words``/``no_words`` are
    regexes (on normalised text) that settle the answer for this slot."""

    def parse(text: str, view: View) -> ParseResult:
        said = _SUBJECT.sub("", normalize(text))
        for candidate in (text, said):
            chosen = pick(candidate, options) if candidate else None
            if chosen is not None:
                return Parsed(chosen == 0, label=options[chosen])
        if yes_words and re.search(yes_words, said):
            return _yes_no(True, options)
        if no_words and re.search(no_words, said):
            return _yes_no(False, options)
        if said and (_NOT.match(said) or _CAN.match(said)):
            return _yes_no(not _NOT.match(said), options)
        yes_no = parse_yes_no(text, view)
        if isinstance(yes_no, Parsed):
            return _yes_no(bool(yes_no.value), options)
        return Invalid("请回复1或2。")

    return parse


def _yes_no(yes: bool, options: tuple[str, str]) -> Parsed:
    return Parsed(yes, label=options[0 if yes else 1])
