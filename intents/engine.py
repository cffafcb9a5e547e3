"""The heart: ``step(state, inbound, ctx) -> Turn``. Pure and synchronous: no DB,
no network, no clock but ``inbound.at``. The IO shell in ``bot/`` saves the new
state, applies the effects and queues the replies in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from intents import asking, deadline_questions, human, rules, texts
from intents.action import HANDOFF, Action, Do, faq
from intents.compose import LOCAL_WORDS
from intents.context import Context
from intents.faq import Answer, Asked, entry_reply, lookup, reply_and_sources, topic_label
from intents.flows import control, runner
from intents.flows.base import Flow, Preset
from intents.flows.control import expects_sensitive
from intents.options import pick
from intents.state import ConversationState
from intents.turn import (
    Effect,
    Inbound,
    RecordUnanswered,
    Reply,
    Turn,
    Understanding,
)
from intents.vocabulary import Intent
from knowledge import aspect
from knowledge import place as places
from knowledge.index import Hit
from knowledge.kb import Entry
from knowledge.render import context_for, render_answer
from knowledge.text import clean, normalize, plain_words

MAX_CHARS = 500  # longer messages are read up to here (the rest is kept for staff)
RECENT = 6  # user lines kept for a ticket's excerpt
CANCEL = {
    "取消",
    "退出",
    "算了",
    "不办了",
    "不要了",
    "结束",
    "不弄了",
    "停止",
    "返回主菜单",
    "主菜单",
}
BACK = {"上一步", "返回上一步", "返回", "后退", "上一个"}
RESTART = {"重新开始", "重来", "从头开始", "重新来"}
HELP = {"帮助", "怎么用", "不会弄", "看不懂"}
RESUME = ("继续上次的", "重新开始", "不办了")
MIN_QUESTION_CHARS = 2  # a mid-flow digression must have words, not only digits
_CJK = re.compile(r"[\u3400-\u9fff]")


#: actions answered with the menu under a lead text, and those answered with one line
MENU_REPLIES = {
    Do.GREETING: texts.GREETING,
    Do.SALUTE: texts.SALUTE,
    Do.HELP: texts.HELP,
    Do.WHO: texts.WHO,
    Do.BOT_OR_HUMAN: texts.BOT_OR_HUMAN,
    Do.MENU: texts.HELP,
}
DONE_REPLIES = {Do.THANKS: texts.THANKS, Do.ASK_POLICY: texts.ASK_POLICY}
CHOICE_LABELS = {Do.ASK_POLICY: "政策咨询", Do.HANDOFF: "转人工"}
VOICE = "__voice__"  # a voice message without WeChat's recognised text
VOICE_LABELS = dict(zip(texts.VOICE_ACTIONS, texts.VOICE_OPTIONS, strict=True))


def step(state: ConversationState, inbound: Inbound, ctx: Context) -> Turn:
    raw = clean(inbound.text)[:MAX_CHARS]
    text = _event_text(inbound) or raw
    idle = _idle_hours(state, inbound.at)
    line = "［个人信息］" if raw and expects_sensitive(state, ctx) else raw
    state = state.model_copy(
        update={
            "last_activity": inbound.at,
            "recent": [*state.recent, line][-RECENT:] if line else state.recent,
        }
    )
    return _Step(state, text, ctx, idle, inbound).run()


def _event_text(inbound: Inbound) -> str:
    if inbound.event == "subscribe":
        return "__welcome__"
    if inbound.event == "voice":
        return VOICE
    if inbound.event and inbound.event.startswith("menu:"):
        return "__" + inbound.event + "__"
    return ""


def _china_date(at: dt.datetime) -> dt.date:
    """The calendar date in China (UTC+8, no daylight saving) for deadlines."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return (at + dt.timedelta(hours=8)).astimezone(dt.UTC).date()


def _idle_hours(state: ConversationState, now: dt.datetime) -> float:
    if state.last_activity is None:
        return 0.0
    last = state.last_activity
    if last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return (now - last).total_seconds() / 3600


