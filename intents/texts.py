"""Fixed things the bot says (menu, crisis, handoff, greetings), in one place."""

from __future__ import annotations

from typing import Any

MENU = ("优待证办理", "生存认证", "政策咨询", "我要反映（信访）", "查询进度", "转人工")
MENU_ACTIONS = (
    "flow:card",
    "flow:survival_cert",
    "ask_policy",
    "flow:petition",
    "flow:lookup",
    "handoff",
)

WELCOME = "您好！我是退役军人服务小助手，可以解答政策问题、指导办理优待证和生存认证、受理信访反映。请问需要办什么？"
GREETING = "您好！我在的。请直接说您的问题，比如“优待证怎么办”，或选下面的事项："
SALUTE = "老兵您好！向您致敬，欢迎您。我是退役军人服务小助手，请直接说您的问题，或选下面的事项："
HELP = "我可以帮您：查政策（直接打字提问即可）、办优待证、做生存认证、反映问题（信访）、查询进度、转人工。请选择："
WHO = (
    "您好！这里是退役军人服务小助手，为退役军人和家属解答政策、指导办理优待证和生存认证、"
    "受理信访反映，解决不了的转给服务站工作人员。请直接说您的问题，或选下面的事项："
)
BOT_OR_HUMAN = (
    "您好！我是退役军人服务智能小助手，是机器人自动回复，不是真人。"
    "政策问题可以直接问我；想跟服务站工作人员说，请回复“转人工”，或选下面的事项："
)
THANKS = "不客气！还有其他问题随时问我。"
ASK_POLICY = "请直接打字说您的问题，比如“抚恤金什么时候发”“光荣牌怎么申请”。"
OUT_OF_SCOPE = (
    "这个问题不属于退役军人事务，我帮不上忙。\n您可以问我退役军人相关的政策和办事问题，或者转人工："
)
OUT_OF_SCOPE_OPTIONS = ("政策咨询", "转人工")
OUT_OF_SCOPE_ACTIONS = ("ask_policy", "handoff")
#: a voice message WeChat could not turn into text: numbered choices, not "please type"
VOICE_UNHEARD = "抱歉，这条语音我没听清。您可以回复数字："
VOICE_OPTIONS = ("转人工", "请工作人员给我打电话", "菜单")
VOICE_ACTIONS = ("handoff", "flow:callback", "menu")
VOICE_IN_FLOW = "抱歉，这条语音我没听清。"
VOICE_IN_FLOW_HINT = "（打字不方便，可以回复“转人工”，或回复“给我回电话”请工作人员打给您。）"
VOICE_TO_HUMAN = "［语音消息，未能识别文字］"
NO_FLOW = "好的。有问题随时问我。"


def crisis_self(ctx: dict[str, Any]) -> str:
    return (
        "听到您这么说，我很担心您。您不是一个人，我们愿意帮您。\n"
        "1. 如有危险，请马上拨打110，或拨打120急救。\n"
        "2. 心理援助热线12356，可以找人说说心里话。\n"
        f"3. 我已通知{ctx['station']['name']}的值班工作人员，他们会尽快联系您。\n"
        "我一直在这里，您愿意的话，跟我说说发生了什么。"
    )


def crisis_crowd(ctx: dict[str, Any]) -> str:
    return (
        "理解您和战友们的心情，问题拖着没解决确实着急。\n"
        f"我已把情况转给{ctx['bureau']['name']}的值班工作人员，他们会尽快联系您"
        f"（电话：{ctx['bureau']['phone']}）。\n"
        "建议通过合法渠道逐级反映，由承办单位依法按期答复，这样问题解决得更快。\n"
        "您也可以现在就在这里提交信访反映，我会给您受理编号。\n"
        "遇到紧急情况请拨打110或120；心里憋屈想找人说说，可以拨打心理援助热线12356。"
    )


def handoff(ctx: dict[str, Any]) -> str:
    return (
        f"好的，已为您转人工，{ctx['station']['name']}的工作人员会尽快回复您"
        f"（工作时间：{ctx['station']['hours']}）。\n"
        "您可以继续把情况写在这里，工作人员都能看到；回复“结束人工”可回到机器人。\n"
        f"不方便打字的，也可以直接打电话：{ctx['station']['phone']}。"
    )


# added to an answer that does not state the sum the veteran asked for (DOMAIN.md §9: never
# invent an amount)
AMOUNT_UNKNOWN = "具体金额这里没有准确数字，以当地公布为准；想知道本人能领多少，可以回复“转人工”或问户籍地服务站。"


def listed_unsure(number: int, question: str) -> str:
    """One of several listed questions the KB is not sure of."""
    return f"第{number}个问题（{question}）我没有把握回答准确，不想给您说错：可以换个说法再问，或回复“转人工”。"


def unknown(has_choices: bool) -> str:
    if has_choices:
        return "这个问题我没有把握回答准确，不想给您说错。您想问的是下面哪一个？也可以转人工："
    return "这个问题我没有把握回答准确，不想给您说错。已记录下来请工作人员完善。您可以换个说法，或转人工："


def no_exact_rule(asked: str, local: bool, bureau: str) -> str:
    """The topic is known but not the asked fact (DOMAIN.md §9: never guess it)."""
    where = f"这类事项多由当地规定，具体以{bureau}公布为准。" if local else ""
    return (
        f"您问的是{asked}。这一点我这里没有准确的规定，不想给您说错。{where}\n"
        "可以回复“转人工”问工作人员，或看看下面的相关说明："
    )
