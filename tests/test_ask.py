"""`vetbot ask` contract and behaviour on odd input (DESIGN.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.shell.ask import ask
from intents.asking import listed_questions
from intents.context import Context

ROOT = Path(__file__).resolve().parent.parent
INTENTS = {
    "faq",
    "card",
    "survival_cert",
    "petition",
    "handoff",
    "crisis",
    "greeting",
    "out_of_scope",
    "unknown",
}
KEYS = {"id", "intent", "entry_id", "confidence", "answer", "handoff", "sources"}

ODD_INPUTS = [
    "",
    "   \t\n ",
    "优" * 10_000,
    "👍🙏😀",
    "\x00\x01\x1b[31m优待证\x7f",
    "<script>alert('x')</script>",
    "'; DROP TABLE tickets; --",
    "优待证 how to apply 優待證",
    "１２３４５",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_input_gets_a_polite_well_formed_answer(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert set(result) == KEYS
    assert result["intent"] in INTENTS
    assert result["answer"].strip()
    assert "Traceback" not in result["answer"]
    assert "<script>" not in result["answer"]
    assert 0.0 <= result["confidence"] <= 1.0


def test_low_confidence_does_not_guess_and_offers_topics_and_a_human(ctx: Context) -> None:
    result = ask(ctx, "我那个事你们到底管不管")
    assert result["intent"] == "unknown"
    assert result["entry_id"] is None
    assert "转人工" in result["answer"]


def test_faq_answer_carries_its_sources(ctx: Context) -> None:
    result = ask(ctx, "伤残抚恤金没按时确认会怎样")
    assert result["intent"] == "faq"
    assert result["sources"] and all(s in result["answer"] for s in result["sources"])


def test_crisis_gives_12356_and_never_promises_24_hours(ctx: Context) -> None:
    result = ask(ctx, "我真的不想活了")
    assert result["intent"] == "crisis"
    assert "12356" in result["answer"] and "110" in result["answer"]
    assert "24小时" not in result["answer"]


def test_cli_batch_keeps_order_and_ids(tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    lines = [{"id": "a", "q": "优待证要交钱吗"}, {"id": 2, "q": "转人工"}, {"id": "c", "q": ""}]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--batch", str(batch), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a", 2, "c"]
    assert results[1]["intent"] == "handoff" and results[1]["handoff"] is True


def test_cli_rejects_a_missing_question_with_a_clear_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "text",
    [
        "我已经写好遗书了",
        # a relative reporting a family member's intent, and bereavement without a way forward
        "俺娘最近老说要去陪走了的老伴，把积蓄都分给我们了，我们很害怕",
        "我爸总念叨想去见他死去的战友，这两天还交代后事",
        "老伴没了以后我整夜睡不着，活着也没什么盼头了",
        "日子没啥奔头了，还有啥活头",
        "活着还有什么意思",
        "人活着太累了，不如早点走",
        "等了这么多年也没人管，我真想一死了之",
        "药我已经攒了一瓶了",
        "再不给解决，我就跟他们拼了",
        "再不给我解决我就去把信访局砸了",
    ],
)
def test_indirect_danger_is_met_with_care_not_an_faq(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "crisis"
    assert "110" in result["answer"]


def test_breaking_a_phone_is_not_a_threat(ctx: Context) -> None:
    assert ask(ctx, "手机屏幕砸了能修吗")["intent"] != "crisis"


@pytest.mark.parametrize(
    "text", ["优待证去北京旅游能用吗", "我想去北京看看天安门，老兵有优惠吗", "去北京看病能报销吗"]
)
def test_a_trip_to_beijing_raises_no_alarm(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "crisis"


def test_asking_whether_one_may_petition_in_beijing_gets_the_rules(ctx: Context) -> None:
    result = ask(ctx, "能直接去北京信访吗")
    assert result["intent"] == "faq" and "逐级" in result["answer"]


@pytest.mark.parametrize("text", ["我要去北京上访", "再不给我解决我就去北京", "我明天进京告状"])
def test_going_to_beijing_to_petition_is_urgent(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "我要去省里上访，带上几十个人",
        "这个月我们老兵要集体去市政府门口坐着",
        "战友群里三十多个人说好了下礼拜一块去省政府",
        "明天去县政府大门口躺着，不给钱就不走",
    ],
)
def test_crowd_petitions_are_urgent_and_offered_the_lawful_channel(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "crisis"
    assert "信访" in result["answer"] and "工作人员" in result["answer"]


@pytest.mark.parametrize(
    "text",
    [
        "想找当年牺牲的战友的墓在哪",
        "帮忙找一下牺牲战友的家属",
        "老伴去世了，抚恤金还发吗",
        "老人走了以后存折里的钱怎么取",
        "我爸把存折交给我保管，生存认证能代办吗",
        "县政府大门口的服务站几点上班",
        "我们村有三十多个退役军人，都能办优待证吗",
        "烈士纪念日我们二十多个老战友一起去烈士陵园祭扫",
        "我们俩商量好了一起去县里办优待证",
        "他说要去见见老战友",
    ],
)
def test_ordinary_questions_near_crisis_words_are_not_crises(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "crisis"


@pytest.mark.parametrize("text", ["喂 有人没", "有人在不", "在没在", "老兵报到！", "向您报到"])
def test_calls_and_a_veteran_reporting_in_are_greetings(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "greeting"
    assert "您好" in result["answer"]


def test_reporting_in_after_discharge_is_still_the_procedure(ctx: Context) -> None:
    assert ask(ctx, "退伍军人回来去哪报到")["intent"] != "greeting"


@pytest.mark.parametrize("text", ["打字太慢了，找个人跟我说", "有没有电话可以直接打过去问"])
def test_people_who_cannot_type_get_a_human_and_a_phone_number(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "handoff"
    assert "电话" in result["answer"]


@pytest.mark.parametrize("text", ["实名投诉镇上服务站办事拖拉", "我要信方，反映补助发少了"])
def test_a_named_complaint_or_a_misspelt_petition_starts_intake(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "petition"


@pytest.mark.parametrize("text", ["举报人会保密吗", "投诉电话多少", "举报了会不会被报复"])
def test_questions_about_complaints_are_not_intake(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "petition"


# -- holdout3 round: entry rules that read the family of phrasings, not one sentence --------


@pytest.mark.parametrize(
    "text",
    [
        "帮我妈做下今年的认证",
        "替我婆婆做一下年审",
        "帮老爷子认证一下",
        "给俺爹弄个生存认证",
        "帮我奶奶搞个认证吧",
    ],
)
def test_certifying_for_a_relative_starts_the_survival_flow(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "survival_cert"


@pytest.mark.parametrize("text", ["能替父母做生存认证吗", "帮我妈做认证要带什么"])
def test_asking_about_certifying_for_a_relative_is_a_question(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "survival_cert"


@pytest.mark.parametrize(
    "text", ["我要预约上门认证", "想请工作人员上门做认证", "给我爸预约个上门认证"]
)
def test_booking_a_home_visit_starts_the_flow_with_the_way_chosen(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "survival_cert"
    assert "上门" in result["answer"]


@pytest.mark.parametrize("text", ["申请优戴证", "我要办忧待证", "办个尤待证"])
def test_a_misspelt_card_request_starts_the_card_flow(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "card"


@pytest.mark.parametrize(
    "text",
    [
        "我想写封信反映一下安置补助一直没发的事",
        "我想反映我們村補助被截留的問題，要怎麼投訴？",
        "写封信投诉一下镇里",
    ],
)
def test_wanting_to_write_or_report_starts_intake(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "petition"


@pytest.mark.parametrize(
    "text",
    ["我反映的事要是不归退役军人局管，会咋处理", "退伍回来拖了快两个月才去报到，会不会有影响"],
)
def test_questions_are_not_intake(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "petition"


@pytest.mark.parametrize(
    "text", ["之前给我的受理编号我忘了，还能查到进度吗", "不记得受理号了 进度咋查"]
)
def test_a_forgotten_receipt_number_gets_help_not_a_prompt_for_it(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["entry_id"] == "pet.progress"
    assert "转人工" in result["answer"]


@pytest.mark.parametrize("text", ["年审", "年检", "年审咋个弄嘛", "年审到底是干啥"])
def test_a_bare_nianshen_tells_the_card_and_the_yearly_confirmation_apart(
    ctx: Context, text: str
) -> None:
    result = ask(ctx, text)
    assert result["entry_id"] == "sc.not_card"
    assert "生存认证" in result["answer"] and "优待证" in result["answer"]


@pytest.mark.parametrize(
    "text", ["哈喽，小助手你都能干点啥", "你能干啥", "這個機器人能做什麼", "你有什么功能"]
)
def test_what_can_you_do_gets_the_menu(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "greeting"
    assert "优待证" in result["answer"]


@pytest.mark.parametrize("text", ["帮我查下明天去北京的高铁票", "给我买张机票", "12306怎么抢票"])
def test_buying_tickets_is_out_of_scope(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "out_of_scope"
    assert "优待证" not in result["answer"]


@pytest.mark.parametrize("text", ["残疾军人坐火车能半价吗", "拿优待证买高铁票有优惠吗"])
def test_travel_benefits_are_still_answered(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "out_of_scope"


@pytest.mark.parametrize(
    "text",
    [
        "您好 这是退役军人服务站的公众号吗",
        "你好，请问你们是哪个单位",
        "请问这里是退役军人服务中心吗",
        "这个公众号是干什么的",
        "你們是誰",
    ],
)
def test_asking_who_we_are_gets_a_greeting_that_says_so(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "greeting"
    assert "您好" in result["answer"] and "退役军人服务小助手" in result["answer"]


@pytest.mark.parametrize("text", ["这里是办优待证的地方吗", "优待证是哪个单位发的"])
def test_asking_where_a_service_is_done_is_not_a_who_are_you(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "faq"


@pytest.mark.parametrize("text", ["帮我爹做下今年的年度却认", "给俺娘做一下年度缺认"])
def test_a_misspelt_yearly_confirmation_for_a_relative_starts_the_flow(
    ctx: Context, text: str
) -> None:
    assert ask(ctx, text)["intent"] == "survival_cert"


# -- holdout5 round: indirect farewell signs, who is answering, ways of asking to file -------


@pytest.mark.parametrize(
    "text",
    [
        "药都买好了，这辈子就这样吧，对不起家里人",
        "农药都买好了",
        "下辈子再报答你们吧",
        "我走了以后，你们照顾好自己",
        "我把存款都分给孩子们了，以后就靠你们了",
    ],
)
def test_farewell_signs_are_a_crisis(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "crisis"
    assert "12356" in result["answer"] and "24小时" not in result["answer"]


@pytest.mark.parametrize(
    "text",
    [
        "药买好了吗",
        "药已经买好了，能报销吗",
        "补助被取消了，真对不起家里人",
        "对不起，打扰了",
        "这辈子就这样了，补助也不要了",
        "我走了以后抚恤金给谁",
        "钱都分给孩子了，以后养老靠孩子吗",
    ],
)
def test_one_weak_farewell_sign_alone_is_not_a_crisis(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "crisis"


@pytest.mark.parametrize("text", ["你是机器人还是真人？", "你是真人吗", "是不是人工在回复"])
def test_asking_who_answers_says_it_is_a_bot_and_offers_a_human(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "greeting"
    assert "机器人" in result["answer"] and "转人工" in result["answer"]


@pytest.mark.parametrize("text", ["我要找真人", "转真人"])
def test_asking_for_a_human_still_hands_off(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "handoff"


@pytest.mark.parametrize("text", ["早上好，老兵来报到了", "下午好，老兵向您报到"])
def test_a_salute_after_a_time_of_day_greeting_is_a_greeting(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "greeting" and "您好" in result["answer"]


@pytest.mark.parametrize("text", ["您好，請問這裡可以問退役軍人的事嗎", "可以咨询吗"])
def test_may_i_ask_here_gets_yes_and_the_menu(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "greeting" and "可以" in result["answer"]


@pytest.mark.parametrize(
    "text",
    ["我有个事要反映，镇上一直拖着不给办", "俺有件事想反映", "我要上方 反映我的补助被取消的事"],
)
def test_having_something_to_report_starts_intake(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] == "petition"


@pytest.mark.parametrize("text", ["信访拖着不办，找谁催", "页面上方的按钮在哪"])
def test_asking_about_delays_or_the_word_shangfang_is_not_intake(ctx: Context, text: str) -> None:
    assert ask(ctx, text)["intent"] != "petition"


def test_two_questions_in_one_message_get_both_answers(ctx: Context) -> None:
    result = ask(ctx, "我是五级伤残，抚恤金每年都要确认吗？还有坐市里公交要钱不")
    assert result["entry_id"] == "disab.confirm"
    assert "确认" in result["answer"] and "免费" in result["answer"]
    assert any("第五十二条" in s for s in result["sources"])


def test_out_of_scope_family_matters_do_not_drag_in_the_card(ctx: Context) -> None:
    result = ask(ctx, "我想离婚，家里的房子怎么分")
    assert result["intent"] == "out_of_scope" and "优待证" not in result["answer"]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("两个事：一是照片要啥底色，二是年审能不能替他办", ["照片要啥底色", "年审能不能替他办"]),
        ("1.优待证丢了怎么补 2.抚恤金几号发", ["优待证丢了怎么补", "抚恤金几号发"]),
        (
            "第一，信访多久受理；第二，复查怎么申请；第三，复核找谁",
            ["信访多久受理", "复查怎么申请", "复核找谁"],
        ),
        ("我是1.5级吗，优待证怎么办", []),  # a number, not a list
        ("第一次办优待证要带啥", []),  # 第一次 is not a list marker with a second one
    ],
)
def test_listed_questions_are_split(text: str, parts: list[str]) -> None:
    assert listed_questions(text) == parts


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("转人公", "handoff"),  # a sound-alike typo
        ("那就帮我转给工作人员吧", "handoff"),
        ("泥好", "greeting"),
        ("我上周交的反映有结果了吗", "petition"),  # the progress lookup asks for the number
        ("我的信访现在谁在处理", "petition"),
        ("老兵报到，有人在吗", "greeting"),
        # a grievance whose question the KB cannot answer: the matter is taken down
        ("这事反映了好几年一直没解决，有没有人专门管", "petition"),
        ("我的抚恤问题想反映一下，找谁登记", "petition"),
        ("多谢你啊小伙子", "greeting"),
    ],
)
def test_typed_in_a_hurry_still_reaches_the_right_path(
    ctx: Context, text: str, intent: str
) -> None:
    assert ask(ctx, text)["intent"] == intent
