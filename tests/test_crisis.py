"""Crisis detection by co-occurring cues (intents/cues/crisis_*.yaml, intents/rules.py; DOMAIN.md §7).

Fresh wordings, none taken from tests/eval: a miss leaves someone in danger without
12356/110, a false alarm wakes the duty officer for a question about money.
"""

from __future__ import annotations

import pytest

from bot.shell.ask import ask
from intents.context import Context
from intents.rules import match
from knowledge.text import normalize, plain_words


def crisis(text: str) -> str | None:
    """The crisis action the rules give a raw message, or None."""
    rule = match(normalize(text), plain_words(text))
    return str(rule.action) if rule and rule.intent == "crisis" else None


SELF_HARM = [
    # typo and sound-alike forms of 不想活 / 自杀
    "我不想再活了，什么都没意思",
    "不向活了，别劝我",
    "真想zi杀算了",
    "脑子里老冒出自刹的念头",
    # a means with a verb of using it, in either order
    "家里那瓶敌敌畏我准备今晚喝掉",
    "我把老鼠药拌进饭里自己吃",
    "想把天然气打开，一觉睡过去算了",
    "买了几袋木炭，车窗都用胶带封好了",
    "安眠药攒了好几板了，够了",
    "一口气把一瓶安眠药全吞了",
    "我现在坐在大桥栏杆上",
    "我爹拿着农药瓶子坐在门口哭",
    "补助拖了三年，真想把敌敌畏喝了",
    # life called worthless, death wished for, the dead joined
    "我活在世上就是个多余的人，谁都嫌弃",
    "活着就是受罪，天天疼得睡不着",
    "活着净给儿女添麻烦，不如死了省心",
    "当初在老山就该和牺牲的兄弟们一起走",
    "老伴走了三年，我也想去那边陪她了",
    "我那些战友都在地下等着我呢",
    # farewell
    "跟孩子们交代完后事了，今晚就走",
    "心里太苦了，想一死百了",
    "每天都在琢磨怎么死才不痛苦",
    # on a ledge some way off, and a relative's report of a goodbye then silence
    "补助的事没人理，我已经爬到你们大楼旁边那个商场的楼顶了",
    "我弟抑郁好几年了，昨晚群里留了句对不起家里，今天手机一直关机",
]
HARM_OTHERS = [
    "他喝多了拎着斧头满村子找村长",
    "再不给我落实，我就去捅了那个站长",
    "我家那位退伍后一喝酒就打我，昨晚把我打得住院了",
    "我哥扬言要把村干部一家都杀了",
    "我要带上汽油去信访局，大家都别活",
    "再拖下去，我就去把局长家房子点了",
    "他把刀架在自己脖子上",
    "我已经准备好汽油了，明天去事务局门口点火",
    "办事员再刁难我，我就叫他好看，大不了一起玩完",
]
CROWD = [
    "咱们三十来号老兵下周一起去市委门口讨个公道",
    "战友群里在组织，周末包大巴去省政府，人越多越好",
    "五六十个伤残军人约好了一起去县政府大门口坐着",
    "明天早上八点镇政府门口集合，能来的都来，互相通知",
]


@pytest.mark.parametrize("text", SELF_HARM + HARM_OTHERS)
def test_danger_to_self_or_others_is_a_crisis(text: str) -> None:
    assert crisis(text) == "crisis:self"


@pytest.mark.parametrize("text", CROWD)
def test_a_crowd_heading_for_a_government_place_is_a_crisis(text: str) -> None:
    assert crisis(text) == "crisis:crowd"


NOT_CRISIS = [
    # a means named in a question about money, with no wish of one's own
    "农药中毒住院的医药费能报销吗",
    "家里老鼠多，买老鼠药有补贴吗",
    "我每天吃安眠药才能睡着，优抚对象看病有补助吗",
    "冬天取暖的木炭买好了，烤火费有补贴吗",
    "老鼠药误喝了送医院抢救，费用能报吗",
    "我想问问喝农药抢救的费用能不能报销",
    "燃气公司说要开通天然气，退役军人有补贴吗",
    "煤气罐换气对退役军人有优惠吗",
    # places and tools in everyday life
    "我在楼顶种菜，摔了一跤能算工伤吗",
    "当年在部队被刺刀捅伤，现在能评残吗",
    "退伍后在饭店当厨师，切菜的刀伤算不算工伤",
    "跳水比赛受的伤能不能评残",
    # the dead, spoken of by the bereaved
    "我想找当年一起牺牲的战友的家人",
    "父亲说想去看看牺牲的战友，烈士陵园怎么去",
    "我爸去世了，后事都安排好了，抚恤金怎么领",
    "活着的老兵越来越少了，纪念章还发吗",
    "我活着的时候能不能看到补助落实啊",
    "我也该跟他们一起去报到了吧",
    # idioms with strong words
    "打死我也想不到抚恤金还能补发",
    "笑死我了，这个政策太好了",
    "我爸天天打牌，他的优待证能用吗",
    "生病拖累了家里，大病救助怎么申请",
    # groups with an ordinary purpose
    "我们五十多个老战友约好去北京聚会，优待证住宿有优惠吗",
    "我们村二十多个退役军人一起去县里办优待证，要预约吗",
    "我们十几个老兵想组团去省城参观军事博物馆",
    "县政府门口那个服务站怎么走",
    "大家都说好了一起去市里体检，优待证能免费吗",
    "信访局门口能停车吗",
    "能不能直接到省里信访，不经过县里",
    "我们这些老兵活着就是为了等个说法",
    "我的补助被砍了他们的一半，能申诉吗",
    "退伍后在厨房拿菜刀切菜，切到手了能报吗",
    "春天要拿着农药去地里打虫，农机补贴怎么申请",
    "饿死我了，服务站几点开门",
    "我爸有抑郁症，能去评残吗",
    "服务站电话一直打不通，是不是搬了",
    "对不起家里，这次招工又没考上，还有别的岗位吗",
    "我在楼顶修太阳能热水器摔了，算工伤吗",
]


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_near_misses_raise_no_alarm(text: str) -> None:
    assert crisis(text) is None


@pytest.mark.parametrize(
    "text", ["我想把天然气打开，一觉睡过去算了", "他喝多了拎着斧头满村子找村长"]
)
def test_the_engine_answers_a_cue_match_with_12356_and_110(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "crisis"
    assert "12356" in result["answer"] and "110" in result["answer"]
    assert "24小时" not in result["answer"]


def test_a_means_question_about_money_gets_no_crisis_answer(ctx: Context) -> None:
    assert ask(ctx, "我有失眠，安眠药能报销吗")["intent"] != "crisis"
