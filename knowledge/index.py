"""Retrieval: BM25 (bm25s) over every question phrasing, re-ranked with rapidfuzz.

The confidence is the share of the question's information (IDF-weighted tokens)
that a phrasing explains, blended with how much of the phrasing the question
contains and a character-level fuzzy score. Unknown words count against it, so
"今天天气怎么样" does not look like a veterans' question.

A generic phrasing matches the frame of many questions it does not answer
("退役军人看病有优惠吗" and "退役军人考驾照有优惠吗"), so the question's key words are
checked too: nouns and verbs rare in the KB or unknown to it (驾照, 民兵, 疫苗), not
everyday language, not fillers (kinship, places, politeness, generic verbs, 优惠/免费).
When the entry never uses a key word (in any phrasing or its answer) and the matched
phrasing shares none of its own specific words with the question (看病 above, or
nothing at all: "优待证有啥优惠"), the match is damped. Context words in a long story
do not hurt a phrasing that is anchored ("优待证丢了" in "优待证赶集弄丢了"). The hit
lists the unmatched key words (``Hit.unmatched``) so a low score can be explained.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from rapidfuzz import fuzz

from knowledge import aspect as aspects_mod
from knowledge.kb import Entry, KnowledgeBase
from knowledge.text import BIGRAM, FILLERS, char_bigrams, content_words, normalize, words

CANDIDATES = 40
BIGRAM_WEIGHT = 0.25
LONG_MESSAGE = 40  # characters (normalised)
OOV_WEIGHT = 0.6  # a word the KB never uses weighs like this share of the rarest known word
WEIGHTS = (0.3, 0.5, 0.2)  # question covered, phrasing covered, character similarity
LONG_WEIGHTS = (0.3, 0.4, 0.3)
SUBJECT_MISSING = 0.85  # the question never names the entry's subject
SUBJECT_FOREIGN = 0.8  # the question names another topic's subject the entry never mentions
KEY_IDF = 5.7  # a word in a handful of phrasings at most (or none) can be a key word
EVERYDAY = 5000  # above this jieba frequency a word is everyday language (地方, 解决), not key
ANCHOR_IDF = 3.0  # a shared word this rare anchors a phrasing (退役军人, 优待证 are too common)
KEY_MISSING = 0.6  # per key word the entry never mentions, on an unanchored phrasing ...
KEY_MISSING_MAX = 2  # ... counted at most this many times
CACHE_SIZE = 4096  # recent questions remembered (menu words and common questions repeat a lot)
CACHE_TEXT = 200  # longer messages are one-offs: not worth the memory
FACET_FIT = 1.04  # the entry has a facet for the asked aspect (a fee question, a fee facet)
ASPECT_MISSING = 0.97  # neither a facet nor its answer holds what the asked aspect needs


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    phrasing: str
    unmatched: tuple[str, ...] = ()  # key words of the question the entry never mentions


@dataclass(frozen=True)
class _Doc:
    entry_index: int
    text: str
    tokens: frozenset[str]
    weight: float = 0.0  # IDF mass of its tokens (filled once the IDF is known)
    anchors: frozenset[str] = frozenset()  # its specific content words (看病 in 看病有优惠吗)


@dataclass(frozen=True)
class _Query:
    text: str
    tokens: list[str]
    weight: float
    subjects: frozenset[str]  # subject words of any topic that the question names
    token_weights: dict[str, float]  # each token's share of ``weight``
    key_words: tuple[str, ...] = ()  # rare content words that say what is asked


class Index:
    """An immutable search index over a KB; rebuild it to change the KB."""

    def __init__(
        self,
        kb: KnowledgeBase,
        progress: Callable[[int, int], None] | None = None,
        extra: Sequence[tuple[int, str]] = (),
    ) -> None:
        self.kb = kb
        self._docs: list[_Doc] = []
        corpus: list[list[str]] = []
        pairs = [(i, q) for i, e in enumerate(kb.entries) for q in e.questions]
        pairs.extend(extra)
        phrasing_words: list[list[str]] = []
        for n, (entry_index, phrasing) in enumerate(pairs):
            text = normalize(phrasing)
            found = words(text)
            tokens = found + char_bigrams(text) or [text or "_"]
            corpus.append(tokens)
            phrasing_words.append(found)
            self._docs.append(_Doc(entry_index, text, frozenset(tokens)))
            if progress and n % 500 == 0:
                progress(n, len(pairs))
        self._idf = _idf(d.tokens for d in self._docs)
        self._subjects = [frozenset(normalize(w) for w in e.subject) for e in kb.entries]
        self._all_subjects = frozenset().union(*self._subjects) if self._subjects else frozenset()
        self._entry_text = ["|".join(normalize(q) for q in e.questions) for e in kb.entries]
        self._entry_vocabulary = [
            "|".join(normalize(t) for t in (*e.questions, e.answer, *e.region_overrides.values()))
            for e in kb.entries
        ]
        self._faceted = [frozenset(f.aspect for f in e.facets) for e in kb.entries]
        self._serves = [_serves(e) for e in kb.entries]
        self._content_words = content_words()
        self._oov_idf = OOV_WEIGHT * max(self._idf.values(), default=1.0)
        self._docs = [
            _Doc(d.entry_index, d.text, d.tokens, self._weight(d.tokens), self._anchors(found))
            for d, found in zip(self._docs, phrasing_words, strict=True)
        ]
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
        if progress:
            progress(len(pairs), len(pairs))
        self._remembered = functools.lru_cache(maxsize=CACHE_SIZE)(self._search_once)

    @property
    def size(self) -> int:
        return len(self._docs)

    def search(
        self,
        query: str,
        limit: int = 3,
        leave_out: str | None = None,
        aspects: tuple[str, ...] = (),
        needs: tuple[str, ...] = (),
    ) -> list[Hit]:
        """Best entries for ``query``, one hit per entry, best first.

        ``aspects``: what the question asks about its topic (knowledge/aspect.py, read in the
        veteran's own words): an entry with a facet for it ranks higher. ``needs``: the asked
        facts an answer must hold; an entry lacking them all (no sum for an amount
        question) ranks lower.
        ``leave_out`` names an entry id whose phrasing equal to ``query`` is ignored
        (leave-one-out, for the linter). The index never changes, so recent results are
        remembered: the same question asked again costs a dictionary lookup."""
        if leave_out is not None or len(query) > CACHE_TEXT:
            return self._search(query, limit, leave_out, aspects, needs)
        return list(self._remembered(query, limit, aspects, needs))

    def _search_once(
        self, query: str, limit: int, aspects: tuple[str, ...], needs: tuple[str, ...]
    ) -> tuple[Hit, ...]:
        return tuple(self._search(query, limit, None, aspects, needs))

    def _search(
        self,
        query: str,
        limit: int,
        leave_out: str | None,
        aspects: tuple[str, ...] = (),
        needs: tuple[str, ...] = (),
    ) -> list[Hit]:
        text = normalize(query)
        found = words(text)
        tokens = list(dict.fromkeys(found + char_bigrams(text)))
        if not tokens or not self._docs:
            return []
        known = [t for t in tokens if t in self._idf]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        k = min(CANDIDATES, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        best: dict[int, Hit] = {}
        token_weights = {t: self._weight((t,)) for t in tokens}
        asked = _Query(
            text,
            tokens,
            sum(token_weights.values()),
            frozenset(w for w in self._all_subjects if w in text),
            token_weights,
            self._key_words(found),
        )
        fits: dict[int, tuple[float, tuple[str, ...]]] = {}
        for doc_index in top:
            if scores[doc_index] <= 0:
                continue
            doc = self._docs[int(doc_index)]
            if leave_out and doc.text == text and self.kb.entries[doc.entry_index].id == leave_out:
                continue
            if doc.entry_index not in fits:
                unmatched = self._unmatched(asked, doc.entry_index)
                fit = self._subject_fit(asked, doc.entry_index)
                fits[doc.entry_index] = (fit, unmatched)
            fit, unmatched = fits[doc.entry_index]
            fit *= self._aspect_fit(aspects, needs, doc.entry_index)
            if unmatched and not any(w in text for w in doc.anchors):
                fit *= KEY_MISSING ** min(len(unmatched), KEY_MISSING_MAX)
            score = self._confidence(asked, doc, fit)
            current = best.get(doc.entry_index)
            if current is None or score > current.score:
                best[doc.entry_index] = Hit(
                    self.kb.entries[doc.entry_index], score, doc.text, unmatched
                )
        return sorted(best.values(), key=lambda h: -h.score)[:limit]

    def _aspect_fit(
        self, aspects: tuple[str, ...], needs: tuple[str, ...], entry_index: int
    ) -> float:
        """Weigh what was asked: a fee question prefers the entry with a fee facet over the
        one about 申领 steps; an entry whose answer lacks the needed fact ranks lower."""
        if entry_index >= len(self._serves):
            return 1.0
        if any(a in self._faceted[entry_index] for a in aspects if a in aspects_mod.SPECIFIC):
            return FACET_FIT
        if needs and not any(a in self._serves[entry_index] for a in needs):
            return ASPECT_MISSING
        return 1.0

    def _names_subject(self, text: str, entry_index: int) -> bool:
        """Does the question name what the entry is about (e.g. 优待证 for card entries)?"""
        subject = self._subjects[entry_index] if entry_index < len(self._subjects) else frozenset()
        return not subject or any(word in text for word in subject)

    def _weight(self, tokens: Sequence[str] | frozenset[str]) -> float:
        """IDF mass of tokens; unknown words weigh like the rarest known word,
        character bigrams a quarter (they back words up, they don't lead)."""
        total = 0.0
        for t in tokens:
            w = self._idf.get(t, self._oov_idf)
            total += BIGRAM_WEIGHT * w if t.startswith(BIGRAM) else w
        return total

    def _confidence(self, query: _Query, doc: _Doc, fit: float) -> float:
        text = query.text
        weights = query.token_weights
        shared = sum(weights[t] for t in doc.tokens.intersection(weights))
        covered_query = shared / max(query.weight, 1e-9)
        covered_doc = shared / max(doc.weight, 1e-9)
        chars = max(fuzz.ratio(text, doc.text), 0.9 * fuzz.partial_ratio(doc.text, text)) / 100
        if len(text) > LONG_MESSAGE:  # a long story: judge by how much of a known question it holds
            wq, wd, wc = LONG_WEIGHTS
        else:
            wq, wd, wc = WEIGHTS
        score = (wq * covered_query + wd * covered_doc + wc * chars) * fit
        return round(min(1.0, max(0.0, score)), 4)

    def _content(self, found: Sequence[str]) -> list[str]:
        """Content words among jieba words: nouns and verbs of two characters or more, not
        negated (不住, 没法), not fillers; 信用 inside 信用卡 is dropped."""
        return _outermost(w for w in found if _is_word(w) and w in self._content_words)

    def _anchors(self, found: Sequence[str]) -> frozenset[str]:
        """A phrasing's specific words: a question sharing one is about the same thing
        (看病 in 退役军人看病有优惠吗). Any word of the phrasing counts (搬到, 60), but not
        fillers nor words as common in the KB as 退役军人 or 优待证."""
        return frozenset(
            _outermost(
                w
                for w in found
                if _is_word(w) and w not in FILLERS and self._idf.get(w, 0.0) >= ANCHOR_IDF
            )
        )

    def _key_words(self, found: Sequence[str]) -> tuple[str, ...]:
        """The question's key words: content words that are not everyday language and are
        rare in the KB or unknown to it (驾照, 民兵, 疫苗)."""
        return tuple(
            w
            for w in self._content(found)
            if self._content_words[w] <= EVERYDAY and self._idf.get(w, KEY_IDF) >= KEY_IDF
        )

    def _unmatched(self, query: _Query, entry_index: int) -> tuple[str, ...]:
        """Key words of the question that none of the entry's phrasings nor its answer use."""
        if not query.key_words or entry_index >= len(self._entry_vocabulary):
            return ()
        vocabulary = self._entry_vocabulary[entry_index]
        return tuple(w for w in query.key_words if w not in vocabulary)

    def _subject_fit(self, query: _Query, entry_index: int) -> float:
        """Damp an entry whose subject the question never names (优待证 for card entries),
        or when the question names another topic's subject the entry never mentions
        ("优待证丢了" must not land on "身份证丢了")."""
        if entry_index >= len(self._subjects):
            return 1.0
        factor = 1.0
        if not self._names_subject(query.text, entry_index):
            factor *= SUBJECT_MISSING
        vocabulary = self._entry_text[entry_index]
        if any(word not in vocabulary for word in query.subjects):
            factor *= SUBJECT_FOREIGN
        return factor


def _serves(entry: Entry) -> frozenset[str]:
    """The aspects an entry answers: its facets, and those its general answer holds the
    fact for (a sum, a time, an office…)."""
    texts = (entry.answer, *entry.region_overrides.values())
    held = {a for a in aspects_mod.ASPECTS if any(aspects_mod.answers(a, t) for t in texts)}
    return frozenset(held | {f.aspect for f in entry.facets})


def _outermost(found: Iterable[str]) -> list[str]:
    """The words once each, without those inside another of them (信用 in 信用卡)."""
    kept = list(dict.fromkeys(found))
    return [w for w in kept if not any(w != o and w in o for o in kept)]


def _is_word(word: str) -> bool:
    """Two characters or more and not a negation (不住, 没法 say how, not what)."""
    return len(word) >= 2 and word[0] not in "不没"


def _idf(token_sets: Iterable[frozenset[str]]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    n = 0
    for tokens in token_sets:
        counts.update(tokens)
        n += 1
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in counts.items()}
