"""Cue files → regular expressions, refusing any word the message can never contain.

A cue file (``intents/cues/<family>.yaml``) holds one family of cues — the words of
self-harm, of a scam, of a greeting — each with sentences it must match (``examples``)
and sentences it must not (``not``)::

    reads: norm                  # the text the cues are matched on (see ``READERS``)
    cues:
      poison:                    # a comment says what the cue is for
        words: [农药, 敌敌畏]      # literal words, or
      poison_taken:
        any:                     # regex alternatives; {poison} is another cue of the file
          - '{poison}.{0,12}(喝|吃)'
        examples: [家里那瓶敌敌畏我准备今晚喝掉]
        not: [农药补贴什么时候发]

Messages are normalised before any cue sees them (``knowledge.text.normalize``: lower
case, 简体, punctuation stripped, synonyms folded), so a cue that says ``闺女``, ``QQ``,
``騙子`` or ``，`` can never match: 闺女 already became 女儿. ``load`` runs every literal
word of every alternative — lookaheads and character classes included — through the same
normaliser and rejects the file, naming the cue and the word, when the normaliser would
change it. Which examples match is checked by ``tests/test_cues.py``, not at load time.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import clean, normalize, plain_words

HERE = Path(__file__).parent
#: the text a family's cues are matched on. ``norm``: ``normalize()`` output (synonyms
#: folded); ``plain``: the veteran's own words (``plain_words``: lower case, 简体, no
#: punctuation, no synonym fold); ``both``: either (danger is read in both wordings).
READERS: dict[str, tuple[Callable[[str], str], ...]] = {
    "norm": (normalize,),
    "plain": (plain_words,),
    "both": (normalize, plain_words),
}
_CUE_KEYS = frozenset({"words", "any", "examples", "not", "reads"})
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]")  # what normalize() strips
_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_SEPARATOR = "龘"  # a character no reader changes and no synonym contains
_MAX_SPELLINGS = 256  # a run of literals spelled out in more ways than this is checked in parts


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


class CueError(ValueError):
    """A cue file that cannot be compiled; the message lists every problem found."""


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    reads: str
    examples: tuple[str, ...]
    not_examples: tuple[str, ...]

    def texts(self, message: str) -> tuple[str, ...]:
        """The message as this cue reads it (one or two wordings)."""
        return tuple(read(message) for read in READERS[self.reads])

    def matches(self, message: str) -> bool:
        """Does the cue fire on a raw message (normalised the way the cue reads)?"""
        return any(self.pattern.search(text) for text in self.texts(message))


@dataclass
class Family(Mapping[str, Cue]):
    """The compiled cues of one file; ``family["poison"]`` is a ``Cue``."""

    name: str
    cues: dict[str, Cue]
    used: set[str] = field(default_factory=set)  # cues asked for by code or another cue

    def __getitem__(self, name: str) -> Cue:
        self.used.add(name)
        return self.cues[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.cues)

    def __len__(self) -> int:
        return len(self.cues)

    def pattern(self, name: str) -> re.Pattern[str]:
        return self[name].pattern

    def unused(self) -> list[str]:
        return [name for name in self.cues if name not in self.used]


@cache
def load(family: str, folder: Path = HERE) -> Family:
    """Compile ``<folder>/<family>.yaml``; raises ``CueError`` naming every bad cue."""
    path = folder / f"{family}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return compile_family(family, data, str(path.relative_to(folder.parent.parent)))


def compile_family(family: str, data: Any, where: str) -> Family:
    if not isinstance(data, dict) or not isinstance(data.get("cues"), dict):
        raise CueError(f"{where}: expected 'reads:' and a 'cues:' mapping")
    reads = str(data.get("reads", "norm"))
    if reads not in READERS:
        raise CueError(f"{where}: reads: {reads!r} is not one of {list(READERS)}")
    problems: list[str] = []
    specs: dict[str, dict[str, Any]] = {}
    for name, spec in data["cues"].items():
        shape = _shape(spec)
        problems += [f"cue {name!r}: {p}" for p in shape]
        if not shape:
            specs[name] = spec
    sources: dict[str, str] = {}
    for name in specs:
        problems += _resolve(name, specs, sources, ())
    cues: dict[str, Cue] = {}
    for name, source in sources.items():
        spec = specs[name]
        own = str(spec.get("reads", reads))
        try:
            pattern = re.compile(source)
        except re.error as exc:
            problems.append(f"cue {name!r}: not a regular expression ({exc})")
            continue
        problems += [f"cue {name!r}: {p}" for p in _dead(_own_source(spec), own)]
        examples = tuple(spec.get("examples") or ())
        cues[name] = Cue(name, pattern, own, examples, tuple(spec.get("not") or ()))
    if problems:
        raise CueError(f"{where}:\n  " + "\n  ".join(dict.fromkeys(problems)))
    result = Family(family, cues)
    for spec in specs.values():
        result.used.update(_REF.findall(_own_source(spec)))
    return result


def _shape(spec: Any) -> list[str]:
    if not isinstance(spec, dict):
        return ["expected a mapping with words/any, examples and not"]
    problems = [f"unknown key {key!r}" for key in spec if key not in _CUE_KEYS]
    if ("words" in spec) == ("any" in spec):
        problems.append("give either 'words' (literal words) or 'any' (regex alternatives)")
    for key in ("words", "any", "examples", "not"):
        items = spec.get(key)
        if key in ("examples", "not") and not items:
            problems.append(f"needs at least one '{key}' sentence")
        if items is not None and (
            not isinstance(items, list) or not all(isinstance(i, str) and i for i in items)
        ):
            problems.append(f"'{key}' must be a list of non-empty text (quote numbers: '110')")
    if spec.get("reads", "norm") not in READERS:
        problems.append(f"reads: {spec['reads']!r} is not one of {list(READERS)}")
    return problems


def _own_source(spec: dict[str, Any]) -> str:
    """The cue's regex before references are filled in."""
    if "words" in spec:
        return "|".join(re.escape(word) for word in spec["words"])
    return "|".join(spec["any"])


