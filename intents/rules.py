"""Understanding before the FAQ: which rule decides a message, most urgent first.

The words are data: cue files under ``intents/cues/`` (one per family, each cue with
examples and not-examples), compiled by ``intents/cues/compiler.py``, which refuses a word
normalisation would rewrite. This module holds only how cues combine — a means *with* a
verb of using it, weak farewell signs in pairs, a crowd as group + trip + pressure — and
the order rules are tried in: ``PRECEDENCE``, the one table. Cues read
``knowledge.text.normalize`` output (简体, lower case, synonyms folded, no punctuation);
danger is also read in the veteran's own words (``plain``), so "一死了之" never becomes
something milder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from intents import scams
from intents.action import HANDOFF, Action, Do, faq, flow
from intents.cues.compiler import Family, load
from intents.vocabulary import Intent

if TYPE_CHECKING:
    from intents.flows.base import Entry, Flow

SELF = load("crisis_self_harm")
OTHERS = load("harm_to_others")
CROWD = load("crowd")
CHAT = load("chit_chat")
ASK_HUMAN = load("handoff")
OUT_OF_SCOPE = load("out_of_scope")
ENTRY = load("flow_entry")

Test = Callable[[str], bool]


def cues(family: Family, *names: str) -> Test:
    """True when any of the named cues of ``family`` fires on a text."""
    patterns = tuple(family.pattern(name) for name in names)
    return lambda text: any(p.search(text) for p in patterns)


# -- crisis (DOMAIN.md §7) --------------------------------------------------------------------
# Any one of these is danger: said outright, a means being used, the dead joined or life
# called worthless, harm to others.
SAID_OUTRIGHT = cues(
    SELF,
    "not_live",
    "suicide_word",
    "life_without_hope",
    "cannot_go_on",
    "wish_to_die",
    "method_named",
    "burden",
    "never_wake",
    "last_words",
)
MEANS_USED = cues(
    SELF,
    "poison_hidden",
    "gas_opened",
    "hanging",
    "die_by",
    "blade",
    "burning",
    "charcoal",
    "pills_hoarded",
    "pills_taken",
    "water",
    "on_ledge",
)
DEATH_WISHED = cues(
    SELF, "life_worthless", "death_wish", "join_the_dead", "affairs_settled", "things_given_away"
)
HARM_TO_OTHERS = cues(
    OTHERS, "kill_person", "weapon_ready", "threat", "arson", "smashing", "violence_at_home"
)
# A poison named with a verb of using it, or held in the hand: quieted by a question about
# money ("误喝了农药，抢救费能报销吗"), and when held by farm work ("拿着农药去地里打药").
POISON_TAKEN = cues(SELF, "poison_taken")
POISON_HELD = cues(SELF, "poison_held")
FARM_WORK = cues(SELF, "farm_work")
MONEY_QUESTION = cues(SELF, "money_question")
OWN_INTENT = cues(SELF, "own_intent")
# Farewell: a strong sign alone, or weak signs of two different kinds.
FAREWELL = cues(SELF, "farewell_said", "means_ready", "belongings_left")
WEAK_SIGNS = tuple(
    cues(SELF, name)
    for name in (
        "weak_ready",
        "weak_sorry",
        "weak_resigned",
        "weak_unreachable",
        "weak_low",
        "weak_goodbyes",
        "weak_worthless",
        "weak_leaving_money",
    )
)


def farewell_signs(text: str) -> bool:
    """A strong farewell sign, or weak signs of two different kinds."""
    return FAREWELL(text) or sum(1 for weak in WEAK_SIGNS if weak(text)) >= 2


def asks_about_money(text: str) -> bool:
    """A question about money or a benefit with no wish of one's own in it."""
    return MONEY_QUESTION(text) and not OWN_INTENT(text)


def in_danger(text: str) -> bool:
    """Self-harm or harm to others in one wording of the message."""
    if POISON_TAKEN(text) and not asks_about_money(text):
        return True
    if POISON_HELD(text) and not asks_about_money(text) and not FARM_WORK(text):
        return True
    return (
        SAID_OUTRIGHT(text)
        or MEANS_USED(text)
        or DEATH_WISHED(text)
        or HARM_TO_OTHERS(text)
        or farewell_signs(text)
    )


