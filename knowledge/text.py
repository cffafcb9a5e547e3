"""Text normalisation and tokenisation for Chinese user messages.

全角→半角, 繁→简 (OpenCC), emoji/punctuation/whitespace stripped, synonyms
mapped to one canonical word, then jieba with a domain dictionary.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

_HERE = Path(__file__).parent
USER_DICT = _HERE / "data" / "userdict.txt"
#: jieba's dictionary trimmed to words with frequency >= 20 (80k of 349k words):
#: a third of the memory and load time, same segmentation for everyday Chinese.
MAIN_DICT = _HERE / "data" / "jieba_dict.txt"
SYNONYMS = _HERE / "data" / "synonyms.txt"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\ufeff]")
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_TAGS = re.compile(r"<[^>]{0,200}>")

STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 嘛 么 哦 哈 是 我 你 他 她 它 我们 你们 请问 请 问 一下 想 想问 问问 "
    "那个 这个 个 一 要 能 会 可以 能不能 可不可以 有 没有 在 和 与 及 或 就 都 也 还 又 "
    "怎么 怎么样 怎样 如何 什么 啥 咋 咋个 啥子 多少 哪 哪里 哪儿 吗 呐 哩 喽 俺 咱 您 "
    "知道 告诉 谢谢 麻烦 帮 帮忙 一个 现在 这 那 些 得 地 着 过 把 被 给 让 说 "
    "有没有 是不是 有什么 怎么办 咋办 咋整 怎么弄 怎么搞 还能 还可以 需要 真的 听说 据说 村里 群里".split()
)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, str]:
    """variant -> canonical word; canonical words map to themselves so that a short
    variant (建档) never rewrites inside its own canonical form (建档立卡)."""
    table: dict[str, str] = {}
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        canonical, *variants = line.split()
        table.setdefault(canonical, canonical)
        for variant in variants:
            table[variant] = canonical
    return table


@lru_cache(maxsize=1)
def _synonym_pattern() -> re.Pattern[str]:
    words = sorted(synonym_table(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


_jieba_ready = False


def _ensure_jieba() -> None:
    global _jieba_ready
    if _jieba_ready:
        return
    jieba.setLogLevel(logging.WARNING)
    jieba.set_dictionary(str(MAIN_DICT))  # cached by jieba in the temp dir after the first load
    jieba.load_userdict(str(USER_DICT))
    for canonical in set(synonym_table().values()):
        jieba.add_word(canonical, freq=20000)
    _jieba_ready = True


def clean(text: str) -> str:
    """What the user meant to type: NFKC (全角→半角), no control chars, no tags, 简体."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub(" ", text)
    text = _TAGS.sub(" ", text)
    text = _converter().convert(text)
    return " ".join(text.split())


def apply_synonyms(text: str) -> str:
    """Fold every known variant to its canonical word in one left-to-right pass."""
    table = synonym_table()
    return _synonym_pattern().sub(lambda m: table[m.group(0)], text)


def normalize(text: str) -> str:
    """Lower-case, 简体, synonyms folded, punctuation and emoji removed."""
    text = clean(text).lower()
    text = apply_synonyms(text)
    return _NOT_WORD.sub("", text)


def plain_words(text: str) -> str:
    """Like ``normalize`` but without folding synonyms: the user's own words."""
    return _NOT_WORD.sub("", clean(text).lower())


def tokenize(text: str) -> list[str]:
    """Search tokens of a normalised text: jieba words minus stopwords, plus bigrams of
    single-character runs so typos and unseen words still overlap."""
    return words(text) + char_bigrams(text)


def words(text: str) -> list[str]:
    """jieba words of a normalised text, without stopwords."""
    _ensure_jieba()
    return [w for w in jieba.lcut_for_search(text) if w.strip() and w not in STOPWORDS]


BIGRAM = "~"

#: jieba parts of speech of content words: nouns, verbs, short phrases, abbreviations.
#: Not pronouns (r), numerals (m/q), time (t/f), places (ns), adverbs (d), adjectives
#: (a), names (nr: jieba tags many place and person names so) or function words.
CONTENT_TAGS = frozenset("n nz nt ng j l i v vn vd".split())
#: Words that sit in many questions without changing what is asked: kinship and
#: people, places, politeness, generic verbs, and the benefit words every "X有优惠吗"
#: question shares. They never count as content words. (Single characters, numbers,
#: time words and pronouns are left out by length and part of speech already.)
FILLERS = frozenset(
    "爷爷 奶奶 外公 外婆 姥爷 姥姥 爷奶 公公 婆婆 岳父 岳母 丈人 丈母娘 儿子 女儿 孙子 孙女 "
    "外孙 外孙女 哥哥 姐姐 弟弟 妹妹 大哥 大姐 二哥 兄弟 姐妹 兄妹 兄弟姐妹 舅舅 舅妈 叔叔 "
    "婶婶 伯伯 大伯 姑姑 姑父 阿姨 姨妈 姨父 丈夫 妻子 老婆 老公 媳妇 儿媳 儿媳妇 女婿 老伴 "
    "老伴儿 遗孀 寡妇 侄子 侄女 外甥 外甥女 亲戚 家属 家人 亲人 孩子 小孩 子女 后代 晚辈 "
    "长辈 老人 老人家 老头 老头子 老太太 老太婆 老爷子 战友 老战友 邻居 朋友 同事 同学 "
    "村里人 乡亲 村民 本人 对象 父母 "
    "外省 外地 本地 当地 老家 县里 县城 市里 省里 省城 镇上 镇里 村里 乡下 城里 家里 家乡 "
    "工地 厂里 单位 部队 "
    "您好 你好 同志 领导 师傅 老师 工作人员 打扰 劳驾 请教 谢谢您 辛苦 "
    "优惠 打折 折扣 免费 收费 补贴 补助 待遇 政策 照顾 优先 优待 福利 减免 好处 "
    "办理 能办 要办 去办 来办 再办 申请 申领 领取 能领 手续 "
    "打工 上班 干活 进去 出来 回来 回去 过来 回事 才能 来得及 打电话 有待 "
    "看看 问下 咨询 了解 清楚 明白 办法 情况 事情 东西 问题 意思 "
    "时候 日子 年纪 岁数 辈子 一辈子 身体 动静 有点 毛病".split()
)


@lru_cache(maxsize=1)
def content_words() -> dict[str, int]:
    """Nouns and verbs jieba knows (and every word of the domain dictionary), with their
    everyday frequency in jieba's dictionary; fillers left out."""
    found: dict[str, int] = {}
    for path in (MAIN_DICT, USER_DICT):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and (parts[2] in CONTENT_TAGS or path == USER_DICT):
                found[parts[0]] = int(parts[1])
    for word in FILLERS:
        found.pop(word, None)
    return found


def char_bigrams(text: str) -> list[str]:
    """Character bigrams (marked with ``~``) so typos and unseen words still overlap."""
    return [BIGRAM + text[i : i + 2] for i in range(len(text) - 1)]


def warm_up() -> None:
    """Load jieba's dictionary now (it is cached on disk after the first run)."""
    _ensure_jieba()
    tokenize("优待证")