def _resolve(
    name: str, specs: dict[str, dict[str, Any]], done: dict[str, str], seen: tuple[str, ...]
) -> list[str]:
    """Fill ``{other}`` references in (each wrapped in a group); cycles and unknown names
    are problems."""
    if name in done:
        return []
    if name in seen:
        return [f"cue {name!r}: refers to itself ({' → '.join((*seen, name))})"]
    problems: list[str] = []
    source = _own_source(specs[name])
    for ref in dict.fromkeys(_REF.findall(source)):
        if ref not in specs:
            problems.append(f"cue {name!r}: refers to {{{ref}}}, which is not a cue of the file")
            continue
        problems += _resolve(ref, specs, done, (*seen, name))
    if problems:
        return problems
    done[name] = _REF.sub(lambda m: f"(?:{done[m.group(1)]})", source)
    return []


# -- dead words -------------------------------------------------------------------------


def _dead(source: str, reads: str) -> list[str]:
    """Every literal word of ``source`` the reader would change, explained once. A run
    spelt one way the reader folds into another of its own spellings is fine
    ("年度认证" becomes "生存认证", which the same run also spells)."""
    read = READERS[reads][-1]  # the gentlest reader: plain_words when both are read
    try:
        parsed = sre_parse.parse(_REF.sub("", source))
    except re.error:
        return []  # reported by the compile step
    runs = list(_runs(list(parsed)))
    changed = _changed(sorted(set().union(*(run for run, _ in runs))), read)
    found: dict[str, str] = {}
    for run, strict in runs:
        for word in sorted(run & changed.keys()):
            if not strict and changed[word] in run:
                continue
            known = next((c for c in found if c in word and read(c) != c), None)
            found.setdefault(known or _culprit(word, read), word)
    return [
        f"{culprit!r} can never match{'' if word == culprit else f' (in {word!r})'}: "
        + _why(culprit, read(culprit))
        for culprit, word in found.items()
    ]


def _changed(words: list[str], read: Callable[[str], str]) -> dict[str, str]:
    """The words ``read`` changes, all read in one call: no synonym, tag or phrase spans
    the separator, so the result splits back into one reading per word."""
    words = [w for w in words if w]
    readings = read(_SEPARATOR.join(words)).split(_SEPARATOR) if words else []
    if len(readings) != len(words):
        readings = [read(word) for word in words]
    return {w: r for w, r in zip(words, readings, strict=True) if r != w}