# A crowd: strong words or a plan at a gate alone; Beijing unless asking whether one may;
# otherwise a group and a trip to a government place, for no ordinary purpose, with
# pressure or a call to come, or agreed among a counted many.
CROWD_ALONE = cues(CROWD, "crowd_words", "crowd_plan")
BEIJING = cues(CROWD, "beijing")
MAY_I = cues(CROWD, "may_i")
GROUP = cues(CROWD, "group")
GOV_TRIP = cues(CROWD, "gov_trip")
BENIGN_TRIP = cues(CROWD, "benign_trip")
PRESSURE = cues(CROWD, "pressure", "call_to_come")
AGREED = cues(CROWD, "agreed")
CROWD_SIZE = cues(CROWD, "crowd_size")


def crowd(text: str) -> bool:
    if CROWD_ALONE(text):
        return True
    if BEIJING(text) and not MAY_I(text):
        return True
    if not (GROUP(text) and GOV_TRIP(text)) or BENIGN_TRIP(text):
        return False
    return PRESSURE(text) or (AGREED(text) and CROWD_SIZE(text))


def crisis_action(norm: str, plain: str | None = None) -> Action | None:
    """``crisis:self`` (self-harm, harm to others), ``crisis:crowd`` (read in either
    wording), or None."""
    words = (norm, plain) if plain else (norm,)
    if any(in_danger(w) for w in words):
        return Action(Do.CRISIS, "self")
    if any(crowd(w) for w in words):
        return Action(Do.CRISIS, "crowd")
    return None


# -- what the flows' entries ask (their cues are intents/cues/flow_entry.yaml) -------------------
QUESTION = ENTRY.pattern("question")
SAYS_WANTS_TO_FILE = cues(ENTRY, "says_wants_to_file")
FOLLOW_UP_WANTS = cues(ENTRY, "follow_up_wants")
FOLLOW_UP_ASKS = cues(ENTRY, "follow_up_asks")
names_card_stage = cues(ENTRY, "card_stage")  # "显示初审通过，这是到哪一步了"


def asks_about_rules(norm: str) -> bool:
    """ "信访多久受理" asks about the rules; "我要信访" wants to file one."""
    return not SAYS_WANTS_TO_FILE(norm) and bool(QUESTION.search(norm))


def asks_about_follow_up(norm: str) -> bool:
    """ "复查的期限是多久" asks about the rules; "我要申请复查" wants to ask for one."""
    return not FOLLOW_UP_WANTS(norm) and FOLLOW_UP_ASKS(norm)


# -- small talk ---------------------------------------------------------------------------------
END_HANDOFF = ASK_HUMAN.pattern("end_handoff")
GREETING_PREFIX = CHAT.pattern("greeting_prefix")


def strip_greeting(norm: str) -> str:
    return GREETING_PREFIX.sub("", norm)


# -- the precedence table -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleMatch:
    intent: Intent
    action: Action


@dataclass(frozen=True)
class Message:
    """A message as the rules read it: normalised, in the veteran's own words (None in the
    second reading, after a greeting was stripped), and the flows it may start."""

    norm: str
    plain: str | None = None
    flows: Mapping[str, Flow] = field(default_factory=dict)

    @property
    def own(self) -> str:
        return self.plain or self.norm


Rule = Callable[[Message], RuleMatch | None]


def when(test: Callable[[Message], bool], intent: Intent, action: Action) -> Rule:
    return lambda m: RuleMatch(intent, action) if test(m) else None


def on_norm(family: Family, *names: str) -> Callable[[Message], bool]:
    test = cues(family, *names)
    return lambda m: test(m.norm)


def _crisis(m: Message) -> RuleMatch | None:
    danger = crisis_action(m.norm, m.plain)
    return RuleMatch(Intent.CRISIS, danger) if danger else None


def _dishonest(m: Message) -> RuleMatch | None:
    warning = scams.action(m.norm)
    return RuleMatch(Intent.FAQ, faq(warning)) if warning else None


#: flows whose entries are tried first, in this order (复查 before 查询进度 before 信访);
#: any other flow follows in the order the context lists it
FLOW_ORDER = ("follow_up", "lookup", "card_status", "card", "survival_cert", "petition")


