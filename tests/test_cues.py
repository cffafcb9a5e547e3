"""The cue files (intents/cues/*.yaml): every example fires its cue, every not-example
does not, and the compiler refuses a word normalisation would rewrite before any cue sees
the message (the 闺女 greeting that answered "not sure" because 闺女 had become 女儿)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents import rules, scams
from intents.cues.compiler import HERE, CueError, compile_family, load
from intents.flows import default_flows

FAMILIES = sorted(p.stem for p in HERE.glob("*.yaml"))
CASES = [
    (family, name, example, expected)
    for family in FAMILIES
    for name, cue in load(family).cues.items()
    for expected, examples in ((True, cue.examples), (False, cue.not_examples))
    for example in examples
]


def test_every_family_the_rules_read_is_a_file() -> None:
    assert {"crisis_self_harm", "harm_to_others", "crowd", "scams", "chit_chat"} <= set(FAMILIES)
    assert {"handoff", "out_of_scope", "flow_entry"} <= set(FAMILIES)


@pytest.mark.parametrize(
    ("family", "cue", "example", "expected"),
    CASES,
    ids=[f"{f}.{c}:{'+' if e else '-'}{x[:12]}" for f, c, x, e in CASES],
)
def test_each_example_fires_its_cue_and_each_not_example_does_not(
    family: str, cue: str, example: str, expected: bool
) -> None:
    assert load(family).cues[cue].matches(example) is expected


@pytest.mark.parametrize("family", FAMILIES)
def test_every_cue_is_read_by_the_rules_a_flow_or_another_cue(family: str) -> None:
    assert rules is not None and scams is not None  # both read their cues on import
    assert default_flows()  # each Flow.entry reads its cues
    assert load(family).unused() == []


def _refusal(cues: dict[str, object], reads: str = "norm") -> str:
    with pytest.raises(CueError) as refused:
        compile_family("test", {"reads": reads, "cues": cues}, "intents/cues/test.yaml")
    return str(refused.value)


def _cue(*alternatives: str) -> dict[str, object]:
    return {"any": list(alternatives), "examples": ["你好"], "not": ["再见"]}


def test_a_word_normalisation_rewrites_is_refused_with_the_cue_and_the_word() -> None:
    message = _refusal({"greeting": _cue("^(闺女|姑娘)?(你好|您好)+$")})
    assert "intents/cues/test.yaml" in message and "cue 'greeting'" in message
    assert "'闺女' can never match" in message and "write '女儿'" in message


def test_a_word_folded_only_together_with_its_neighbour_is_refused() -> None:
    # 今年 and 年审 pass alone, but "今年年审" reads as 今每年审 (年年 → 每年)
    assert "'年年' can never match (in '做今年年审')" in _refusal({"start": _cue("做(今年)?年审")})


def test_upper_case_traditional_characters_and_punctuation_are_refused() -> None:
    message = _refusal(
        {
            "actor": _cue("(qq|QQ)号"),
            "scam": _cue("騙子"),
            "ask": _cue("(能|可以).{0,12}(吗|么)[？?]?$"),
            "code": {"words": ["xf-"], "examples": ["x"], "not": ["y"]},
        }
    )
    assert "cue 'actor': 'Q' can never match (in 'QQ'): messages are lower-cased" in message
    assert "cue 'scam': '騙' can never match (in '騙子'): 繁體" in message and "'骗'" in message
    assert "cue 'ask': '？' can never match: punctuation" in message
    assert "cue 'code': '-' can never match (in 'xf-'): punctuation" in message


def test_words_inside_lookaheads_and_classes_are_checked_too() -> None:
    message = _refusal({"p": _cue("(?<![A-Za-z])p(?!APP|s)")})
    assert "'A' can never match" in message


def test_a_family_read_in_the_veterans_own_words_keeps_words_synonyms_fold() -> None:
    """Crisis cues read the message unfolded too, so 我妈 (folded to 父母) is alive there."""
    family = compile_family(
        "test",
        {
            "reads": "both",
            "cues": {"kin": {"words": ["我妈"], "examples": ["我妈病了"], "not": ["x"]}},
        },
        "test.yaml",
    )
    assert family.cues["kin"].matches("我妈病了")
    assert "'我' can never match" not in _refusal({"kin": _cue("我妈")})  # culprit named whole
    assert "'我妈' can never match" in _refusal({"kin": _cue("我妈")})


def test_a_fold_into_another_spelling_of_the_same_words_is_fine() -> None:
    """(年度)?认证 spells 年度认证, which normalisation turns into 生存认证 — also spelt."""
    cues = {"cert": _cue("^做(年度)?(生存认证|认证)$")}
    family = compile_family("test", {"cues": cues}, "test.yaml")
    assert family.cues["cert"].matches("做年度认证")


def test_unknown_references_cycles_missing_examples_and_bare_numbers_are_refused() -> None:
    message = _refusal(
        {
            "a": _cue("{b}"),
            "b": _cue("{a}"),
            "c": _cue("{nowhere}"),
            "d": {"words": [12306], "examples": ["x"], "not": ["y"]},
            "e": {"words": ["好"], "examples": ["好"]},
        }
    )
    assert "refers to itself" in message and "{nowhere}" in message
    assert "cue 'd': 'words' must be a list of non-empty text (quote numbers" in message
    assert "cue 'e': needs at least one 'not' sentence" in message


def test_the_shipped_cue_files_compile(tmp_path: Path) -> None:
    for family in FAMILIES:
        (tmp_path / "intents" / "cues").mkdir(parents=True, exist_ok=True)
        source = (HERE / f"{family}.yaml").read_text(encoding="utf-8")
        (tmp_path / "intents" / "cues" / f"{family}.yaml").write_text(source, encoding="utf-8")
        assert len(load(family, tmp_path / "intents" / "cues")) > 0