class _Step:
    """One turn's decision; a small object only to avoid passing five arguments around."""

    def __init__(
        self, state: ConversationState, text: str, ctx: Context, idle: float, inbound: Inbound
    ) -> None:
        self.state = state
        self.text = text
        self.norm = normalize(text)
        self.plain = plain_words(text)
        self.ctx = ctx
        self.idle = idle
        self.inbound = inbound
        self.flows: dict[str, Flow] = dict(ctx.flows)

    # -- entry -------------------------------------------------------------
    def run(self) -> Turn:
        if self.text == "__welcome__":
            return self._menu(texts.WELCOME, Intent.GREETING)
        if self.text.startswith("__menu:"):
            return self._menu_event(self.text[7:-2])
        if self.text == VOICE:
            return self._voice()
        if self.state.handoff_ticket:
            return human.with_human(self.state, self.ctx, self.text, self.norm, self.plain)
        if "satisfaction" in self.state.pending:
            turn = human.satisfaction(self.state, self.text)
            if turn:
                return turn
        rule = rules.match(self.norm, self.plain, self.flows)
        if rule and rule.intent == "crisis":
            return self._action(rule.action)
        if self.state.flow and self.state.flow in self.flows:
            return self._in_flow(rule)
        if "choices" in self.state.pending:
            turn = self._choice()
            if turn:
                return turn
        if not self.norm:
            return self._menu("请问有什么可以帮您？可以直接打字提问，或选择：", Intent.UNKNOWN)
        return self._fresh(rule)

    def _fresh(self, rule: rules.RuleMatch | None) -> Turn:
        if self.norm in CANCEL | BACK | RESTART:
            return self._menu("现在没有正在办理的事项。需要办什么，请选择：", Intent.GREETING)
        if rule is None:
            stripped = rules.strip_greeting(self.norm)
            if stripped != self.norm and stripped:
                self.norm = stripped
                rule = rules.match(stripped, flows=self.flows)
        if rule is not None:
            return self._action(rule.action)
        computed = deadline_questions.answer(
            self.text, _china_date(self.inbound.at), self.ctx.deadlines
        )
        if computed is not None:
            reply = Reply(f"{computed.text}\n（依据：{computed.source}）")
            return self._done(reply, Understanding(Intent.FAQ, None, 0.9, (computed.source,)))
        return self._faq()

    # -- actions -------------------------------------------------------------
    def _action(self, action: Action) -> Turn:
        if action.do in MENU_REPLIES:
            return self._menu(MENU_REPLIES[action.do], Intent.GREETING)
        if action.do in DONE_REPLIES:
            return self._done(Reply(DONE_REPLIES[action.do]), Understanding(Intent.GREETING))
        handlers: dict[Do, Callable[[str], Turn]] = {
            Do.FLOW: self._flow_action,
            Do.FAQ: self._faq_action,
            Do.CRISIS: lambda _: self._crisis(action),
            Do.HANDOFF: lambda _: self._handoff(),
            Do.OUT_OF_SCOPE: lambda _: self._out_of_scope(),
        }
        return handlers[action.do](action.arg) if action.do in handlers else self._faq()

    def _flow_action(self, name: str) -> Turn:
        """Start a flow ("card"), or one of its presets ("survival_cert:home")."""
        flow_name, _, preset = name.partition(":")
        if flow_name not in self.flows:
            return self._faq()
        chosen = self.flows[flow_name].presets.get(preset)
        return self._start_preset(flow_name, chosen) if chosen else self._start_flow(flow_name)

    def _faq_action(self, entry_id: str) -> Turn:
        entry = self.ctx.kb.get(entry_id)
        return self._answer_entry(entry, 1.0) if entry is not None else self._faq()

    def _out_of_scope(self) -> Turn:
        state = self.state.cleared().model_copy(
            update={"pending": {"choices": list(texts.OUT_OF_SCOPE_ACTIONS)}}
        )
        reply = Reply(texts.OUT_OF_SCOPE, texts.OUT_OF_SCOPE_OPTIONS)
        return Turn(state, (reply,), (), Understanding(Intent.OUT_OF_SCOPE))

    def _menu(self, lead: str, intent: Intent) -> Turn:
        state = self.state.cleared().model_copy(
            update={"pending": {"choices": list(texts.MENU_ACTIONS)}}
        )
        return Turn(state, (Reply(lead, texts.MENU),), (), Understanding(intent))

    def _menu_event(self, key: str) -> Turn:
        mapping = dict(
            zip(
                ("card", "survival_cert", "policy", "petition", "lookup", "handoff"),
                texts.MENU_ACTIONS,
                strict=True,
            )
        )
        return self._action(Action.parse(mapping.get(key, "")) or Action(Do.MENU))

    def _done(
        self, reply: Reply, understanding: Understanding, effects: tuple[Effect, ...] = ()
    ) -> Turn:
        return Turn(self.state.cleared(), (reply,), effects, understanding)

    # -- FAQ -------------------------------------------------------------------
    def _faq(self) -> Turn:
        listed = asking.listed_questions(self.text)
        turn = self._answer_listed(listed) if listed else None
        if turn is not None:
            return turn
        found = lookup(self.norm, self.ctx, Asked.read(self.text))
        if found.gap:
            return self._no_fact(found)
        if found.confident and found.best is not None:
            turn = self._answer_entry(found.best.entry, found.confidence, found)
            return self._with_second_answer(turn, found.best.entry.id)
        taker = rules.unanswered_flow(self.norm, self.flows)
        if taker is not None:  # a grievance the KB cannot answer is taken down (信访)
            return self._start_flow(taker)
        return self._unknown(found.hits, found.confidence)

    def _answer_listed(self, questions: list[str]) -> Turn | None:
        """ "一是…二是…": answer each listed question the KB is sure of, and say which ones
        it is not sure of; None when it is sure of none."""
        replies: list[Reply] = []
        answered: list[Hit] = []
        unsure: list[RecordUnanswered] = []  # for curators, as a whole unknown message is
        for number, question in enumerate(questions, start=1):
            found = lookup(normalize(question), self.ctx)
            if found.confident and found.best is not None:
                body = entry_reply(found.best.entry, self.ctx, self.state.region).text
                replies.append(Reply(f"第{number}个问题：{body}"))
                answered.append(found.best)
            else:
                replies.append(Reply(texts.listed_unsure(number, question)))
                close = tuple(h.entry.id for h in found.hits)
                unsure.append(RecordUnanswered(question, round(found.confidence, 4), close))
        if not answered:
            return None
        sources = tuple(dict.fromkeys(src for hit in answered for src in hit.entry.sources))
        understanding = Understanding(
            Intent.FAQ, answered[0].entry.id, round(min(h.score for h in answered), 4), sources
        )
        return Turn(self.state.cleared(), tuple(replies), tuple(unsure), understanding)

    def _with_second_answer(self, turn: Turn, first_id: str) -> Turn:
        """Two questions in one message: answer the second too when the KB is sure of it."""
        second = asking.second_question(self.text)
        found = lookup(normalize(second), self.ctx) if second else None
        if not (found and found.confident and found.best) or found.best.entry.id == first_id:
            return turn
        extra = entry_reply(found.best.entry, self.ctx, self.state.region)
        sources = tuple(dict.fromkeys((*turn.understanding.sources, *found.best.entry.sources)))
        understanding = dataclasses.replace(turn.understanding, sources=sources)
        return Turn(turn.state, (*turn.replies, extra), turn.effects, understanding)

    def _answer_entry(self, entry: Entry, confidence: float, found: Answer | None = None) -> Turn:
        asked, hit = (found.asked, found.best) if found else (None, None)
        place = self._elsewhere() if entry.intent != "out_of_scope" else None
        reply, sources = reply_and_sources(entry, self.ctx, self.state.region, asked, hit, place)
        if self._amount_left_open(entry, reply.text):
            reply = dataclasses.replace(
                reply, text=_before_sources(reply.text, texts.AMOUNT_UNKNOWN)
            )
        intent = Intent.OUT_OF_SCOPE if entry.intent == "out_of_scope" else Intent.FAQ
        understanding = Understanding(intent, entry.id, round(confidence, 4), sources)
        return self._done(reply, understanding)

    def _amount_left_open(self, entry: Entry, answer: str) -> bool:
        """The veteran asked how much and the answer names no sum: say so plainly."""
        return (
            entry.intent != "out_of_scope"
            and asking.asks_amount(self.text)
            and not asking.MONEY_STATED.search(answer)
        )

    def _no_fact(self, found: Answer) -> Turn:
        """The topic is clear but no entry holds the asked fact (no sum for "多少钱", no
        day count for "多久"): say so plainly, offer the topic's general answer and 转人工,
        instead of the general summary as if it answered (DOMAIN.md §9)."""
        assert found.best is not None
        entry = found.best.entry
        general = render_answer(entry, self.ctx.regions, self.state.region)
        local = any(w in general for w in LOCAL_WORDS)
        place = self._elsewhere()
        bureau = (
            f"{place}退役军人事务局"
            if place
            else context_for(self.ctx.regions, self.state.region)["bureau"]["name"]
        )
        lead = texts.no_exact_rule(aspect.LABELS[found.asked.checked[0]], local, bureau)
        return self._unknown(found.hits, found.confidence, lead)

    def _elsewhere(self) -> str | None:
        """Another place the question names ("北京的…"): its bureau decides the local part,
        and our county's numbers are not handed out as if they were that place's."""
        found = places.elsewhere(self.text, self.ctx.regions)
        return found.name if found else None

    def _unknown(self, hits: tuple[Hit, ...], confidence: float, lead: str = "") -> Turn:
        close = [h for h in hits if h.score >= self.ctx.suggest_floor][:3]
        labels = (*(topic_label(h.entry) for h in close), "转人工")
        actions = [str(faq(h.entry.id)) for h in close] + [str(HANDOFF)]
        state = self.state.cleared().model_copy(update={"pending": {"choices": actions}})
        effect = RecordUnanswered(self.text, round(confidence, 4), tuple(h.entry.id for h in close))
        reply = Reply(lead or texts.unknown(bool(close)), labels)
        return Turn(
            state, (reply,), (effect,), Understanding(Intent.UNKNOWN, None, round(confidence, 4))
        )

    def _choice(self) -> Turn | None:
        actions: list[str] = list(self.state.pending.get("choices", []))
        labels = self._choice_labels(actions)
        chosen = pick(self.text, labels)
        self.state = self.state.model_copy(update={"pending": {}})
        if chosen is None:
            return None
        action = Action.parse(actions[chosen])
        return self._action(action) if action else None

    def _choice_labels(self, actions: list[str]) -> list[str]:
        labels: list[str] = []
        for text in actions:
            action = Action.parse(text)
            entry = self.ctx.kb.get(action.arg) if action and action.do is Do.FAQ else None
            if entry is not None:
                labels.append(topic_label(entry))
            elif text in VOICE_LABELS:
                labels.append(VOICE_LABELS[text])
            elif text in texts.MENU_ACTIONS:
                labels.append(texts.MENU[texts.MENU_ACTIONS.index(text)])
            else:
                labels.append(CHOICE_LABELS.get(action.do, text) if action else text)
        return labels

    # -- voice without text ------------------------------------------------------
    def _voice(self) -> Turn:
        """A voice message WeChat did not transcribe: with a person, it goes to them;
        mid-flow, the question is asked again; otherwise numbered choices (转人工,
        回电, 菜单) that the veteran answers with a digit."""
        if self.state.handoff_ticket:
            return human.with_human(
                self.state, self.ctx, texts.VOICE_TO_HUMAN, "", texts.VOICE_TO_HUMAN
            )
        name = self.state.flow or ""
        if name in self.flows:
            lead = texts.VOICE_IN_FLOW + "\n"
            prompt = runner.current_prompt(self.flows, self.state, self.ctx, lead=lead)
            hint = Reply(texts.VOICE_IN_FLOW_HINT)
            replies = (prompt, hint) if prompt else (hint,)
            return Turn(self.state, replies, (), Understanding(self.flows[name].intent))
        state = self.state.cleared().model_copy(
            update={"pending": {"choices": list(texts.VOICE_ACTIONS)}}
        )
        reply = Reply(texts.VOICE_UNHEARD, texts.VOICE_OPTIONS)
        return Turn(state, (reply,), (), Understanding(Intent.UNKNOWN))

    # -- handoff, crisis -------------------------------------------------------
    def _handoff(self, why: str = "转人工") -> Turn:
        return human.handoff(self.state, self.ctx, why)

    def _crisis(self, action: Action) -> Turn:
        return human.crisis(self.state, self.ctx, self.text, action)

    # -- flows -----------------------------------------------------------------
    def _start_flow(self, name: str, preset: dict[str, Any] | None = None) -> Turn:
        step = runner.start(self.flows, name, self.state, self.ctx, preset)
        return self._flow_turn(step, name)

    def _start_preset(self, name: str, preset: Preset) -> Turn:
        """Start a flow with some answers given, saying so instead of the usual intro."""
        turn = self._start_flow(name, preset.slots)
        intro, flow_intro = preset.intro, self.flows[name].intro
        if not turn.replies or not isinstance(flow_intro, str) or not flow_intro:
            return turn
        first = turn.replies[0]
        text = first.text.replace(flow_intro, intro, 1)
        return Turn(
            turn.state,
            (Reply(text, first.options), *turn.replies[1:]),
            turn.effects,
            turn.understanding,
        )

    def _flow_turn(self, step: runner.FlowStep, name: str) -> Turn:
        flow = self.flows.get(step.state.flow or name) or self.flows[name]
        return Turn(step.state, step.replies, step.effects, Understanding(flow.intent))

    def _in_flow(self, rule: rules.RuleMatch | None) -> Turn:
        name = self.state.flow or ""
        flow = self.flows[name]
        if "resume" in self.state.pending:
            return self._resume_choice(name)
        command = self.norm
        if command in CANCEL:
            return self._cancel(flow.title)
        if command in RESTART:
            return self._flow_turn(runner.restart(self.flows, self.state, self.ctx), name)
        if rule and rule.intent == "handoff":
            asked = Action.parse(rule.action)
            if asked is not None and asked.do is Do.FLOW:  # 给我回电话: the callback flow
                return self._flow_action(asked.arg)
            return self._handoff("办理中转人工")
        if self.idle > self.ctx.idle_resume_hours:
            state = self.state.model_copy(update={"pending": {"resume": True}})
            reply = Reply(f"您上次的「{flow.title}」还没办完。继续上次的，还是重新开始？", RESUME)
            return Turn(state, (reply,), (), Understanding(flow.intent))
        if command in BACK:
            return self._flow_turn(runner.back(self.flows, self.state, self.ctx), name)
        if command in HELP:
            prompt = runner.current_prompt(
                self.flows,
                self.state,
                self.ctx,
                lead=f"正在办理「{flow.title}」。回复选项数字作答；“上一步”返回，“取消”退出，“转人工”找工作人员。\n",
            )
            return Turn(self.state, (prompt,) if prompt else (), (), Understanding(flow.intent))
        step = runner.answer(self.flows, self.state, self.text, self.ctx)
        if step.failed:
            detour = self._detour(rule, name)
            if detour:
                return detour
        return self._flow_turn(step, name)

    def _detour(self, rule: rules.RuleMatch | None, name: str) -> Turn | None:
        """A question in the middle of a flow is answered, then the flow resumes."""
        action = Action.parse(rule.action) if rule else None
        other = action.arg if action and action.do is Do.FLOW else ""
        flow_name = other.partition(":")[0]
        if flow_name != name and flow_name in self.flows:
            return self._flow_action(other)  # another flow, with its preset if any
        if len(_CJK.findall(self.norm)) < MIN_QUESTION_CHARS:
            return None  # "12345" is a mistyped answer, not a question about 12345
        found = self._lookup_in_topic(self.flows[name])
        if not (found.confident and found.best):
            return None
        answer = entry_reply(found.best.entry, self.ctx, self.state.region)
        prompt = runner.current_prompt(self.flows, self.state, self.ctx, lead="我们接着办：")
        flow = self.flows[name]
        replies = (answer,) + ((prompt,) if prompt else ())
        understanding = Understanding(
            flow.intent, found.best.entry.id, found.confidence, tuple(found.best.entry.sources)
        )
        return Turn(self.state, replies, (), understanding)

    def _lookup_in_topic(self, flow: Flow) -> Answer:
        """Mid-flow, "要带什么材料？" means the flow's topic: read it as "优待证要带什么材料"."""
        topic = flow.topic
        asks = "?" in self.text or "？" in self.text or rules.QUESTION.search(self.norm)
        if topic and asks and topic not in self.norm:
            found = lookup(topic + self.norm, self.ctx)
            if found.confident:
                return found
        return lookup(self.norm, self.ctx)

    def _resume_choice(self, name: str) -> Turn:
        chosen = pick(self.text, RESUME)
        self.state = self.state.model_copy(update={"pending": {}})
        if chosen == 0:
            reply = runner.current_prompt(
                self.flows, self.state, self.ctx, lead="好的，接着上次的办。\n"
            )
            return Turn(
                self.state, (reply,) if reply else (), (), Understanding(self.flows[name].intent)
            )
        if chosen == 1:
            return self._flow_turn(runner.restart(self.flows, self.state, self.ctx), name)
        if chosen == 2:
            return self._cancel(self.flows[name].title)
        self.idle = 0.0  # not one of the choices: take the message as the next answer (继续)
        return self._in_flow(rules.match(self.norm, self.plain, self.flows))

    def _cancel(self, _title: str = "") -> Turn:
        return control.cancel(self.state, self.flows)


def _before_sources(answer: str, line: str) -> str:
    """Add a line to an answer, above its closing "（依据：…）"."""
    body, found, sources = answer.rpartition("\n（依据：")
    if not found:
        return answer + "\n" + line
    return body + "\n" + line + found + sources