def _callback(m: Message) -> RuleMatch | None:
    """ "请工作人员给我打电话": the call-back flow, before 转人工 takes it as a wish to chat."""
    started = m.flows.get("callback")
    if started is None:
        return None
    for entry in started.entry:
        found = _enters(started, entry, m.norm)
        if found is not None:
            return found
    return None


def _flows_in_order(flows: Mapping[str, Flow]) -> Iterator[Flow]:
    yield from (flows[name] for name in FLOW_ORDER if name in flows)
    yield from (f for name, f in flows.items() if name not in FLOW_ORDER)


def _fires(entry: Entry, norm: str) -> bool:
    return any(ENTRY.pattern(cue).search(norm) for cue in entry.cues)


def _enters(started: Flow, entry: Entry, norm: str) -> RuleMatch | None:
    if not _fires(entry, norm) or (entry.unless and entry.unless(norm)):
        return None
    if entry.instead and ENTRY.pattern(entry.instead[0]).search(norm):
        return RuleMatch(Intent.FAQ, faq(entry.instead[1]))
    name = f"{started.name}:{entry.preset}" if entry.preset else started.name
    return RuleMatch(started.intent, flow(name))


def _flow_entry(m: Message) -> RuleMatch | None:
    """The first flow whose ``Flow.entry`` the message meets."""
    for candidate in _flows_in_order(m.flows):
        for entry in candidate.entry:
            found = _enters(candidate, entry, m.norm)
            if found is not None:
                return found
    return None


def unanswered_flow(norm: str, flows: Mapping[str, Flow]) -> str | None:
    """A flow that takes down a message the KB cannot answer ("反映了八年没解决，有没有领导
    专门管": a grievance, even though it asks), or None."""
    for candidate in _flows_in_order(flows):
        if any(e.unanswered and _fires(e, norm) for e in candidate.entry):
            return candidate.name
    return None


_SALUTE = cues(CHAT, "salute")
_TRAVEL = cues(OUT_OF_SCOPE, "travel")
_TRAVEL_BENEFIT = cues(OUT_OF_SCOPE, "travel_benefit")
_OUT_OF_SCOPE = cues(OUT_OF_SCOPE, "out_of_scope", "system_probe")
_GREETING = Intent.GREETING

#: Every rule, most urgent first; the first that fires decides the message.
PRECEDENCE: tuple[tuple[str, Rule], ...] = (
    ("crisis", _crisis),
    ("bot_or_human", when(on_norm(CHAT, "bot_or_human"), _GREETING, Action(Do.BOT_OR_HUMAN))),
    ("callback", _callback),
    (
        "handoff",
        when(on_norm(ASK_HUMAN, "handoff", "call_me", "cannot_type"), Intent.HANDOFF, HANDOFF),
    ),
    ("scam", _dishonest),
    # a bare "年审": the entry that tells the card's from the yearly 年度确认
    ("bare_nianshen", when(on_norm(ENTRY, "bare_nianshen"), Intent.FAQ, faq("sc.not_card"))),
    ("flows", _flow_entry),
    ("greeting", when(on_norm(CHAT, "greeting"), _GREETING, Action(Do.GREETING))),
    (
        "salute",
        when(
            lambda m: _SALUTE(m.own) or _SALUTE(strip_greeting(m.own)), _GREETING, Action(Do.SALUTE)
        ),
    ),
    ("thanks", when(on_norm(CHAT, "thanks"), _GREETING, Action(Do.THANKS))),
    ("help", when(on_norm(CHAT, "help", "can_i_ask"), _GREETING, Action(Do.HELP))),
    ("who", when(on_norm(CHAT, "identity"), _GREETING, Action(Do.WHO))),
    (
        "out_of_scope",
        when(
            lambda m: _OUT_OF_SCOPE(m.norm) or (_TRAVEL(m.norm) and not _TRAVEL_BENEFIT(m.norm)),
            Intent.OUT_OF_SCOPE,
            Action(Do.OUT_OF_SCOPE),
        ),
    ),
)


def match(
    norm: str, plain: str | None = None, flows: Mapping[str, Flow] | None = None
) -> RuleMatch | None:
    """The first rule of ``PRECEDENCE`` that fires on a normalised message. Flows start
    only when ``flows`` are given (the engine passes its own)."""
    if not norm:
        return None
    message = Message(norm, plain, flows or {})
    for _name, rule in PRECEDENCE:
        found = rule(message)
        if found is not None:
            return found
    return None
