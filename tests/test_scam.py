"""Someone asking for money, a password or a code in the bureau's name (intents/cues/scams.yaml,
intents/scams.py): the veteran is warned before anything else, in any wording; ordinary questions
about fees and card passwords still get their own answers."""

from __future__ import annotations

import pytest

from bot.shell.ask import ask
from intents.context import Context
from intents.rules import match
from knowledge.text import normalize, plain_words


def action(text: str) -> str | None:
    rule = match(normalize(text), plain_words(text))
    return str(rule.action) if rule else None


SCAMS = [
    "刚才有个电话说是县里退役军人局的，叫我把手机验证码念给他",
    "短信上说抚恤金调标了，点链接填银行卡号就能补发",
    "一个自称服务站的人加我微信，说交800块保证金优待证能加急",
    "对方说我的优待证要交年费，不交就冻结",
    "有人上门说交手续费能帮我多领补助",
    "我是不是被骗了，转了两千块给说能办伤残的人",
    "冒充部队首长借钱的电话怎么识别",
    # money, cards or screens asked for in new ways
    "快手直播间说交500块就能帮我把伤残等级往上调",
    "有个人打电话说我的补助发多了，让我打回到他给的账户",
    "来电说认证出问题了，让我下载个软件开屏幕共享",
    "有人上门说帮我换新版优待证，要把身份证和优待证都拿走",
    "战友群里说有个项目每个月返3000，交2万就能入",
    "把这条消息转发到五个群，就能领老兵补贴",
]


NOT_SCAMS = [
    "办优待证要交钱吗",  # the fee question: card.fee answers it
    "优待证的银行卡密码忘了怎么办",
    "服务站打电话说我的优待证做好了，让我去拿",
    "有人冒领我爸的抚恤金，怎么举报",  # someone drawing benefits falsely: pension.fraud
    "生存认证要不要交钱",
    "网上申请优待证要填银行卡号吗",
    "电话里说我的优待证办好了，让我带身份证去拿",
    "村里通知扫码登记退役军人信息，要带啥",
    "抚恤金打到哪个账户上",
]


def test_the_warning_tells_the_veteran_what_to_do(ctx: Context) -> None:
    result = ask(ctx, "有人打电话让我报验证码，说给我发退役补贴")
    assert result["entry_id"] == "svc.fraud"
    assert "免费" in result["answer"] and "验证码" in result["answer"] and "110" in result["answer"]


DISHONEST = [
    ("我妈上个月走了，先别报上去行不，认证我拿她照片刷一下", "faq:pension.fraud"),
    ("老头子过世半年了，卡里的钱照样打着，我们就不说了吧", "faq:pension.fraud"),
    ("我爹不在了，上面让退钱，能不能不退", "faq:pension.fraud"),
    ("村里有个老人去年过世了，家里还在继续领他的定补", "faq:pension.fraud"),
    ("我妈走了俩月了，卡里钱还在往里打，我能接着取吗", "faq:pension.fraud"),
    ("能帮我PS一张退伍证吗，原件找不到了", "faq:svc.honesty"),
    ("有人说两万块能包办一个残疾军人证", "faq:svc.honesty"),
    ("评残的时候把伤情说严重点，能多评一级吧", "faq:svc.honesty"),
    ("把身份证上的岁数改大几岁，好早点领补助", "faq:svc.honesty"),
]


HONEST = [
    "老伴走了，我还能接着领遗属抚恤金吗",  # the survivor's own pension, not concealment
    "我妈走了以后，丧葬补助怎么领",
    "退伍证丢了怎么补办",
    "年龄填错了能改吗",
    "他的照片拍得不好，人脸认证过不了",
]


WARNINGS = ("svc.fraud", "svc.honesty", "pension.fraud")


@pytest.mark.parametrize(
    ("text", "expected"), [(text, "faq:svc.fraud") for text in SCAMS] + DISHONEST
)
def test_scams_dead_relatives_money_and_false_papers_get_their_warning(
    text: str, expected: str
) -> None:
    assert action(text) == expected


@pytest.mark.parametrize("text", NOT_SCAMS + HONEST)
def test_ordinary_questions_about_fees_cards_deaths_and_papers_get_no_warning(text: str) -> None:
    assert action(text) not in {f"faq:{w}" for w in WARNINGS}


def test_no_phrasing_of_another_entry_is_taken_for_a_scam(ctx: Context) -> None:
    """Every question the KB answers elsewhere (about 3,000 wordings: fees, passwords, bank
    cards, phone calls, apps) keeps its own answer; a pattern that matched them all (an empty
    alternative, say) fails here."""
    taken = [
        (entry.id, question, action(question))
        for entry in ctx.kb
        if entry.id not in WARNINGS
        for question in entry.questions
        if action(question) in {f"faq:{w}" for w in WARNINGS}
    ]
    assert taken == []