def _culprit(word: str, read: Callable[[str], str]) -> str:
    """The shortest piece of ``word`` that ``read`` changes ("告状" in "我就要去告状")."""
    for size in range(1, len(word) + 1):
        for start in range(len(word) - size + 1):
            piece = word[start : start + size]
            if read(piece) != piece:
                return piece
    return word


def _why(word: str, changed: str) -> str:
    if word != word.lower():
        return f"messages are lower-cased first; write {word.lower()!r}"
    if _NOT_WORD.search(word):
        return "punctuation, spaces and emoji are stripped from messages first; leave it out"
    simplified = clean(word)
    if simplified != word:
        return f"繁體 forms are converted to 简体 first (OpenCC); write {simplified!r}"
    return (
        f"normalize() rewrites it to {changed!r} first (knowledge/data/synonyms.txt); "
        f"write {changed!r}"
    )


Run = tuple[set[str], bool]  # spellings, and whether each is one written word


def _runs(items: list[tuple[Any, Any]], strict: bool = True) -> Iterator[Run]:
    """The literal words of a parsed regex, as runs each spelt every way its groups allow
    ("(我|俺)(的)?家" → {我家, 我的家, 俺家, 俺的家}), plus each word on its own and the
    words inside lookarounds, character classes and repeated groups. A run joined from
    several groups is not ``strict``: it may fold into another of its own spellings."""
    run: set[str] = {""}
    pieces = 0
    for op, arg in items:
        spelt = _spell(op, arg)
        if spelt is not None:
            if op is not sre.LITERAL:
                pieces += 1
                yield from _inner(op, arg)  # each word of the group on its own
            joined = {a + b for a in run for b in spelt}
            if len(joined) > _MAX_SPELLINGS:
                yield run, strict and pieces <= 1
                joined, pieces = spelt, 1
            run = joined
            continue
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            yield from _runs(list(arg[1]))  # the words it looks for, on their own
            continue
        if op is sre.AT:
            continue
        yield run, strict and pieces <= 1
        run, pieces = {""}, 0
        yield from _inner(op, arg)
    yield run, strict and pieces <= 1


def _inner(op: Any, arg: Any) -> Iterator[Run]:
    if op is sre.SUBPATTERN:
        yield from _runs(list(arg[3]))
    elif op is sre.BRANCH:
        for branch in arg[1]:
            yield from _runs(list(branch))
    elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        yield from _runs(list(arg[2]))
    elif op is sre.IN:
        yield from (({c}, True) for c in _class_words(arg))
    elif op is sre.LITERAL:
        yield {chr(arg)}, True


def _class_words(items: list[tuple[Any, Any]]) -> Iterator[str]:
    """A class's characters and ranges ([，。？?] is four dead characters; A-Z is dead)."""
    for op, arg in items:
        if op is sre.LITERAL:
            yield chr(arg)
        elif op is sre.RANGE:
            low, high = arg
            if low <= ord("Z") and high >= ord("A"):
                yield chr(max(low, ord("A")))  # an upper-case letter: reported as such
            elif high - low < 16:
                yield from (chr(c) for c in range(low, high + 1))


def _spell(op: Any, arg: Any) -> set[str] | None:
    """Every spelling of one item made of literals only; None when it has a wildcard."""
    if op is sre.LITERAL:
        return {chr(arg)}
    if op is sre.IN:
        if all(kind is sre.LITERAL for kind, _ in arg):
            return {chr(c) for _, c in arg}
        return None
    if op is sre.SUBPATTERN:
        return _spell_all(list(arg[3]))
    if op is sre.BRANCH:
        spellings: set[str] = set()
        for branch in arg[1]:
            spelt = _spell_all(list(branch))
            if spelt is None:
                return None
            spellings |= spelt
        return spellings
    if op is sre.MAX_REPEAT:
        low, high, item = arg
        inner = _spell_all(list(item))
        if inner is None or high > 3:
            return None
        result = {""}
        for _ in range(low):
            result = {a + b for a in result for b in inner}
        options = set(result)
        for _ in range(high - low):
            result = {a + b for a in result for b in inner}
            options |= result
        return options if len(options) <= _MAX_SPELLINGS else None
    return None


def _spell_all(items: list[tuple[Any, Any]]) -> set[str] | None:
    result = {""}
    for op, arg in items:
        spelt = _spell(op, arg)
        if spelt is None:
            return None
        result = {a + b for a in result for b in spelt}
        if len(result) > _MAX_SPELLINGS:
            return None
    return result
